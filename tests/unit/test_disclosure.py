"""Disclosure control: primary, derived and secondary suppression.

The checkers at the bottom of this file are written independently of the module: one looks for a
line (a row or column with its total) with exactly one withheld cell, the other solves the whole
system of published totals exactly (``fractions``) to see whether any withheld count is determined.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.figures import Cell, PayGap
from pipeline.measures import disclosure as dc

U = "u"
DOMAINS: dict[tuple[str, str], frozenset[str]] = {}


def grid(values: list[list[int]], universe: str = U) -> tuple[dict[tuple[str, str], dc.Node], dict[dc.Node, int]]:
    """A table with row and column margins: keys (r, c) with "total" margins -> node, and node -> value."""
    nr, nc = len(values), len(values[0])
    rows = [f"r{i}" for i in range(nr)] + ["total"]
    cols = [f"c{j}" for j in range(nc)] + ["total"]
    DOMAINS[(universe, "r")] = frozenset(rows[:-1])
    DOMAINS[(universe, "c")] = frozenset(cols[:-1])
    nodes, vals = {}, {}
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            members = {}
            if r != "total":
                members["r"] = [r]
            if c != "total":
                members["c"] = [c]
            n = dc.node(universe, members, DOMAINS)
            nodes[(r, c)] = n
            rs = range(nr) if r == "total" else [i]
            cs = range(nc) if c == "total" else [j]
            vals[n] = sum(values[a][b] for a in rs for b in cs)
    return nodes, vals


def run(values: list[list[int]], threshold: int = 5) -> tuple[dict, dict, dict]:
    nodes, vals = grid(values)
    lines = dc.find_lines([("t", n) for n in nodes.values()], DOMAINS)
    return nodes, vals, dc.protect(vals, lines, threshold)


# --------------------------------------------------------------------------- primary and derived
def test_counts_one_to_four_withheld_zero_and_five_shown() -> None:
    nodes, _, sup = run([[0, 1, 2, 3, 4, 5, 40]])
    reasons = [sup.get(nodes[("r0", f"c{j}")]) for j in range(7)]
    assert reasons[:5] == [None, "small_count", "small_count", "small_count", "small_count"]
    assert reasons[5] is None or reasons[5] == "secondary"
    assert dc.count_cell(0, nodes[("r0", "c0")], sup) == Cell(0)
    assert dc.count_cell(3, nodes[("r0", "c3")], sup) == Cell(None, suppressed="small_count")


def test_the_zeros_of_a_group_whose_number_is_withheld_are_withheld_too() -> None:
    # leavers by reason (rows: death in service, resignation) and sex (columns: women, men, a third
    # category nobody is in): one man died in service. Shown, "women 0" said the one who died was a man
    nodes, vals, sup = run([[0, 1, 0], [12, 30, 0]])
    death_women, death_none = nodes[("r0", "c0")], nodes[("r0", "c2")]
    assert nodes[("r0", "total")] in sup and sup[nodes[("r0", "c1")]] == "small_count"
    assert sup[death_women] == "secondary"  # withheld like any count, and protected like one
    assert death_women not in determined_cells(nodes, vals, sup)
    # a zero the shown empty column gives anyway (nobody at all in the third category) stays shown
    assert death_none not in sup and nodes[("total", "c2")] not in sup
    # the resignations' row, whose total is shown, keeps its zero
    assert nodes[("r1", "c2")] not in sup
    assert not zeros_beside_withheld_totals(_lines_of_grid(nodes), vals, sup)


def test_a_withheld_zero_is_protected_from_the_other_line_through_it() -> None:
    # the sergeants are 13 men and 0 women, and the 3 women are all constables: with the women's
    # number withheld, their 0 sergeants is withheld, and the sergeants' line, which would give it
    # back as 13 - 13, has another cell withheld
    nodes, vals, sup = run([[3, 27], [0, 13]])  # rows: constable, sergeant; columns: women, men
    assert nodes[("total", "c0")] in sup and nodes[("r1", "c0")] in sup
    assert not recoverable_by_subtraction(nodes, vals, sup) and not determined_cells(nodes, vals, sup)


def test_withheld_zeros_are_not_given_back_by_a_total_its_shown_parts_make_up() -> None:
    # leavers by reason (retirement, dismissal, death) and age (under 55, 55 to 64): the 55-to-64s were
    # 10 retirements, so with their dismissals and deaths withheld as zeros of withheld groups, a
    # reader still read both as 0 (10 - 10), and so that the dismissed and the dead were under 55
    nodes, vals, sup = run([[20, 10], [2, 0], [1, 0]])
    assert nodes[("r1", "c1")] in sup and nodes[("r2", "c1")] in sup  # the zeros of withheld groups
    for total, parts in _lines_of_grid(nodes):
        hidden = [p for p in parts if p in sup]
        if total not in sup and hidden:
            assert sum(vals[p] for p in parts if p not in sup) != vals[total] or vals[total] == 0


def test_threshold_is_a_setting() -> None:
    nodes, _, sup = run([[6, 9, 20]], threshold=10)
    assert sup[nodes[("r0", "c0")]] == "small_count" and sup[nodes[("r0", "c1")]] == "small_count"


def test_percentage_resting_on_a_withheld_count_is_withheld() -> None:
    n_small, n_big = dc.Node(U, frozenset({("x", frozenset({"a"}))})), dc.Node(U, frozenset())
    sup = {n_small: dc.SMALL_COUNT}
    assert dc.derived_cell(3, 40, (n_small, n_big), sup) == Cell(None, suppressed="rests_on_suppressed")
    # the denominator withheld: the percentage would give it back
    assert dc.derived_cell(30, 33, (n_big, n_small), sup).suppressed == "rests_on_suppressed"
    assert dc.derived_cell(30, 40, (n_big,), sup) == Cell(30 / 40 * 100)
    assert dc.derived_cell(0, 0, (n_big,), sup) == Cell(None, not_calculable="zero_denominator")


# --------------------------------------------------------------------------- secondary
def test_single_withheld_cell_in_a_row_gets_the_next_smallest_nonzero_partner() -> None:
    # row: 3 (withheld), 0 (shown; never a partner), 12, 30; total 45
    nodes, _, sup = run([[3, 0, 12, 30]])
    assert sup[nodes[("r0", "c0")]] == "small_count"
    assert sup[nodes[("r0", "c2")]] == "secondary"
    assert nodes[("r0", "c1")] not in sup and nodes[("r0", "c3")] not in sup
    assert nodes[("r0", "total")] not in sup


def test_withheld_ones_are_protected_from_the_zeros_are_shown_inference() -> None:
    # 1 + 1 withheld, total 32, other part 30: the reader knows the two withheld sum to 2, each >= 1
    nodes, _, sup = run([[1, 1, 30]])
    assert sup[nodes[("r0", "c2")]] == "secondary"


def test_a_small_total_its_own_withheld_ones_pin_is_relabelled_without_withholding_around_it() -> None:
    # four open disciplinary cases, one for each of four religions (rows: open, written warning,
    # advice; columns: religions): a reader who takes each withheld count to be at least 1 and a
    # small one at most 4 has all five, whatever else is withheld. Withholding around them a cell
    # at a time (twenty rounds on the sample) reached every religion's total and the number of
    # cases before the total was relabelled "secondary"; it is relabelled at once, and they stay shown
    nodes, vals, sup = run([[1, 1, 1, 1], [20, 15, 12, 9], [25, 18, 14, 11]])
    assert sup[nodes[("r0", "total")]] == "secondary"
    assert [sup[nodes[("r0", f"c{j}")]] for j in range(4)] == ["small_count"] * 4
    assert [k for k, n in nodes.items() if k[0] == "total" and n in sup] == []
    assert not recoverable_by_subtraction(nodes, vals, sup) and not determined_cells(nodes, vals, sup)
    lines = dc.find_lines([("t", n) for n in nodes.values()], DOMAINS)
    assert dc._pinned(vals, lines, sup, 5) == [] and dc._probed(vals, lines, sup, 5) == []


def test_a_small_total_its_own_ones_pin_is_relabelled_before_the_counts_it_pins_are_shielded() -> None:
    # 130 people: 126 employees (74, 43 and 9 in three groups) and 4 special constables, one at each
    # of four Welsh levels. The employees are withheld beside the specials, but the four 1s pin the
    # specials at 4, and so the employees at 130 - 4. Shielding the employees first, a cell at a
    # time, reached the workforce total and the number of women (a 130-person body lost its
    # headcount so); with the specials' total relabelled first, withholding one group frees them
    names = ["W", "E", "S", "s0", "s1", "s2", "s3", "g7", "g13", "pcso", "Wf", "Wm"]
    c = {k: dc.node(U, {"cell": [k]}, {}) for k in names}
    v = {"W": 130, "E": 126, "S": 4, "s0": 1, "s1": 1, "s2": 1, "s3": 1, "g7": 74, "g13": 43, "pcso": 9,
         "Wf": 59, "Wm": 71}
    shape = {"W": ("E", "S"), "S": ("s0", "s1", "s2", "s3"), "E": ("g7", "g13", "pcso")}
    lines = [dc.Line(c[t], tuple(c[p] for p in parts)) for t, parts in shape.items()]
    lines.append(dc.Line(c["W"], (c["Wf"], c["Wm"])))
    values = {c[k]: x for k, x in v.items()}
    out = dc.protect(values, lines, 5)
    assert {k: out[c[k]] for k in names if c[k] in out} == {
        "E": "secondary", "S": "secondary", "s0": "small_count", "s1": "small_count", "s2": "small_count",
        "s3": "small_count", "pcso": "secondary"}
    assert dc._determined(lines, out) == [] and dc._pinned(values, lines, out, 5) == []


def test_total_itself_is_a_cell() -> None:
    # every part shown but the total is small: the total is withheld, so one part must go too
    nodes, vals, sup = run([[0, 2, 0], [0, 0, 0]])
    assert sup[nodes[("total", "total")]] == "small_count"
    assert not recoverable_by_subtraction(nodes, vals, sup)


def test_linear_audit_catches_a_bridge_between_two_safe_cycles() -> None:
    # Withheld 2x2 blocks in rows r0-r1 x cols c0-c1 and rows r2-r3 x cols c2-c3, plus the bridge (r1, c2).
    # Every row and column then holds at least two withheld cells, so the classic rule adds nothing, but
    # rows r0+r1 minus columns c0+c1 leaves the bridge alone: it is determined.
    v = [
        [2, 3, 20, 20, 20],
        [3, 2, 4, 20, 20],
        [20, 20, 2, 3, 20],
        [20, 20, 3, 2, 20],
    ]
    nodes, vals, sup = run(v)
    assert not recoverable_by_subtraction(nodes, vals, sup)
    assert not determined_cells(nodes, vals, sup)
    assert any(r == dc.SECONDARY for r in sup.values())


def test_lines_between_tables_that_share_a_margin() -> None:
    # Table A: sex (female 3, male 40). Table B: grade x sex shares the sex margins and the grand total.
    domains = {(U, "sex"): frozenset({"f", "m"}), (U, "grade"): frozenset({"pc", "sgt"})}

    def n(**members: str) -> dc.Node:
        return dc.node(U, {k: [v] for k, v in members.items()}, domains)

    values = {
        n(): 43,
        n(sex="f"): 3,
        n(sex="m"): 40,
        n(grade="pc"): 30,
        n(grade="sgt"): 13,
        n(grade="pc", sex="f"): 3,
        n(grade="pc", sex="m"): 27,
        n(grade="sgt", sex="f"): 0,
        n(grade="sgt", sex="m"): 13,
    }
    cells = [("A", n()), ("A", n(sex="f")), ("A", n(sex="m"))] + [("B", x) for x in values]
    lines = dc.find_lines(cells, domains)
    sup = dc.protect(values, lines, 5)
    # the female total (3) is one number in both tables: withheld once, withheld everywhere
    assert sup[n(sex="f")] == "small_count"
    # male total must go with it (43 - 40 would give 3), and then a male grade cell, and so on
    assert n(sex="m") in sup
    for line in lines:
        assert sum(1 for c in line.cells if c in sup) != 1


def test_broad_group_is_the_sum_of_its_detailed_groups() -> None:
    # detailed: asian_indian 3, asian_other 6; broad: asian 9 -> 9 - 6 gives 3 back unless protected
    domains = {(U, "eth"): frozenset({"asian_indian", "asian_other", "wb"})}

    def n(*codes: str) -> dc.Node:
        return dc.node(U, {"eth": codes} if codes else {}, domains)

    values = {n(): 109, n("asian_indian"): 3, n("asian_other"): 6, n("wb"): 100, n("asian_indian", "asian_other"): 9}
    cells = [
        ("detailed", n()),
        ("detailed", n("asian_indian")),
        ("detailed", n("asian_other")),
        ("detailed", n("wb")),
        ("broad", n()),
        ("broad", n("asian_indian", "asian_other")),
        ("broad", n("wb")),
    ]
    lines = dc.find_lines(cells, domains)
    assert any(line.total == n("asian_indian", "asian_other") for line in lines)
    sup = dc.protect(values, lines, 5)
    assert n("asian_other") in sup or n("asian_indian", "asian_other") in sup


def test_a_zero_given_by_another_table_s_broad_group_is_still_withheld_beside_a_withheld_total() -> None:
    # leavers by reason and detailed ethnic group, and by reason and broad group: one White British
    # death in service. The Asian and Mixed deaths (0 each) follow from the broad table's shown 0
    # ethnic-minority deaths, but the audit, which sees no table's groups inside another's, read the
    # detailed table's zeros beside its withheld total as what the one who died had in common: a
    # body was refused publication. Withheld, not left shown
    domains = {(U, "reason"): frozenset({"death", "resigned"}), (U, "eth"): frozenset({"wb", "asian", "mixed"})}

    def n(reason: str | None = None, *eth: str) -> dc.Node:
        return dc.node(U, {**({"reason": [reason]} if reason else {}), **({"eth": eth} if eth else {})}, domains)

    detailed = {n(): 44, n("death"): 1, n("resigned"): 43, n(None, "wb"): 36, n(None, "asian"): 5,
                n(None, "mixed"): 3, n("death", "wb"): 1, n("death", "asian"): 0, n("death", "mixed"): 0,
                n("resigned", "wb"): 35, n("resigned", "asian"): 5, n("resigned", "mixed"): 3}
    broad = {n(): 44, n("death"): 1, n("resigned"): 43, n(None, "wb"): 36, n(None, "asian", "mixed"): 8,
             n("death", "wb"): 1, n("death", "asian", "mixed"): 0, n("resigned", "wb"): 35,
             n("resigned", "asian", "mixed"): 8}
    lines = dc.find_lines([("detailed", x) for x in detailed] + [("broad", x) for x in broad], domains)
    across = [ln for ln in lines if ln.total == n("death", "asian", "mixed")]
    assert across and not any(ln.within for ln in across)
    sup = dc.protect({**detailed, **broad}, lines, 5)
    assert n("death") in sup and n("death", "asian") in sup and n("death", "mixed") in sup


def test_counts_that_do_not_add_up_are_a_bug_not_a_table() -> None:
    nodes, vals = grid([[5, 6]])
    vals[nodes[("r0", "total")]] = 99
    lines = dc.find_lines([("t", x) for x in nodes.values()], DOMAINS)
    try:
        dc.protect(vals, lines, 5)
    except ValueError:
        return
    raise AssertionError("inconsistent totals accepted")


def test_pay_gap_group_sizes_below_threshold_are_withheld() -> None:
    empty = Cell(None, not_calculable="gate")
    gap = PayGap("g", "male", "female", "all", Cell(3), Cell(12), Cell(3), Cell(12), Cell(100.0), *([empty] * 6),
                 statutory=True)
    out = dc.protect_pay_gap(gap, 5)
    assert out.n_reference == out.n_relevant_reference == Cell(None, suppressed="small_count")


def test_beside_a_withheld_pay_gap_group_size_the_other_group_and_the_quarter_sizes_are_withheld() -> None:
    # the quarters add up to both groups (3 + 12 = 15): with 12 and the sizes shown, 3 is given back
    empty = Cell(None, not_calculable="gate")
    sizes = {"lower": 4, "lower_middle": 4, "upper_middle": 4, "upper": 3}
    gap = PayGap("g", "male", "female", "all", Cell(3), Cell(12), Cell(4), Cell(12), Cell(100.0), *([empty] * 6),
                 quartile_sizes=sizes, statutory=True)
    out = dc.protect_pay_gap(gap, 5)
    assert out.n_comparison == out.n_relevant_comparison == Cell(None, suppressed="secondary")
    assert out.n_relevant_reference == Cell(None, suppressed="small_count")
    assert out.quartile_sizes == {}
    assert dc.protect_pay_gap(replace(gap, n_reference=Cell(5), n_relevant_reference=Cell(5)), 5).quartile_sizes == sizes


# --------------------------------------------------------------------------- property
small_tables = st.integers(min_value=2, max_value=5).flatmap(
    lambda nr: st.integers(min_value=2, max_value=5).flatmap(
        lambda nc: st.lists(
            st.lists(st.one_of(st.integers(0, 6), st.integers(0, 40)), min_size=nc, max_size=nc),
            min_size=nr,
            max_size=nr,
        )
    )
)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(small_tables, st.lists(st.integers(0, 35), max_size=6))
def test_a_count_case_analysis_found_free_stays_free_when_more_is_withheld(values: list[list[int]],
                                                                            more: list[int]) -> None:
    # the ground for ``_probed`` not trying again, in later rounds, a count it found free: withholding
    # more cells only widens the bounds a reader can reach. Each withheld count is tried afresh
    # with more withheld: none that was free before is pinned now
    nodes, vals = grid(values)
    lines = dc.find_lines([("t", n) for n in nodes.values()], DOMAINS)
    cells = sorted(nodes.values(), key=dc._key)
    first = {n: "small_count" for n in cells if 0 < vals[n] < 5}
    loose: set[dc.Node] = set()
    dc._probed(vals, lines, first, 5, loose=loose)
    later = {**{cells[i % len(cells)]: "secondary" for i in more}, **first}
    assert loose.isdisjoint(dc._probed(vals, lines, later, 5))


@settings(derandomize=True, max_examples=100, deadline=None)
@given(small_tables)
def test_no_withheld_cell_recoverable_from_its_row_or_column_total(values: list[list[int]]) -> None:
    nodes, vals, sup = run(values)
    lines = _lines_of_grid(nodes)
    for n in nodes.values():
        v = vals[n]
        if 1 <= v <= 4:
            assert sup.get(n) == "small_count"
        if v == 0 and n in sup:  # a zero is withheld only as a part of a group whose number is withheld
            assert any(n in parts and total in sup for total, parts in lines)
    assert not recoverable_by_subtraction(nodes, vals, sup)
    assert not determined_cells(nodes, vals, sup)
    assert not zeros_beside_withheld_totals(lines, vals, sup)


# --------------------------------------------------------------------------- independent checkers
def _lines_of_grid(nodes: dict[tuple[str, str], dc.Node]) -> list[tuple[dc.Node, list[dc.Node]]]:
    rows = sorted({r for r, _ in nodes})
    cols = sorted({c for _, c in nodes})
    out = []
    for r in rows:
        out.append((nodes[(r, "total")], [nodes[(r, c)] for c in cols if c != "total"]))
    for c in cols:
        out.append((nodes[("total", c)], [nodes[(r, c)] for r in rows if r != "total"]))
    return out


def recoverable_by_subtraction(nodes: dict, vals: dict, sup: dict) -> list[dc.Node]:
    """Withheld cells a reader gets by subtracting the shown cells of one row or column from its total."""
    found = []
    for total, parts in _lines_of_grid(nodes):
        hidden = [x for x in [total, *parts] if x in sup]
        if len(hidden) == 1:
            found.append(hidden[0])
    return found


def zeros_beside_withheld_totals(lines: list[tuple[dc.Node, list[dc.Node]]], vals: dict, sup: dict) -> list[dc.Node]:
    """Zeros shown in a row or column whose total is withheld (what everyone in a small group has in
    common), other than those a shown empty row or column gives anyway."""
    empty = {p for total, parts in lines if vals[total] == 0 and total not in sup for p in parts}
    return [p for total, parts in lines if total in sup for p in parts
            if vals[p] == 0 and p not in sup and p not in empty]


def determined_cells(nodes: dict, vals: dict, sup: dict) -> list[dc.Node]:
    """Withheld cells fixed by all the row and column equations together (exact rational elimination)."""
    return _determined_by(_lines_of_grid(nodes), sup)


two_tables = st.tuples(
    st.lists(st.lists(st.integers(0, 12), min_size=3, max_size=3), min_size=2, max_size=4),
    st.lists(st.integers(0, 12), min_size=2, max_size=4),
)


@settings(derandomize=True, max_examples=60, deadline=None)
@given(two_tables)
def test_no_withheld_cell_recoverable_across_tables_sharing_a_grand_total(
    data: tuple[list[list[int]], list[int]],
) -> None:
    """Table A: r x c with margins. Table B: the same people by another characteristic d, sharing A's grand total.

    B's parts are drawn first; A is then rescaled so both tables count the same people.
    """
    a, b = data
    need = sum(b)
    have = sum(map(sum, a))
    # make the grand totals agree: put the difference into A's first cell, or into B's first part
    if have < need:
        a[0][0] += need - have
    else:
        b[0] += have - need
    domains = {
        (U, "r"): frozenset(f"r{i}" for i in range(len(a))),
        (U, "c"): frozenset({"c0", "c1", "c2"}),
        (U, "d"): frozenset(f"d{k}" for k in range(len(b))),
    }

    def n(**members: str) -> dc.Node:
        return dc.node(U, {k: [v] for k, v in members.items()}, domains)

    values: dict[dc.Node, int] = {n(): sum(b)}
    cells = [("A", n()), ("B", n())]
    lines_indep: list[tuple[dc.Node, list[dc.Node]]] = []
    for i, row in enumerate(a):
        values[n(r=f"r{i}")] = sum(row)
        cells.append(("A", n(r=f"r{i}")))
        for j, v in enumerate(row):
            values[n(r=f"r{i}", c=f"c{j}")] = v
            cells.append(("A", n(r=f"r{i}", c=f"c{j}")))
        lines_indep.append((n(r=f"r{i}"), [n(r=f"r{i}", c=f"c{j}") for j in range(3)]))
    for j in range(3):
        values[n(c=f"c{j}")] = sum(row[j] for row in a)
        cells.append(("A", n(c=f"c{j}")))
        lines_indep.append((n(c=f"c{j}"), [n(r=f"r{i}", c=f"c{j}") for i in range(len(a))]))
    lines_indep.append((n(), [n(r=f"r{i}") for i in range(len(a))]))
    lines_indep.append((n(), [n(c=f"c{j}") for j in range(3)]))
    for k, v in enumerate(b):
        values[n(d=f"d{k}")] = v
        cells.append(("B", n(d=f"d{k}")))
    lines_indep.append((n(), [n(d=f"d{k}") for k in range(len(b))]))

    sup = dc.protect(values, dc.find_lines(cells, domains), 5)
    for total, parts in lines_indep:
        assert sum(1 for x in [total, *parts] if x in sup) != 1
    assert not _determined_by(lines_indep, sup)


def _determined_by(lines: list[tuple[dc.Node, list[dc.Node]]], sup: dict) -> list[dc.Node]:
    unknown = list(dict.fromkeys(x for total, parts in lines for x in [total, *parts] if x in sup))
    idx = {x: i for i, x in enumerate(unknown)}
    m = []
    for total, parts in lines:
        r = [Fraction(0)] * len(unknown)
        for x, coef in [(total, -1)] + [(p, 1) for p in parts]:
            if x in idx:
                r[idx[x]] += coef
        if any(r):
            m.append(r)
    return [unknown[c] for c in _rref_determined(m, len(unknown))]


def _rref_determined(m: list[list[Fraction]], ncols: int) -> list[int]:
    rank, pivots = 0, []
    for col in range(ncols):
        piv = next((i for i in range(rank, len(m)) if m[i][col] != 0), None)
        if piv is None:
            continue
        m[rank], m[piv] = m[piv], m[rank]
        f = m[rank][col]
        m[rank] = [x / f for x in m[rank]]
        for i in range(len(m)):
            if i != rank and m[i][col] != 0:
                g = m[i][col]
                m[i] = [x - g * y for x, y in zip(m[i], m[rank])]
        pivots.append(col)
        rank += 1
    return [col for i, col in enumerate(pivots) if sum(1 for x in m[i] if x != 0) == 1]


def _voluntary(**over: object) -> PayGap:
    """An ethnicity pay gap as the engine makes it: 160 White British and 40 ethnic minority full-pay
    employees (200 and 50 relevant), in quarters of 50."""
    base = dict(
        id="ethnicity.minority", reference="white_british", comparison="ethnic_minority", population="all",
        n_reference=Cell(160), n_comparison=Cell(40), n_relevant_reference=Cell(200), n_relevant_comparison=Cell(50),
        disclosure_rate=Cell(95.0), mean_hourly_gap=Cell(4.0), median_hourly_gap=Cell(3.0),
        mean_bonus_gap=Cell(10.0), median_bonus_gap=Cell(8.0),
        bonus_pct_reference=Cell(15.0), bonus_pct_comparison=Cell(20.0),  # 30 and 10 recipients
        # minority people per quarter: 4, 5, 2.5 (a tie split across a boundary) and 0
        quartiles={"lower": (Cell(92.0), Cell(8.0)), "lower_middle": (Cell(90.0), Cell(10.0)),
                   "upper_middle": (Cell(95.0), Cell(5.0)), "upper": (Cell(100.0), Cell(0.0))},
        quartile_sizes={"lower": 50, "lower_middle": 50, "upper_middle": 50, "upper": 50},
    )
    return PayGap(**{**base, **over})  # type: ignore[arg-type]


def test_a_voluntary_comparison_publishes_its_measures_but_no_group_or_quarter_sizes() -> None:
    out = dc.protect_pay_gap(_voluntary(), 5, 10)
    withheld = Cell(None, suppressed="secondary")
    assert out.n_reference == out.n_comparison == out.n_relevant_reference == out.n_relevant_comparison == withheld
    assert out.quartile_sizes == {}
    assert (out.mean_hourly_gap, out.median_hourly_gap) == (Cell(4.0), Cell(3.0))


def test_a_voluntary_comparison_s_disclosure_rate_is_withheld_where_it_counts_people() -> None:
    # 250 of 263 relevant employees stated their ethnicity: 95.1% at one decimal place is 250 of 263
    # and of no other number near it, so it prints the 13 who did not, which no table does (with the
    # workforce's own not stated, the special constables' too). From 1,000 people on, 0.1% is a
    # person or more and the share no longer pins them
    assert dc.protect_pay_gap(_voluntary(disclosure_rate=Cell(95.06)), 5, 10).disclosure_rate == \
        Cell(None, suppressed="secondary")
    large = _voluntary(n_relevant_reference=Cell(800), n_relevant_comparison=Cell(200), disclosure_rate=Cell(95.06))
    assert dc.protect_pay_gap(large, 5, 10).disclosure_rate == Cell(95.06)
    assert [p for p in range(240, 290) if round(250 / p * 100, 1) == 95.1] == [263]


def test_a_voluntary_comparison_prints_no_pay_quartiles() -> None:
    # the quarters hold full-pay people only: with a group's size from the tables, the shares count
    # those on reduced pay for leave (one male member of police staff in the 2024 sample), and two
    # narrower rules were beaten by red teams. The statutory gap keeps its quarters (next test)
    out = dc.protect_pay_gap(_voluntary(), 5, 10)
    assert out.quartiles == {} and out.quartile_sizes == {}
    assert (out.mean_hourly_gap, out.median_hourly_gap) == (Cell(4.0), Cell(3.0))


def test_few_bonus_recipients_withhold_their_share_and_the_bonus_gaps_of_a_voluntary_comparison() -> None:
    # 1.5% of 200 = 3 White British recipients: their share is withheld (small count), and with fewer
    # than 10 recipients in a group the median bonus is a few people's bonuses: the gaps are withheld
    out = dc.protect_pay_gap(_voluntary(bonus_pct_reference=Cell(1.5)), 5, 10)
    assert out.bonus_pct_reference == Cell(None, suppressed="small_count")
    assert out.bonus_pct_comparison == Cell(20.0)
    assert out.mean_bonus_gap == out.median_bonus_gap == Cell(None, suppressed="few_recipients")
    # 7 recipients (3.5% of 200): the share is shown, the gaps still withheld; 10 or more: all shown
    out = dc.protect_pay_gap(_voluntary(bonus_pct_reference=Cell(3.5)), 5, 10)
    assert out.bonus_pct_reference == Cell(3.5) and out.mean_bonus_gap == Cell(None, suppressed="few_recipients")
    out = dc.protect_pay_gap(_voluntary(), 5, 10)
    assert (out.bonus_pct_reference, out.mean_bonus_gap, out.median_bonus_gap) == (Cell(15.0), Cell(10.0), Cell(8.0))


def test_the_statutory_gap_keeps_its_small_quarters_and_bonus_shares() -> None:
    # the law requires every statutory figure, however few people it describes
    out = dc.protect_pay_gap(_voluntary(id="gender", statutory=True, bonus_pct_reference=Cell(1.5)), 5, 10)
    assert out.quartiles == _voluntary().quartiles and out.bonus_pct_reference == Cell(1.5)
    assert out.mean_bonus_gap == Cell(10.0) and out.n_comparison == Cell(40)


def test_one_to_four_of_a_sex_not_on_full_pay_withhold_the_statutory_relevant_sizes() -> None:
    # 1,150 women relevant, 1,148 on full pay: "two women are on reduced pay" is a small count. The
    # quarter shares the law prints give the full-pay sizes anyway, so the relevant ones go
    empty = Cell(None, not_calculable="gate")
    sizes = {"lower": 665, "lower_middle": 665, "upper_middle": 664, "upper": 664}
    gap = PayGap("gender", "male", "female", "all", Cell(1510), Cell(1148), Cell(1530), Cell(1150), Cell(100.0),
                 *([empty] * 6), quartile_sizes=sizes, statutory=True)
    out = dc.protect_pay_gap(gap, 5)
    assert out.n_relevant_reference == out.n_relevant_comparison == Cell(None, suppressed="secondary")
    assert (out.n_reference, out.n_comparison, out.quartile_sizes) == (Cell(1510), Cell(1148), sizes)
    # 20 men and 5 women not on full pay: nothing to withhold
    ok = replace(gap, n_comparison=Cell(1145))
    assert dc.protect_pay_gap(ok, 5) == ok


def _bonus_gap(gid: str, women_relevant: int, women_pct: float, statutory: bool = False) -> PayGap:
    empty = Cell(None, not_calculable="gate")
    return PayGap(gid, "male", "female", gid, Cell(0), Cell(women_relevant), Cell(0), Cell(women_relevant),
                  Cell(None, not_calculable="not_applicable"), *([empty] * 4), Cell(0.0), Cell(women_pct),
                  statutory=statutory)


def test_a_withheld_bonus_share_is_not_given_back_by_the_comparisons_that_add_up_with_it() -> None:
    # women receiving bonus pay: 12 of 1,200 in all (statutory), 3 of 600 officers (a small count),
    # 9 of 450 staff, 0 of 150 PCSOs, 9 of 600 police staff (staff and PCSOs). With the officers'
    # share alone withheld, 12 - 9 - 0 gives it back; withholding the staff's then leaves police
    # staff (9) - PCSOs (0) to give the staff's back, and so on, until no equation fixes one
    raw = [_bonus_gap("gender", 1200, 1.0, statutory=True), _bonus_gap("gender.officer", 600, 0.5),
           _bonus_gap("gender.staff", 450, 2.0), _bonus_gap("gender.pcso", 150, 0.0),
           _bonus_gap("gender.police_staff", 600, 1.5)]
    small = replace(raw[1], bonus_pct_comparison=Cell(None, suppressed="small_count"))
    women = "bonus_pct_comparison"
    families = [(("gender", women), tuple((g, women) for g in ("gender.officer", "gender.staff", "gender.pcso"))),
                (("gender.police_staff", women), (("gender.staff", women), ("gender.pcso", women)))]
    out = dc.protect_bonus_shares([raw[0], small, *raw[2:]], {g.id: g for g in raw}, families)
    shares = {g.id: g.bonus_pct_comparison for g in out}
    assert shares["gender"] == Cell(1.0)  # published by law
    assert shares["gender.officer"] == Cell(None, suppressed="small_count")
    assert shares["gender.staff"] == shares["gender.pcso"] == shares["gender.police_staff"] == Cell(None, suppressed="secondary")
    assert [g.bonus_pct_reference for g in out] == [Cell(0.0)] * 5  # nothing withheld on the men's side


def test_a_bonus_gap_does_not_say_that_a_withheld_share_s_side_had_no_bonus() -> None:
    # as above, the PCSO women's share (0 of 150) is withheld so that 12 - 9 - 0 does not give the
    # officers' 3 back; their bonus gaps of 100% (the men had a bonus, no woman PCSO did) said the 0
    # again. Where no man had one, the gaps' blank "no one in the reference group received a bonus"
    # says so of the men's withheld share. The gaps are withheld beside either
    women = "bonus_pct_comparison"
    raw = [_bonus_gap("gender", 1200, 1.0, statutory=True), _bonus_gap("gender.officer", 600, 0.5),
           _bonus_gap("gender.staff", 450, 2.0),
           replace(_bonus_gap("gender.pcso", 150, 0.0), mean_bonus_gap=Cell(100.0), median_bonus_gap=Cell(100.0)),
           _bonus_gap("gender.police_staff", 600, 1.5)]
    small = replace(raw[1], bonus_pct_comparison=Cell(None, suppressed="small_count"))
    families = [(("gender", women), tuple((g, women) for g in ("gender.officer", "gender.staff", "gender.pcso"))),
                (("gender.police_staff", women), (("gender.staff", women), ("gender.pcso", women)))]
    out = {g.id: g for g in dc.protect_bonus_shares([raw[0], small, *raw[2:]], {g.id: g for g in raw}, families)}
    assert out["gender.pcso"].bonus_pct_comparison == Cell(None, suppressed="secondary")
    assert out["gender.pcso"].mean_bonus_gap == out["gender.pcso"].median_bonus_gap == Cell(None, suppressed="secondary")
    # the staff's 9 women were paid a bonus: their withheld share hides no 0, so their gaps stay as they were
    assert out["gender.staff"].mean_bonus_gap == Cell(None, not_calculable="gate")

    blank = Cell(None, not_calculable="no_reference_bonus")
    staff = replace(raw[2], n_relevant_reference=Cell(300), bonus_pct_reference=Cell(None, suppressed="secondary"),
                    mean_bonus_gap=blank, median_bonus_gap=blank)
    out = {g.id: g for g in dc.protect_bonus_shares([staff], {"gender.staff": replace(staff, bonus_pct_reference=Cell(0.0))},
                                                    [])}
    assert out["gender.staff"].mean_bonus_gap == out["gender.staff"].median_bonus_gap == Cell(None, suppressed="secondary")
    shown = replace(staff, bonus_pct_reference=Cell(0.0))
    assert dc.protect_bonus_shares([shown], {"gender.staff": shown}, [])[0].mean_bonus_gap == blank


def test_pay_gap_percentages_are_published_at_one_decimal_place_by_the_organisations_rule() -> None:
    # 265 of 561 is 47.2370766...%: to the last binary digit it names the quarter's size
    gap = _voluntary(mean_hourly_gap=Cell(12.25), median_hourly_gap=Cell(-12.25), disclosure_rate=Cell(100 * 265 / 561),
                     quartiles={"lower": (Cell(100 * 296 / 561), Cell(100 * 265 / 561))},
                     mean_bonus_gap=Cell(None, suppressed="few_recipients"))
    up = dc.at_published_precision(gap, "half_up")
    assert (up.mean_hourly_gap, up.median_hourly_gap, up.disclosure_rate) == (Cell(12.3), Cell(-12.3), Cell(47.2))
    assert up.quartiles["lower"] == (Cell(52.8), Cell(47.2))
    assert up.mean_bonus_gap == Cell(None, suppressed="few_recipients")
    even = dc.at_published_precision(gap, "half_even")
    assert (even.mean_hourly_gap, even.median_hourly_gap) == (Cell(12.2), Cell(-12.2))


def test_the_white_british_bonus_share_is_its_men_and_women_together() -> None:
    # White British: 8 of 492 received bonus pay (the reference of the ethnicity gap), 5 of 257 men and
    # 3 of 235 women (withheld): 8 - 5 gives the women back, so the men's share is withheld too
    empty = Cell(None, not_calculable="gate")
    eth = PayGap("ethnicity.minority", "white_british", "ethnic_minority", "all", Cell(0), Cell(0), Cell(492), Cell(40),
                 Cell(95.0), *([empty] * 4), Cell(100 * 8 / 492), Cell(0.0))
    wb = PayGap("gender.white_british", "male", "female", "white_british", Cell(0), Cell(0), Cell(257), Cell(235),
                Cell(None, not_calculable="not_applicable"), *([empty] * 4), Cell(100 * 5 / 257), Cell(100 * 3 / 235))
    withheld = replace(wb, bonus_pct_comparison=Cell(None, suppressed="small_count"))
    families = [(("ethnicity.minority", "bonus_pct_reference"),
                 (("gender.white_british", "bonus_pct_reference"), ("gender.white_british", "bonus_pct_comparison")))]
    out = dc.protect_bonus_shares([eth, withheld], {g.id: g for g in (eth, wb)}, families)
    assert out[1].bonus_pct_reference == Cell(None, suppressed="secondary")
    assert out[0].bonus_pct_reference == Cell(100 * 8 / 492)  # the smallest non-zero part went, not the whole


def test_a_count_inside_another_bounds_it_so_both_may_need_withholding() -> None:
    # approved training requests: 6 Hindu and Sikh together = 5 + 1 (Sikh withheld, Hindu then
    # withheld beside it); 5 Hindu employees completed it, and completing needs approval, so the
    # approved Hindu are at least 5: exactly 5, and the Sikh exactly 1, unless that 5 is withheld too
    approved = {r: dc.Node("training", frozenset({("religion", frozenset({r})), ("outcome", frozenset({"approved"}))}))
                for r in ("hindu", "sikh")}
    both = dc.Node("training", frozenset({("religion", frozenset({"hindu", "sikh"})), ("outcome", frozenset({"approved"}))}))
    completed = dc.Node("training", frozenset({("religion", frozenset({"hindu"})), ("outcome", frozenset({"approved"})),
                                               ("completed", frozenset({"true"}))}))
    values = {approved["hindu"]: 5, approved["sikh"]: 1, both: 6, completed: 5}
    lines = [dc.Line(both, (approved["hindu"], approved["sikh"]))]
    domains = {("training", "completed"): frozenset({"true", "false"}),
               ("training", "outcome"): frozenset({"approved", "refused"}),
               ("training", "religion"): frozenset({"hindu", "sikh", "none"})}
    nested = dc.find_nested(values, domains)
    assert (completed, approved["hindu"]) in nested and (approved["hindu"], both) in nested
    naive = dc.protect(values, lines, 5)  # without the nesting, 5 + 1 looks safe
    assert set(naive) == {approved["hindu"], approved["sikh"]}
    assert dc._pinned(values, lines, naive, 5, nested) == [approved["hindu"], approved["sikh"]]
    out = dc.protect(values, lines, 5, nested)
    assert out[approved["sikh"]] == "small_count" and (completed in out or both in out)
    assert dc._pinned(values, lines, out, 5, nested) == []


def test_case_analysis_pins_no_withheld_count(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    # a 600-person organisation (sample seed 11, year 2023): bounds propagation alone left its only
    # dismissal's total and cells withheld but pinned by trying each value (2 dismissals do not fit
    # the columns); disclosure control now tries them too and withholds until none is pinned. (Since
    # withholding follows the lines across tables, what propagation alone leaves pinned there is an
    # applications count, not the dismissal: some count, either way.)
    from pipeline.config import ReportingYear, load_organisation
    from pipeline.extracts import load_extracts
    from pipeline.measures import flows, groups, likelihood, profile
    from pipeline.measures.crosstab import assign_nodes, count_all, register_domains
    from pipeline.sample import main as make_sample

    make_sample(["--out", str(tmp_path), "--years", "2022", "2023", "2024", "--seed", "11", "--employees", "600"])
    org, _ = load_organisation(tmp_path / "organisation.toml")
    ex, _ = load_extracts(tmp_path, ReportingYear(2023), org)
    drafts = profile.drafts(ex) + flows.drafts(ex) + likelihood.drafts(ex)
    count_all(drafts)
    domains: dict = {}
    register_domains(drafts, domains, {**profile.domains(ex), **flows.domains()})
    assign_nodes(drafts, domains, groups.nesting(org))
    values, cells = {}, []
    for d in drafts:
        for keys, n in d.nodes.items():
            values.setdefault(n, d.counts[keys])
            cells.append((d.id, n))
    lines, nested = dc.find_lines(cells, domains), dc.find_nested(values, domains)
    protected = dc.protect(values, lines, 5, nested)
    assert dc._probed(values, lines, protected, 5, nested) == []
    monkeypatch.setattr(dc, "_probed", lambda *_a, **_k: [])
    propagated_only = dc.protect(values, lines, 5, nested)
    monkeypatch.undo()
    pinned = dc._probed(values, lines, propagated_only, 5, nested)
    assert {n.universe for n in pinned} & {"leavers", "applications"}


def test_a_withheld_count_held_between_two_equal_counts_has_one_of_them_withheld() -> None:
    # training of 130 people (sample seed 7, 2023): 5 civil partners asked, 5 completed, so the 5
    # approved (withheld beside a small count) were 5: no line through it loosens that, and the
    # audit refused publication. One of the two bounds is withheld instead
    def n(stage: str, status: str) -> dc.Node:
        return dc.Node("training", frozenset({("stage", frozenset({stage})), ("marital", frozenset({status}))}))

    cp, other, total = "civil_partnership", "single", "all"
    nodes = {(stage, s): n(stage, s) for stage in ("requested", "approved", "completed") for s in (cp, other, total)}
    values = {nodes[("requested", cp)]: 5, nodes[("requested", other)]: 6, nodes[("requested", total)]: 11,
              nodes[("approved", cp)]: 5, nodes[("approved", other)]: 2, nodes[("approved", total)]: 7,
              nodes[("completed", cp)]: 5, nodes[("completed", other)]: 0, nodes[("completed", total)]: 5}
    lines = [dc.Line(nodes[(stage, total)], (nodes[(stage, cp)], nodes[(stage, other)]))
             for stage in ("requested", "approved", "completed")]
    # a later stage's people are among the earlier's, status by status
    nested = [(nodes[(later, s)], nodes[(earlier, s)]) for earlier, later in (("requested", "approved"),
              ("approved", "completed")) for s in (cp, other, total)]
    out = dc.protect(values, lines, 5, nested)
    assert out[nodes[("approved", other)]] == "small_count" and nodes[("approved", cp)] in out
    assert nodes[("requested", cp)] in out or nodes[("completed", cp)] in out
    assert dc._pinned(values, lines, out, 5, nested) == [] and dc._probed(values, lines, out, 5, nested) == []


def test_a_small_group_outside_the_pay_band_table_costs_that_tables_total_not_the_workforces() -> None:
    # 60 people: 30 officers, 28 staff and 2 special constables (volunteers). The pay band table
    # counts the employees, 58: with the workforce's 60 beside it, 60 - 58 gives the 2 specials back.
    # The staff are withheld beside the 2, and the officers beside the staff (58 = officers + staff),
    # so the only cell left in the one line through the specials is the workforce total, which was
    # withheld: a 120-person sample body lost its headcount that way, and with it every profile
    # table's total. The pay band table's total, one step further (in the line through the officers
    # and staff), protects the specials as well
    domains = {(U, "group"): frozenset({"officer", "staff", "special"})}

    def n(*codes: str) -> dc.Node:
        return dc.node(U, {"group": codes} if codes else {}, domains)

    workforce, employees = n(), n("officer", "staff")
    values = {workforce: 60, employees: 58, n("officer"): 30, n("staff"): 28, n("special"): 2}
    cells = [("groups", c) for c in (workforce, n("officer"), n("staff"), n("special"))]
    cells += [("pay_band", employees)]
    lines = dc.find_lines(cells, domains)
    assert {ln.total for ln in lines} == {workforce, employees}
    out = dc.protect(values, lines, 5)
    assert out[n("special")] == "small_count"
    assert workforce not in out and out[employees] == "secondary"
    assert dc._determined(lines, out) == [] and dc._pinned(values, lines, out, 5) == []


GROUPS = ("officer", "pcso", "staff", "special")
EMPLOYED = ("officer", "pcso", "staff")  # special constables are volunteers


def _groups_by_sex(people: dict[tuple[str, str], int]) -> tuple[Callable[..., dc.Node], dict, list[dc.Line]]:
    """The workforce groups by sex with their margins (one table), and the employees by sex (the pay
    band table's totals): node maker, values and lines."""
    domains = {(U, "group"): frozenset(GROUPS), (U, "sex"): frozenset({"f", "m"})}

    def n(groups: tuple[str, ...] = (), sex: str = "") -> dc.Node:
        members = {"group": groups} if groups else {}
        return dc.node(U, {**members, **({"sex": [sex]} if sex else {})}, domains)

    values: dict[dc.Node, int] = {}
    cells: list[tuple[str, dc.Node]] = []
    for sex in ("", "f", "m"):
        for groups, table in [(GROUPS, "men_women.workforce_group"), *(((g,), "men_women.workforce_group")
                                                                       for g in GROUPS),
                              (EMPLOYED, "men_women.pay_band")]:
            node = n(groups if groups != GROUPS else (), sex)
            values[node] = sum(v for (g, s), v in people.items() if g in groups and sex in ("", s))
            cells.append((table, node))
    return n, values, dc.find_lines(cells, domains)


def test_women_and_each_groups_count_stay_shown_beside_two_women_special_constables() -> None:
    # 250 people (a synthetic body): 2 women special constables are withheld, and the men beside
    # them. The women add up two ways: across the four workforce groups (one table) and as the women
    # among employees (the pay band table's total for women) plus the women specials - a sum no one
    # table shows. Seen only by the exact algebra, it was met by withholding the specials' count,
    # then every group's and finally the women's and men's: 44 of 56 synthetic org-years of 60 to
    # 600 people published no count of women. Followed as a line, the women among employees are
    # withheld beside the specials instead, and the workforce groups keep their counts
    n, values, lines = _groups_by_sex({("officer", "f"): 45, ("officer", "m"): 97, ("pcso", "f"): 8,
                                       ("pcso", "m"): 9, ("special", "f"): 2, ("special", "m"): 6,
                                       ("staff", "f"): 55, ("staff", "m"): 28})
    women_two_ways = dc.Line(n(sex="f"), tuple(sorted((n(EMPLOYED, "f"), n(("special",), "f")), key=dc._key)))
    assert women_two_ways in lines
    out = dc.protect(values, lines, 5)
    assert out[n(("special",), "f")] == "small_count" and out[n(EMPLOYED, "f")] == "secondary"
    shown = [n(sex="f"), n(sex="m")] + [n((g,)) for g in GROUPS]
    assert [c for c in shown if c in out] == []
    assert dc._determined(lines, out) == [] and dc._pinned(values, lines, out, 5) == []
    assert not _determined_by([(ln.total, list(ln.parts)) for ln in lines], out)


def test_two_counts_pinned_together_are_shielded_one_at_a_time() -> None:
    # 4 women and 4 men special constables under a shown 8: each is 4, pinned by bounds. Both were
    # shielded in one round, the women by withholding the specials' 8, and the men, judged before
    # that, by withholding the number of men (then of women): once the 8 is withheld the men are no
    # longer pinned, so a count whose lines have just gained a withheld cell waits for the next look.
    # 56 synthetic org-years: the number of women shown in 50 (44 before), every profile table's
    # total in all 56 (55)
    n, values, lines = _groups_by_sex({("officer", "f"): 48, ("officer", "m"): 94, ("pcso", "f"): 10,
                                       ("pcso", "m"): 7, ("special", "f"): 4, ("special", "m"): 4,
                                       ("staff", "f"): 42, ("staff", "m"): 41})
    out = dc.protect(values, lines, 5)
    assert out[n(("special",), "f")] == out[n(("special",), "m")] == "small_count"
    assert n(sex="f") not in out and n(sex="m") not in out and n() not in out
    assert dc._determined(lines, out) == [] and dc._pinned(values, lines, out, 5) == []
    assert dc._probed(values, lines, out, 5) == []


def test_the_cell_withheld_beside_a_small_one_is_the_one_that_exposes_fewest_others() -> None:
    # a 2 with 10 and 11 in its column: the smallest, 10, is itself split into two 5s, each in a line
    # of its own, so withholding it would take one of them, then that one's partner, and so on. The
    # 11 takes only its row partner; the 2, the 10 beside it and the 11's row make the rectangle
    names = ["s", "r", "row0", "p", "q", "col0", "p2", "P", "q2", "Q", "col1", "T", "px", "py", "x2", "X", "y2", "Y"]
    c = {k: dc.node(U, {"cell": [k]}, {}) for k in names}
    v = {"s": 2, "r": 10, "p": 10, "q": 11, "p2": 20, "q2": 20, "px": 5, "py": 5, "x2": 30, "y2": 30}
    v |= {"row0": 12, "col0": 23, "P": 30, "Q": 31, "col1": 50, "T": 73, "X": 35, "Y": 35}
    shape = {"row0": ("s", "r"), "col0": ("s", "p", "q"), "P": ("p", "p2"), "Q": ("q", "q2"),
             "col1": ("r", "p2", "q2"), "T": ("row0", "P", "Q"), "p": ("px", "py"), "X": ("px", "x2"),
             "Y": ("py", "y2")}
    lines = [dc.Line(c[t], tuple(c[p] for p in parts)) for t, parts in shape.items()]
    lines.append(dc.Line(c["T"], (c["col0"], c["col1"])))
    values = {c[k]: x for k, x in v.items()}
    out = dc.protect(values, lines, 5)
    assert {k for k in names if c[k] in out} == {"s", "r", "q", "q2"}
    assert dc._determined(lines, out) == [] and dc._pinned(values, lines, out, 5) == []


def test_a_count_other_figures_give_away_is_never_the_one_withheld_beside_a_small_one() -> None:
    # 400 people, every employee on full pay: the statutory pay quartiles count the women on full
    # pay, so the women among employees are published whatever the tables do. Withheld beside the 4
    # women special constables, they let the workforce's women less them give the 4 back; the
    # number of women is withheld instead
    people = {("officer", "f"): 80, ("officer", "m"): 150, ("pcso", "f"): 12, ("pcso", "m"): 14,
              ("special", "f"): 4, ("special", "m"): 9, ("staff", "f"): 70, ("staff", "m"): 61}
    n, values, lines = _groups_by_sex(people)
    women_employed = n(EMPLOYED, "f")
    assert dc.protect(values, lines, 5)[women_employed] == "secondary"  # the choice without the law's figures
    out = dc.protect(values, lines, 5, published=[women_employed])
    assert out[n(("special",), "f")] == "small_count" and women_employed not in out
    assert out[n(sex="f")] == "secondary"
    assert dc._determined(lines, out) == [] and dc._pinned(values, lines, out, 5) == []


def test_counts_pinned_only_by_the_bounds_of_small_counts_do_not_end_the_checks(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    # a 400-person organisation (sample seed 2, 2024): bounds that know which withheld counts are
    # small pinned a recruitment count with every cell around it already withheld. A reader is not
    # told which are small, so that pin is given up on; protection used to stop there, before its
    # linear programming check (which a reader can run) had looked at all
    from pipeline.config import ReportingYear, load_organisation
    from pipeline.extracts import load_extracts
    from pipeline.measures import compute_figures
    from pipeline.sample import main as make_sample

    make_sample(["--out", str(tmp_path), "--years", "2023", "2024", "--seed", "2", "--employees", "400"])
    org, _ = load_organisation(tmp_path / "organisation.toml")
    ex, _ = load_extracts(tmp_path, ReportingYear(2024), org)
    looked = []
    programmed = dc._programmed
    monkeypatch.setattr(dc, "_programmed", lambda *a, **k: looked.append(1) or programmed(*a, **k))
    compute_figures(ex)
    assert looked


def test_people_with_a_case_are_withheld_with_the_cases_they_equal(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    # a 600-person organisation (sample seed 2, 2024): the likelihood of entering disciplinary prints
    # the people with a case of each group, and the disciplinary table withheld the cases of the same
    # group: 5 women, 5 women's cases (each had one). A reader would guess them equal, rightly.
    # People with a case are at most the cases, and the same number is withheld with them
    import json

    from pipeline.config import ReportingYear, load_organisation
    from pipeline.extracts import load_extracts
    from pipeline.measures import compute_figures, likelihood
    from pipeline.sample import main as make_sample

    make_sample(["--out", str(tmp_path), "--years", "2023", "2024", "--seed", "2", "--employees", "600"])
    org, _ = load_organisation(tmp_path / "organisation.toml")
    ex, _ = load_extracts(tmp_path, ReportingYear(2024), org)

    def shown_beside_withheld_cases() -> list[tuple[str, str]]:
        f = json.loads(compute_figures(ex).to_json())
        tables = {t["id"]: {tuple(r["keys"]): r["cells"]["count"] for r in t["rows"]} for t in f["tables"]}
        out = []
        for lk in f["likelihoods"]:
            if lk["id"].startswith("entering_disciplinary."):
                cases = tables[f"disciplinary.{lk['characteristic']}"]
                for grp, people in ((lk["numerator_group"], lk["outcome_x"]), (lk["denominator_group"], lk["outcome_y"])):
                    if people["value"] and cases[("total", grp)]["suppressed"]:
                        out.append((lk["id"], grp))
        return out

    assert shown_beside_withheld_cases() == []
    monkeypatch.setattr(likelihood, "people_among_events", lambda drafts: [])
    assert ("entering_disciplinary.ethnicity", "white_british") in shown_beside_withheld_cases()
    # (the women's, the case found first, are now withheld with the zeros beside withheld totals)
    monkeypatch.setattr(dc, "_zeros_beside", lambda *a: False)
    assert ("entering_disciplinary.sex", "female") in shown_beside_withheld_cases()


def test_a_small_count_other_figures_give_away_is_known_to_the_reader_beside_it() -> None:
    # 2 women on full pay, which the statutory quarters' shares give away (0.0, 0.0, 1.0 and 1.0 per
    # cent women of quarters near 100): the 2 women employees are those 2 and the women of no known
    # pay band, 0. Taken for a withheld small count like any other, the 2 left the 0 shown beside it
    # and the women employees pinned; known, the 0 is withheld with them
    d = {(U, "cell"): frozenset({"given", "employed", "unbanded", "specials", "women", "men", "all"})}
    c = {k: dc.node(U, {"cell": [k]}, d) for k in d[(U, "cell")]}
    values = {c["given"]: 2, c["unbanded"]: 0, c["employed"]: 2, c["specials"]: 0, c["women"]: 2, c["men"]: 300,
              c["all"]: 302}
    lines = [dc.Line(c["employed"], (c["given"], c["unbanded"])), dc.Line(c["women"], (c["employed"], c["specials"])),
             dc.Line(c["all"], (c["women"], c["men"]))]
    blind = dc.protect(values, lines, 5)
    assert c["given"] in blind and c["employed"] in blind
    # (the 0 beside the withheld 2 employees is withheld as a zero of a withheld total: "the women
    # employees are all on full pay")
    assert blind[c["unbanded"]] == "secondary"
    out = dc.protect(values, lines, 5, published=[c["given"]])
    assert c["given"] not in out and c["employed"] in out and c["unbanded"] in out
    assert dc._determined(lines, out) == []
