"""An independent disclosure audit: attack the published figures as an outsider would.

``pipeline.measures.disclosure`` decides what to withhold; this module checks the result from the
other side, working *only* from the published ``figures.json`` dict (it deliberately imports nothing
from ``pipeline.measures``), so that a bug in the suppression code is not repeated in its check.

The attacker's model (issue 7, item 4):

1. **Quantities.** A count cell is the number of members of a *population* with the given category
   on each dimension (keys ``"total"`` drop out). The same quantity in several tables of one
   population is one unknown: a value shown in one table is known in all (``visible_elsewhere``).
   ``count_previous`` is last year's population (``<population>@previous``).
2. **Additive equations.** Within a table, for each dimension that has a ``"total"`` key, the
   categories add up to the total, for every value of the other dimension (its total included).
   Cumulative stages (recruitment ``stage``, training ``status``) have no total and give none.
   A line whose cells are all shown and do not add up marks that table and dimension non-additive:
   its equations are dropped rather than trusted.
3. **Exact recovery** (``linear``): a withheld count is recovered when the linear system fixes it -
   ``e_j`` lies in the row space of the equations over the unknowns (the rank test, done by exact
   elimination modulo a large prime rather than floating-point SVD), which finds
   differencing chains that single-unknown elimination misses.
4. **Intervals** (``interval``): bounds propagation with non-negativity and ``small_count`` in
   ``[1, threshold - 1]``; a withheld count whose interval collapses to one value is recovered.
5. **Ratios** (``ratio``): a shown percentage or rate beside a withheld count gives the count back
   (with its denominator); a shown percentage beside a shown count reveals its denominator
   (``ratio_denominator``); a shown ``pct_stated`` reveals the number who stated a category, so a
   withheld not-stated count in that line is one more equation away (``stated_denominator``).

Steps 3-5 feed each other until nothing more is learnt. A withheld count recovered as 0 is not
reported: a zero withheld to shield the counts beside it describes nobody (those counts are attacked
in their own right), as ``disclosure._pinned`` also holds. A zero withheld as what a small group has
in common (step 12) is protected by disclosure control against the reader's plainest sum (a shown
total that its shown parts make up gives every withheld part as 0); recovering it by the longer
chains here is not checked, as the audit cannot tell it from a zero that a shown empty group gives
anyway through groups it does not model (a broad ethnic group over its detailed ones).

6. **Pay gap group sizes** (``paygap_sizes``, ``paygap_quarters``): a pay gap's quarter sizes add up
   to both groups' full-pay relevant employees, so a withheld group size is the quarters' total less
   the other group's shown size; and a quarter's size times a group's shown share of it counts that
   group in the quarter, and the quarters' counts add up to the group. A quarter of a voluntary
   comparison (any but the statutory gender pay gap) that so counts 1 to ``threshold - 1`` people
   is itself a small count published (``paygap_quarter_count``).

7. **Grades inside groups** (``settings.grades_by_workforce_group``, given when every grade belongs
   to one workforce group): a group's count is the sum of its grades' counts with everything else
   the same, an equation of step 3 wherever the population's tables give them all.

8. **Stages inside stages** (``nested``): in a cumulative table (a ``stages_cumulative`` or
   ``status_cumulative`` note: recruitment, training) each stage's people are among the stage
   before's, everything else the same, so its count is at most that one's. The intervals of step 4
   carry these inequalities too.

9. **All at once** (``linear_programme``, ``pipeline.lp``): the equations, intervals and nested
   pairs as one linear programme; a withheld count whose least and greatest values over its
   solutions leave one whole number is recovered. Sums of inequalities across lines pin what no
   one line narrows (training requests approved, between sums over the religions of the stages
   before and after them); run when steps 3-5 learn nothing more.

10. **Figures outside the tables** (``_outside_tables``): the data quality facts as counts of the
    tables' populations (the employees in post are the pay band table's total, and those with a pay
    row and those without; its "not known" band is those off full pay and those without a pay row),
    the statutory gender pay gap's full-pay men and women as the employees of each sex less those of
    no known band, the employees as the workforce of ``settings.employee_groups``, and the people
    with a disciplinary case (an approved training request) in the likelihoods as at most the
    cases. Disclosure control ties these by construction (``measures.data_quality``,
    ``published_by_law``, ``tie_gap_counts``); this checks it from the outside: with the quality
    ties switched off, it recovers 2 to 4 special constables.

11. **The statutory quarters' shares** (``_quarter_shares``): where the gap withholds its group
    sizes and the quarters' sizes, each full-pay total the other figures allow (by linear
    programming) splits into four quarters by GOV.UK's remainder rule, and a share printed to one
    decimal place fits only a short run of men in a quarter of fewer than about a thousand. Where
    every total allows one number of men (or of women), that number is known, as the law's: the
    gap's own withheld size is not reported, but the tables' counts it gives away are. Run once,
    when nothing else learns more. On the outputs of an earlier rule (c032808: 1 to 4 on reduced
    pay withheld the full-pay sizes instead of the relevant ones), it recovers withheld counts of
    the pay band and workforce tables in 9 of the 10 synthetic bodies of 400 and 600 people that
    withheld them; without it, the audit recovers none.

12. **What a small group has in common** (``_group_attributes``): a zero shown in a line whose
    total is withheld (women 0 beside a withheld number of deaths in service: the one who died was
    a man; the same zeros by ethnic group, disability and religion said the rest). Not a count
    recovered, but special-category data disclosed about people colleagues can name, reported as
    ``group_attribute`` unless a shown empty line of the same table gives the zero anyway.

Not modelled: a reader's case analysis (trying each value of a narrow withheld count, as
``disclosure._probed`` does). Disclosure control gives that reader the true answer to "is this
withheld count 0?", which the audit cannot know soundly: a zero withheld beside a small count would
pin wrong values. With only the bounds above, trying values found nothing that propagation had not
(the sample, a 600-person organisation with disclosure control's case analysis switched off, and a
random search of 60,000 small two-table puzzles). Nor are other hierarchies between different
dimensions (a broad ethnic group and its detailed groups), a voluntary pay gap's group sizes
against the tables' counts (it publishes none), bonus recipients across pay gap comparisons that
add up (``disclosure.protect_bonus_shares`` protects those), likelihood counts but the people with
a case (step 10), and differences between years beyond ``count_previous`` within one release (this year's count less last year's is the starters less the leavers, which the tables
do not publish; an attacker who knows the starters can difference the years).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.lp import Row


TOTAL = "total"
DEFAULT_THRESHOLD = 5
SMALL_COUNT = "small_count"
COUNT_MEASURES = {"count": "", "count_previous": "@previous"}
QUARTERS = ("lower", "lower_middle", "upper_middle", "upper")
INDEPENDENT_MEASURES = {"community_pct"}  # shown beside a count but not computed from it
CUMULATIVE_NOTES = {"stages_cumulative", "status_cumulative"}  # a later stage's people are among the earlier's
BY_LAW = "quarter_shares"  # a count the statutory quarters' shares give: the law's, not a recovery
_REL = 1e-9  # tolerance for percentages printed as full-precision floats

Quantity = tuple[str, frozenset[tuple[str, str]]]


@dataclass(frozen=True)
class Recovery:
    """A withheld count that a reader can work out from the published figures (or a shown zero that
    says what everyone in a withheld group has in common: ``group_attribute``)."""

    table: str
    keys: tuple[str, ...]
    measure: str
    how: str  # visible_elsewhere | linear | interval | ratio | ...
    value: int | None = None  # the recovered count, when it is pinned to one value
    low: float | None = None  # else the interval a reader can narrow it to
    high: float | None = None
    reason: str | None = None  # the suppression reason code of the cell

    def describe(self) -> str:
        """Table, keys and attack only - never the value (for logs and error messages)."""
        return f"{self.table} {'|'.join(self.keys)} {self.measure}: {self.how}"


@dataclass
class _Cell:
    table: str
    keys: tuple[str, ...]
    measure: str
    reason: str


@dataclass
class _Equation:
    terms: dict[Quantity, int]  # quantity -> coefficient (+1/-1)
    rhs: int = 0
    source: str = "additive"


@dataclass
class _Ratio:
    """``pct`` = 100 * numerator / denominator (denominator None: semantics unknown)."""

    table: str
    keys: tuple[str, ...]
    measure: str
    pct: float
    numerator: Quantity
    denominator: Quantity | None


def audit_figures(figures_json: Mapping[str, Any], threshold: int | None = None) -> list[Recovery]:
    """Every withheld count in ``figures_json`` that a reader can recover (empty when safe)."""
    return _Audit(figures_json, threshold).run()


def additive_inconsistencies(figures_json: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(table id, dimension) pairs whose fully shown lines do not add up (so no equation is made)."""
    return sorted(_Audit(figures_json, None).non_additive)


# --------------------------------------------------------------------------- helpers
def _shown(cell: Mapping[str, Any] | None) -> bool:
    return bool(cell) and not cell.get("suppressed") and not cell.get("not_calculable") and cell.get("value") is not None


def _quantity(population: str, dims: Iterable[str], keys: Iterable[str], suffix: str = "") -> Quantity:
    return population + suffix, frozenset((d, k) for d, k in zip(dims, keys, strict=True) if k != TOTAL)


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= _REL * max(1.0, abs(a), abs(b))


def _as_int(x: float) -> int | None:
    r = round(x)
    return int(r) if abs(x - r) <= 1e-6 * max(1.0, abs(x)) else None


_SHARE_SCAN = 20_000  # full-pay totals tried at most; over a range so wide no share pins anything


def _full_pay(sex: Any) -> Quantity:
    """The employees of ``sex`` on full pay (with a pay row): the statutory gap's group sizes."""
    return ("employees", frozenset({("pay_row", "yes"), ("full_pay", "yes"), ("sex", sex)}))


def _reference_share(pair: Any) -> Fraction | None:
    """The reference group's printed share of a quarter (100 less the comparison's when only that
    one is shown), exactly as printed; None when neither is shown."""
    if not pair:
        return None
    if _shown(pair[0]):
        return Fraction(str(pair[0]["value"]))
    if len(pair) > 1 and _shown(pair[1]):
        return 100 - Fraction(str(pair[1]["value"]))
    return None


def _prints_as(count: int, size: int, rule: str) -> Fraction:
    """``count`` of ``size`` as a percentage rounded to one decimal place, exactly (the law's rule)."""
    tenths = Fraction(1000 * count, size)
    whole = round(tenths) if rule == "half_even" else math.floor(tenths + Fraction(1, 2))
    return Fraction(whole, 10)


def _fitting(full: int, shares: list[Fraction | None], rule: str) -> tuple[int, int]:
    """The least and the greatest number of reference people on full pay whose quarters print the
    ``shares``, given ``full`` people on full pay (least greater than greatest: none fits).

    GOV.UK's quarters: one left over goes to the lower quarter, two to the lower and upper middle,
    three to the lower, lower middle and upper middle. In a quarter of ``size`` the counts that print
    as one share are a run around share x size / 100, no wider than size / 1000 + 1."""
    q, r = divmod(full, 4)
    low = high = 0
    for size, share in zip((q + (r >= 1), q + (r >= 3), q + (r >= 2), q), shares, strict=True):
        if size == 0 or share is None:
            high += size
            continue
        centre = math.floor(share * size / 100)
        window = range(max(0, centre - size // 1000 - 2), min(size, centre + size // 1000 + 3) + 1)
        fits = [k for k in window if _prints_as(k, size, rule) == share]
        if not fits:
            return 1, 0
        low, high = low + fits[0], high + fits[-1]
    return low, high


class _Audit:
    def __init__(self, fig: Mapping[str, Any], threshold: int | None):
        settings = fig.get("settings") or {}
        self.threshold = int(threshold or settings.get("suppression_threshold") or DEFAULT_THRESHOLD)
        self.tables = [t for t in fig.get("tables") or [] if t.get("rows")]
        self.pay_gaps = list(fig.get("pay_gaps") or [])
        self.likelihoods = list(fig.get("likelihoods") or [])
        self.settings = settings
        self._shares_read = False
        self.known: dict[Quantity, int] = {}
        self.hidden: dict[Quantity, list[_Cell]] = defaultdict(list)
        self.conflicts: list[Quantity] = []
        self._collect_cells()
        self.non_additive: set[tuple[str, str]] = set()
        self.equations = self._additive_equations() + self._nested_equations(settings.get("grades_by_workforce_group") or {})
        self.stated: list[tuple[str, str, _Equation]] = []
        self.untrusted: set[tuple[str, str]] = set()
        self.ratios = self._ratios()
        self.equations += [e for tid, m, e in self.stated if (tid, m) not in self.untrusted]
        self.nested = self._nested_pairs()
        outside, pairs = self._outside_tables(fig, settings.get("employee_groups"))
        self.equations += outside
        self.nested += pairs

    # ------------------------------------------------------------------ reading the tables
    def _collect_cells(self) -> None:
        for t in self.tables:
            dims = t["dims"]
            for r in t["rows"]:
                for m, suffix in COUNT_MEASURES.items():
                    self._record(_quantity(t["population"], dims, r["keys"], suffix), r["cells"].get(m),
                                 _Cell(t["id"], tuple(r["keys"]), m, ""))

    def _record(self, q: Quantity, cell: Mapping[str, Any] | None, where: _Cell) -> bool:
        """Note a published count of quantity ``q``: hidden (at ``where``, with its reason) or known
        (a second, different value is a conflict). False when there is no count to note."""
        if not cell or cell.get("not_calculable"):
            return False
        if cell.get("suppressed"):
            self.hidden[q].append(replace(where, reason=cell["suppressed"]))
        elif cell.get("value") is not None:
            v = int(cell["value"])
            if q in self.known and self.known[q] != v:
                self.conflicts.append(q)
            self.known.setdefault(q, v)
        return True

    def _lines(self, t: Mapping[str, Any], d: int) -> Iterable[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """(total row, category rows) for each line of table ``t`` along dimension ``d``."""
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for r in t["rows"]:
            groups[tuple(k for i, k in enumerate(r["keys"]) if i != d)].append(r)
        for rows in groups.values():
            totals = [r for r in rows if r["keys"][d] == TOTAL]
            parts = [r for r in rows if r["keys"][d] != TOTAL]
            if len(totals) == 1 and parts:
                yield totals[0], parts

    def _additive_equations(self) -> list[_Equation]:
        eqs: list[_Equation] = []
        for t in self.tables:
            dims = t["dims"]
            for d, dim in enumerate(dims):
                if not any(r["keys"][d] == TOTAL for r in t["rows"]):
                    continue  # cumulative stages: no total, no equation
                found: list[_Equation] = []
                additive = True
                for m, suffix in COUNT_MEASURES.items():
                    for total, parts in self._lines(t, d):
                        if m not in total["cells"] or any(m not in p["cells"] for p in parts):
                            continue
                        cells = [total["cells"][m], *(p["cells"][m] for p in parts)]
                        if any(c.get("not_calculable") for c in cells):
                            continue
                        if all(_shown(c) for c in cells):
                            if sum(int(p["cells"][m]["value"]) for p in parts) != int(total["cells"][m]["value"]):
                                additive = False
                            continue  # nothing unknown in it
                        terms: dict[Quantity, int] = defaultdict(int)
                        terms[_quantity(t["population"], dims, total["keys"], suffix)] -= 1
                        for p in parts:
                            terms[_quantity(t["population"], dims, p["keys"], suffix)] += 1
                        found.append(_Equation({q: c for q, c in terms.items() if c}, 0, f"{t['id']}/{dim}"))
                if additive:
                    eqs += found
                else:
                    self.non_additive.add((t["id"], dim))
        return eqs

    def _nested_equations(self, grades_by_group: Mapping[str, Iterable[str]]) -> list[_Equation]:
        """Step 7: a workforce group is the sum of its grades (``settings.grades_by_workforce_group``):
        a count of a group equals the counts of its grades with everything else the same, wherever
        the tables of the population give them all."""
        seen = set(self.known) | set(self.hidden)
        eqs = []
        for q in sorted(seen, key=repr):
            population, pairs = q
            group = next((k for d, k in pairs if d == "workforce_group"), None)
            if group is None or group not in grades_by_group or any(d == "grade" for d, _ in pairs):
                continue
            rest = pairs - {("workforce_group", group)}
            parts = [(population, rest | {("grade", g)}) for g in grades_by_group[group]]
            if parts and all(p in seen for p in parts):
                terms = {q: -1, **{p: 1 for p in parts}}
                eqs.append(_Equation(terms, 0, f"grades_of/{group}"))
        return eqs

    def _nested_pairs(self) -> list[tuple[Quantity, Quantity]]:
        """Step 8: (inner, outer) counts of a cumulative table, the inner one a stage's and the
        outer one the stage before's with everything else the same (the stages in the order of the
        rows; the cumulative dimension is the one without a total)."""
        seen = set(self.known) | set(self.hidden)
        pairs = []
        for t in self.tables:
            if not CUMULATIVE_NOTES & set(t.get("note_codes") or ()):
                continue
            dims, pop = t["dims"], t["population"]
            for d in range(len(dims)):
                if any(r["keys"][d] == TOTAL for r in t["rows"]):
                    continue
                stages = list(dict.fromkeys(r["keys"][d] for r in t["rows"]))
                for r in t["rows"]:
                    i = stages.index(r["keys"][d])
                    if i == 0:
                        continue
                    before = [*r["keys"][:d], stages[i - 1], *r["keys"][d + 1:]]
                    inner, outer = _quantity(pop, dims, r["keys"]), _quantity(pop, dims, before)
                    if inner in seen and outer in seen:
                        pairs.append((inner, outer))
        return pairs

    def _ratios(self) -> list[_Ratio]:
        """Every shown derived figure, with the counts it was computed from where the name says."""
        out: list[_Ratio] = []
        for t in self.tables:
            dims, pop = t["dims"], t["population"]
            first_keys = list(dict.fromkeys(r["keys"][0] for r in t["rows"] if r["keys"][0] != TOTAL))
            checks: dict[str, list[bool]] = defaultdict(list)
            candidates: list[_Ratio] = []
            for r in t["rows"]:
                keys = tuple(r["keys"])
                for m, cell in r["cells"].items():
                    if m in COUNT_MEASURES or m in INDEPENDENT_MEASURES or not _shown(cell):
                        continue
                    suffix = "@previous" if m.endswith("_previous") else ""
                    base = m.removesuffix("_previous")
                    num = _quantity(pop, dims, keys, suffix)
                    den_keys: tuple[str, ...] | None = None
                    if base == "pct_all":
                        den_keys = (*keys[:-1], TOTAL)
                    elif base == "pct_of_column" and len(dims) == 2:
                        den_keys = (TOTAL, *keys[1:])
                    elif base in ("pct_of_first_stage", "pct_of_previous_stage") and len(dims) == 2 \
                            and keys[0] in first_keys:
                        i = first_keys.index(keys[0])
                        j = 0 if base == "pct_of_first_stage" else i - 1
                        if j >= 0 and j != i:
                            den_keys = (first_keys[j], *keys[1:])
                    elif base == "pct_stated":
                        self._stated(t, r, m, float(cell["value"]), suffix)
                    den = _quantity(pop, dims, den_keys, suffix) if den_keys else None
                    if den == num:
                        continue  # 100 % of itself says nothing
                    ratio = _Ratio(t["id"], keys, m, float(cell["value"]), num, den)
                    if base == "change_points":  # pct_stated - pct_stated_previous: rests on both years
                        candidates.append(ratio)
                        ratio = _Ratio(t["id"], keys, m, float(cell["value"]),
                                       _quantity(pop, dims, keys, "@previous"), None)
                    candidates.append(ratio)
                    if den is not None and num in self.known and den in self.known and self.known[den]:
                        checks[m].append(_close(100.0 * self.known[num] / self.known[den], ratio.pct))
            # a name whose arithmetic the shown figures contradict is not trusted for denominators
            for c in candidates:
                if c.denominator is not None and not all(checks.get(c.measure, [True])):
                    c.denominator = None
                out.append(c)
        return out

    def _stated(self, t: Mapping[str, Any], row: Mapping[str, Any], m: str, pct: float, suffix: str) -> None:
        """A shown pct_stated beside a shown count reveals how many stated a category in its line."""
        count = row["cells"].get("count" + ("_previous" if suffix else ""))
        if not _shown(count) or not count["value"] or not pct:
            return
        stated_total = _as_int(100.0 * count["value"] / pct)
        d = len(t["dims"]) - 1
        if stated_total is None or row["keys"][d] == TOTAL:
            return
        others = tuple(k for i, k in enumerate(row["keys"]) if i != d)
        for _total, parts in self._lines(t, d):
            if tuple(k for i, k in enumerate(parts[0]["keys"]) if i != d) != others:
                continue
            stated = [p for p in parts if not (p["cells"].get(m) or {}).get("not_calculable")]
            if len(stated) == len(parts):
                return  # no not-stated category in this line: nothing new
            terms = {_quantity(t["population"], t["dims"], p["keys"], suffix): 1 for p in stated}
            if all(q in self.known for q in terms):
                if sum(self.known[q] for q in terms) != stated_total:
                    self.untrusted.add((t["id"], m))  # the name's arithmetic is not what we assume
                return
            self.stated.append((t["id"], m, _Equation(terms, stated_total, f"{t['id']}/stated_denominator")))

    # ------------------------------------------------------------------ figures outside the tables
    def _outside_tables(self, fig: Mapping[str, Any], employee_groups: Iterable[str] | None
                        ) -> tuple[list[_Equation], list[tuple[Quantity, Quantity]]]:
        """Step 10: the data quality facts, the statutory gender pay gap's group sizes and the
        employee groups, as quantities of the tables' populations.

        - ``workforce_in_post`` and ``employees_in_post`` are the two populations' totals; the
          employees are those with a pay row and those without one; the pay band table's "not known"
          band is those not on full pay and those without a pay row.
        - The statutory gap's full-pay men (``n_reference``) are the men employees less the men of
          no known pay band; its relevant men (``n_relevant_reference``, those with a pay row) lie
          between the two; its quarters' sizes add up to the full-pay men and women (women alike).
        - ``settings.employee_groups``: the employees are the workforce's employee groups (the
          special constables volunteer), everything else the same.
        - A likelihood's people with a disciplinary case (an approved training request) of a group
          are at most the group's cases (approved requests).

        A relation whose counts are all shown and do not hold is dropped with every other of its
        kind, as a table's lines are (``non_additive``): the audit claims nothing from a model the
        figures contradict."""
        employees, workforce = "employees", "workforce"

        def q(population: str, **pairs: str) -> Quantity:
            return (population, frozenset(pairs.items()))

        def put(quantity: Quantity, cell: Mapping[str, Any] | None, where: str, measure: str) -> bool:
            return self._record(quantity, cell, _Cell(where, (), measure, ""))

        quality = fig.get("quality") or {}
        facts = {"workforce_in_post": q(workforce), "employees_in_post": q(employees),
                 "employees_in_post_with_pay_row": q(employees, pay_row="yes"),
                 "employees_in_post_without_pay_row": q(employees, pay_row="no"),
                 "pay_rows_not_full_pay": q(employees, pay_row="yes", full_pay="no")}
        given = {name for name, quantity in facts.items() if put(quantity, quality.get(name), "quality", name)}
        eqs: list[_Equation] = []
        pairs: list[tuple[Quantity, Quantity]] = []

        def equation(total: Quantity, parts: Iterable[Quantity], source: str) -> None:
            terms: dict[Quantity, int] = defaultdict(int)
            terms[total] -= 1
            for part in parts:
                terms[part] += 1
            eqs.append(_Equation({k: v for k, v in terms.items() if v}, 0, source))

        if {"employees_in_post_with_pay_row", "employees_in_post_without_pay_row"} <= given:
            equation(q(employees), (facts["employees_in_post_with_pay_row"], facts["employees_in_post_without_pay_row"]),
                     "quality/pay_row")
        if {"pay_rows_not_full_pay", "employees_in_post_without_pay_row"} <= given:
            equation(q(employees, pay_band="not_known"),
                     (facts["pay_rows_not_full_pay"], facts["employees_in_post_without_pay_row"]), "quality/unbanded")
        for g in self.pay_gaps:
            if not (g.get("statutory") and g.get("id") == "gender"):
                continue
            full = []
            for side in ("reference", "comparison"):
                sex = g.get(side)
                paid = _full_pay(sex)
                relevant = q(employees, pay_row="yes", sex=sex)
                where = f"pay_gap:{g['id']}"
                if put(paid, g.get(f"n_{side}"), where, f"n_{side}"):
                    full.append(paid)
                    equation(q(employees, sex=sex), (paid, q(employees, pay_band="not_known", sex=sex)), "paygap/full_pay")
                if put(relevant, g.get(f"n_relevant_{side}"), where, f"n_relevant_{side}"):
                    pairs += [(relevant, q(employees, sex=sex))] + ([(paid, relevant)] if paid in full else [])
            sizes = g.get("quartile_sizes") or {}
            if len(full) == 2 and sizes:
                eqs.append(_Equation({full[0]: 1, full[1]: 1}, sum(int(v) for v in sizes.values()), "paygap/quarters"))
        # the people with a case (an approved training request) of a group are at most its cases
        # (approved requests); equal only where each has one, which the audit cannot know
        among = {"entering_disciplinary": ("disciplinary_people", "disciplinary_cases", ()),
                 "accessing_training": ("training_people", "training_requests", (("status", "approved"),))}
        for lk in self.likelihoods:
            outcome = str(lk.get("id", "")).split(".")[0]
            if outcome not in among:
                continue
            people, events, stage = among[outcome]
            dim = lk.get("characteristic")
            for group, cell in ((lk.get("numerator_group"), lk.get("outcome_x")),
                                (lk.get("denominator_group"), lk.get("outcome_y"))):
                inner = (people, frozenset({(dim, group)}))
                if put(inner, cell, f"likelihood:{lk['id']}", str(group)):
                    pairs.append((inner, (events, frozenset({(dim, group), *stage}))))
        seen = set(self.known) | set(self.hidden)
        for total in sorted(seen, key=repr):
            population, keys = total
            if population != employees or not employee_groups or any(d in ("pay_row", "full_pay") for d, _ in keys):
                continue
            parts = [(workforce, keys | {("workforce_group", group)}) for group in employee_groups]
            if all(p in seen for p in parts):
                equation(total, parts, "employee_groups")
        broken = {e.source for e in eqs
                  if all(t in self.known for t in e.terms)
                  and sum(c * self.known[t] for t, c in e.terms.items()) != e.rhs}
        self.non_additive |= {("figures", source) for source in broken}
        return [e for e in eqs if e.source not in broken], pairs

    # ------------------------------------------------------------------ the attacks
    def run(self) -> list[Recovery]:
        found: dict[Quantity, tuple[str, int | None, float | None, float | None]] = {}
        for q in self.hidden:
            if q in self.known:
                found[q] = ("visible_elsewhere", self.known[q], None, None)
        lo: dict[Quantity, float] = {}
        hi: dict[Quantity, float] = {}
        for q, cells in self.hidden.items():
            small = any(c.reason == SMALL_COUNT for c in cells)
            lo[q] = 1 if small else 0
            hi[q] = self.threshold - 1 if small else math.inf
        for _ in range(50):
            new = self._linear()
            new += self._intervals(lo, hi)
            new += self._denominators()
            if not new:
                new = self._programmed(lo, hi)
            if not new:
                new = self._quarter_shares(lo, hi)
            for q, how, v in new:
                if q in self.known:
                    continue
                self.known[q] = v
                if q in self.hidden and how != BY_LAW:
                    found.setdefault(q, (how, v, None, None))
            if not new:
                break
        for q, (how, v, a, b) in self._numerators(lo, hi).items():
            found.setdefault(q, (how, v, a, b))
        out = []
        for q, (how, v, a, b) in found.items():
            if v == 0:
                continue  # a withheld zero: see the module's note on steps 3-5
            for c in self.hidden[q]:
                out.append(Recovery(c.table, c.keys, c.measure, how, v, a, b, c.reason))
        out += self._pay_gap_sizes()
        out += self._group_attributes()
        return sorted(out, key=lambda r: (r.table, r.keys, r.measure))

    def _group_attributes(self) -> list[Recovery]:
        """Step 12: a zero shown in a line whose total is withheld says what everyone in a group too
        few to count has in common (women 0 beside a withheld death in service: the one who died was a
        man). Not a recovered count but a disclosure all the same, reported as ``group_attribute``;
        a zero that a shown empty line of the same table gives anyway (nobody at all of that category)
        is not one."""
        out = []
        for t in self.tables:
            dims = t["dims"]
            for m in COUNT_MEASURES:
                empty: set[tuple[str, ...]] = set()
                withheld: list[dict[str, Any]] = []  # the parts of lines whose total is withheld
                for d in range(len(dims)):
                    for total, parts in self._lines(t, d):
                        cell = total["cells"].get(m)
                        if not cell or cell.get("not_calculable"):
                            continue
                        if _shown(cell) and int(cell["value"]) == 0:
                            empty.update(tuple(p["keys"]) for p in parts)
                        elif cell.get("suppressed"):
                            withheld += parts
                for p in withheld:
                    cell = p["cells"].get(m)
                    if cell and _shown(cell) and int(cell["value"]) == 0 and tuple(p["keys"]) not in empty:
                        out.append(Recovery(t["id"], tuple(p["keys"]), m, "group_attribute", 0))
        return list({(r.table, r.keys, r.measure): r for r in out}.values())

    def _pay_gap_sizes(self) -> list[Recovery]:
        """Step 6: a withheld full-pay group size of a pay gap, from its quarters."""
        out = []
        for g in self.pay_gaps:
            sizes = {q: int(v) for q, v in (g.get("quartile_sizes") or {}).items()}
            if not sizes:
                continue
            quarters = g.get("quartiles") or {}
            if not g.get("statutory"):  # the law publishes the statutory quarters however few they hold
                for q, size in sizes.items():
                    for cell in (quarters.get(q) or []):
                        k = cell["value"] * size / 100 if _shown(cell) else 0
                        if 0 < k < self.threshold - 1e-6:
                            out.append(Recovery(f"pay_gap:{g.get('id')}", (q,), "quartile", "paygap_quarter_count",
                                                _as_int(k), k, k))
            for side, (name, other) in enumerate((("n_reference", "n_comparison"), ("n_comparison", "n_reference"))):
                cell = g.get(name) or {}
                if _shown(cell) or not cell.get("suppressed"):
                    continue
                found = Recovery(f"pay_gap:{g.get('id')}", (), name, "", reason=cell["suppressed"])
                if _shown(g.get(other)):
                    out.append(replace(found, how="paygap_sizes", value=sum(sizes.values()) - int(g[other]["value"])))
                    continue
                shares = [(quarters.get(q) or [None, None])[side] for q in sizes]
                if all(_shown(c) for c in shares):
                    total = sum(c["value"] * sizes[q] / 100 for q, c in zip(sizes, shares, strict=True))
                    out.append(replace(found, how="paygap_quarters", value=_as_int(total), low=total, high=total))
        return out

    def _reduced(self) -> list[tuple[dict[Quantity, int], int, str]]:
        """Equations with the known counts moved to the right-hand side."""
        out = []
        for e in self.equations:
            rhs = e.rhs
            terms: dict[Quantity, int] = {}
            for q, c in e.terms.items():
                if q in self.known:
                    rhs -= c * self.known[q]
                else:
                    terms[q] = c
            if terms:
                out.append((terms, rhs, e.source))
        return out

    def _linear(self) -> list[tuple[Quantity, str, int]]:
        eqs = self._reduced()
        # connected components of unknowns, so each null-space test is small
        parent: dict[Quantity, Quantity] = {}

        def find(x: Quantity) -> Quantity:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for terms, _, _ in eqs:
            qs = list(terms)
            for q in qs[1:]:
                parent[find(q)] = find(qs[0])
            find(qs[0])
        groups: dict[Quantity, list[int]] = defaultdict(list)
        for i, (terms, _, _) in enumerate(eqs):
            groups[find(next(iter(terms)))].append(i)
        new: list[tuple[Quantity, str, int]] = []
        for rows in groups.values():
            unknowns = sorted({q for i in rows for q in eqs[i][0]}, key=repr)
            col = {q: j for j, q in enumerate(unknowns)}
            for j, v in _determined([({col[q]: c for q, c in eqs[i][0].items()}, eqs[i][1]) for i in rows]):
                new.append((unknowns[j], "linear", v))
        return new

    def _intervals(self, lo: dict[Quantity, float], hi: dict[Quantity, float]) -> list[tuple[Quantity, str, int]]:
        """Step 4 (with step 8's inequalities): narrow every unknown's interval; those left with one
        value are recovered."""
        eqs = [(terms, rhs) for terms, rhs, _ in self._reduced()]
        for terms, _ in eqs:
            for q in terms:
                lo.setdefault(q, 0)
                hi.setdefault(q, math.inf)
        pairs = [(a, b) for a, b in self.nested if a not in self.known or b not in self.known]
        for q in {q for pair in pairs for q in pair if q not in self.known}:
            lo.setdefault(q, 0)
            hi.setdefault(q, math.inf)
        if not _Box(eqs, pairs, lo, hi, self.known).narrow():
            return []  # the figures contradict the model: it claims nothing from them
        return [(q, "interval", int(lo[q])) for q in lo
                if q not in self.known and lo[q] == hi[q] and q in self.hidden]

    def _programmed(self, lo: Mapping[Quantity, float], hi: Mapping[Quantity, float]) -> list[tuple[Quantity, str, int]]:
        """Step 9: the whole system at once (``pipeline.lp``): a withheld count whose range over
        every solution of the equations, the nested pairs and the intervals holds one whole number.
        Run when steps 3-5 learn nothing more: it finds what they find, at more cost.

        A withheld count is taken to be at least 0 only, as in step 4: the report says a zero is
        withheld where a count beside it needs it (a sixth of the sample's withheld counts are).
        A reader who took every withheld count to be at least 1 would pin some 1s, and be wrong
        about others: guesses, not recoveries."""
        from pipeline.lp import pinned

        unknown, lower, upper, rows = self._system(lo, hi)
        at = {q: j for j, q in enumerate(unknown)}
        found = pinned(lower, upper, rows, [at[q] for q in unknown if q in self.hidden])
        return [(unknown[j], "linear_programme", v) for j, v in sorted((found or {}).items())]

    def _quarter_shares(self, lo: Mapping[Quantity, float], hi: Mapping[Quantity, float]
                        ) -> list[tuple[Quantity, str, int]]:
        """Step 11: the statutory gender pay gap's men and women on full pay, from its quarters'
        shares when the quarters' sizes are not printed.

        The quarters split the full-pay total into four near-equal sizes (GOV.UK's remainder rule),
        and a share printed to one decimal place fits only some whole numbers of men in a quarter of
        a given size: in one of fewer than about a thousand, one number or two. So each full-pay
        total the other figures allow (its least and greatest by linear programming) allows a short
        run of men on full pay, and often every total allows the same: a 400-person body with 4
        men on full pay prints 0.0, 0.0, 1.1 and 3.2 per cent men, and of the totals from 370 to
        420 only 380 and 381 fit, each with 4 men. A count so pinned is the law's to publish, not a recovery (the
        gap's own group size may be withheld beside it); but it is known, and the tables' counts it
        gives away are recoveries (the men employees less those on full pay are the men of no
        known pay band). Run once, when nothing else learns more."""
        if self._shares_read:
            return []
        self._shares_read = True
        from pipeline.lp import extents

        rule = self.settings.get("rounding") or "half_up"
        out: list[tuple[Quantity, str, int]] = []
        for g in self.pay_gaps:
            if not (g.get("statutory") and g.get("id") == "gender") or g.get("quartile_sizes"):
                continue
            shares = [_reference_share((g.get("quartiles") or {}).get(q)) for q in QUARTERS]
            paid = [_full_pay(g.get(side)) for side in ("reference", "comparison")]
            if all(x in self.known for x in paid) or all(x is None for x in shares):
                continue
            unknown, lower, upper, rows = self._system(lo, hi)
            at = {q: j for j, q in enumerate(unknown)}
            if any(x not in self.known and x not in at for x in paid):
                continue  # not in the model at all: no bound
            # the least and greatest men, women and both on full pay, the known ones moved out
            costs = [{x: 1} for x in paid] + [{paid[0]: 1, paid[1]: 1}]
            spans = extents(lower, upper, rows, [{at[x]: c for x, c in cost.items() if x in at} for cost in costs])
            if spans is None:
                continue
            fixed = [sum(c * self.known.get(x, 0) for x, c in cost.items()) for cost in costs]
            *bounds, total = [(least + f, most + f) for (least, most), f in zip(spans, fixed, strict=True)]
            if not math.isfinite(total[1]) or total[1] - total[0] > _SHARE_SCAN:
                continue
            men: set[int] = set()
            women: set[int] = set()
            for full in range(max(0, math.ceil(total[0] - 1e-6)), math.floor(total[1] + 1e-6) + 1):
                low, high = _fitting(full, shares, rule)
                low = max(low, math.ceil(bounds[0][0] - 1e-6), full - math.floor(bounds[1][1] + 1e-6))
                high = min(high, math.floor(bounds[0][1] + 1e-6), full - math.ceil(bounds[1][0] - 1e-6))
                men |= set(range(low, high + 1))
                women |= {full - m for m in range(low, high + 1)}
            for x, values in zip(paid, (men, women), strict=True):
                if len(values) == 1 and x not in self.known:
                    out.append((x, BY_LAW, values.pop()))
        return out

    def _system(self, lo: Mapping[Quantity, float], hi: Mapping[Quantity, float]
                ) -> tuple[list[Quantity], list[float], list[float], list[Row]]:
        """The unknowns, their bounds, and the equations and nested pairs as rows of ``pipeline.lp``."""
        eqs = self._reduced()
        pairs = [(a, b) for a, b in self.nested if a not in self.known or b not in self.known]
        unknown = sorted({q for terms, _, _ in eqs for q in terms} | {q for p in pairs for q in p if q not in self.known},
                         key=repr)
        at = {q: j for j, q in enumerate(unknown)}
        rows: list[Row] = [({at[q]: c for q, c in terms.items()}, rhs, rhs) for terms, rhs, _ in eqs]
        for a, b in pairs:  # a <= b, a known side moved to the right
            coefs = {at[q]: c for q, c in ((a, 1), (b, -1)) if q not in self.known}
            rows.append((coefs, -math.inf, self.known.get(b, 0) - self.known.get(a, 0)))
        return unknown, [lo.get(q, 0) for q in unknown], [hi.get(q, math.inf) for q in unknown], rows

    def _denominators(self) -> list[tuple[Quantity, str, int]]:
        new = []
        for r in self.ratios:
            if r.denominator is None or r.denominator in self.known or r.numerator not in self.known:
                continue
            n = self.known[r.numerator]
            if n and r.pct:
                v = _as_int(100.0 * n / r.pct)
                if v is not None:
                    new.append((r.denominator, "ratio_denominator", v))
        return new

    def _numerators(self, lo: Mapping[Quantity, float], hi: Mapping[Quantity, float]
                    ) -> dict[Quantity, tuple[str, int | None, float | None, float | None]]:
        """A shown percentage or rate resting on a withheld count gives it away."""
        out: dict[Quantity, tuple[str, int | None, float | None, float | None]] = {}
        for r in self.ratios:
            q = r.numerator
            if q not in self.hidden or q in self.known:
                continue
            value = None
            if r.denominator is not None and r.denominator in self.known:
                value = _as_int(r.pct * self.known[r.denominator] / 100.0)
            elif r.denominator is not None and math.isfinite(hi.get(q, math.inf)):
                # x / D = pct / 100 with both whole: the candidates are few
                frac = Fraction(r.pct / 100.0).limit_denominator(10**6)
                cands = [x for x in range(int(lo.get(q, 0)), int(hi[q]) + 1)
                         if x and frac and (Fraction(x) / frac).denominator == 1]
                if len(cands) == 1:
                    value = cands[0]
            if value is not None:
                out[q] = ("ratio", value, None, None)
            else:
                out.setdefault(q, ("ratio", None, lo.get(q), hi.get(q)))
        return out


_P = (1 << 61) - 1  # exact elimination modulo a large prime: no rounding, no BLAS threads


def _determined(rows: list[tuple[dict[int, int], int]]) -> list[tuple[int, int]]:
    """(unknown, value) for every unknown the equations fix: e_j lies in their row space.

    Reduced row echelon form over GF(p): an unknown is determined exactly when a pivot row is e_j
    (the rank test rank(A) == rank([A; e_j])); its right-hand side is then its value (a whole number
    far below p/2, so the residue decodes to it).
    """
    pivots: dict[int, tuple[dict[int, int], int]] = {}
    for terms, rhs in rows:
        row = {k: v % _P for k, v in terms.items() if v % _P}
        b = rhs % _P
        for j in [j for j in row if j in pivots]:
            f = row.get(j, 0)
            if f:
                prow, pb = pivots[j]
                for k, v in prow.items():
                    row[k] = (row.get(k, 0) - f * v) % _P
                b = (b - f * pb) % _P
                row = {k: v for k, v in row.items() if v}
        if not row:
            continue  # dependent on earlier equations (a contradiction would show as b != 0; not trusted)
        p = min(row)
        inv = pow(row[p], _P - 2, _P)
        row = {k: v * inv % _P for k, v in row.items()}
        b = b * inv % _P
        for j, (prow, pb) in list(pivots.items()):
            f = prow.get(p, 0)
            if f:
                for k, v in row.items():
                    prow[k] = (prow.get(k, 0) - f * v) % _P
                pivots[j] = ({k: v for k, v in prow.items() if v}, (pb - f * b) % _P)
        pivots[p] = (row, b)
    return [(j, b if b <= _P // 2 else b - _P) for j, (prow, b) in sorted(pivots.items()) if len(prow) == 1]


class _Box:
    """Intervals of the unknown counts, narrowed through the equations (sum of c * x = rhs, known
    counts already on the right) and the nested pairs (inner <= outer) by a work list: a constraint
    is looked at again only when one of its unknowns narrows. ``lo`` and ``hi`` are narrowed in place."""

    def __init__(self, eqs: list[tuple[dict[Quantity, int], int]], pairs: list[tuple[Quantity, Quantity]],
                 lo: dict[Quantity, float], hi: dict[Quantity, float], known: Mapping[Quantity, int]) -> None:
        self.eqs = [(list(terms.items()), rhs) for terms, rhs in eqs]
        self.pairs, self.lo, self.hi, self.known = pairs, lo, hi, known
        self.on: dict[Quantity, list[int]] = defaultdict(list)  # constraint numbers (pairs after equations)
        for i, (terms, _) in enumerate(eqs):
            for q in terms:
                self.on[q].append(i)
        for i, pair in enumerate(pairs, start=len(eqs)):
            for q in pair:
                if q not in known:
                    self.on[q].append(i)

    def narrow(self) -> bool:
        """Narrow until nothing moves; False at a contradiction (an empty interval)."""
        n_eqs = len(self.eqs)
        todo = list(range(n_eqs + len(self.pairs)))
        waiting = set(todo)
        while todo:
            i = todo.pop()
            waiting.discard(i)
            moved = self._equation(i) if i < n_eqs else self._pair(i - n_eqs)
            if moved is None:
                return False
            for q in moved:
                for j in self.on[q]:
                    if j not in waiting:
                        waiting.add(j)
                        todo.append(j)
        return True

    def _set(self, q: Quantity, low: float, high: float, moved: list[Quantity]) -> bool:
        old_lo, old_hi = self.lo[q], self.hi[q]
        low, high = max(old_lo, low), min(old_hi, high)
        if low > high:
            return False
        if low != old_lo or high != old_hi:
            self.lo[q], self.hi[q] = low, high
            moved.append(q)
        return True

    def _equation(self, i: int) -> list[Quantity] | None:
        terms, rhs = self.eqs[i]
        lo, hi, inf = self.lo, self.hi, math.inf
        # the least and greatest value of the whole sum: its finite part and how many terms are
        # infinite (a least is finite or -inf, a greatest finite or +inf); each term's own share is
        # taken off below to bound the others
        least = most = 0.0
        least_inf = most_inf = 0
        ranges = []
        for q, c in terms:
            a, b = (c * lo[q], c * hi[q]) if c > 0 else (c * hi[q], c * lo[q])
            ranges.append((q, c, a, b))
            if a == -inf:
                least_inf += 1
            else:
                least += a
            if b == inf:
                most_inf += 1
            else:
                most += b
        moved: list[Quantity] = []
        for q, c, own_least, own_most in ranges:
            if own_least == -inf:
                others_least = -inf if least_inf > 1 else least
            else:
                others_least = -inf if least_inf else least - own_least
            if own_most == inf:
                others_most = inf if most_inf > 1 else most
            else:
                others_most = inf if most_inf else most - own_most
            # c * x = rhs - the others
            low, high = rhs - others_most, rhs - others_least
            if c < 0:
                low, high = -high, -low
            if c not in (1, -1):
                low, high = low / abs(c), high / abs(c)
            if not self._set(q, math.ceil(low) if low != -inf else low, math.floor(high) if high != inf else high,
                             moved):
                return None
        return moved

    def _pair(self, i: int) -> list[Quantity] | None:
        inner, outer = self.pairs[i]
        moved: list[Quantity] = []
        if inner not in self.known:
            outer_most = self.known[outer] if outer in self.known else self.hi[outer]
            if not self._set(inner, -math.inf, outer_most, moved):
                return None
        if outer not in self.known:
            inner_least = self.known[inner] if inner in self.known else self.lo[inner]
            if not self._set(outer, inner_least, math.inf, moved):
                return None
        return moved
