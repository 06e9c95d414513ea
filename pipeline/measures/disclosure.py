"""Disclosure control: every rule that decides whether a published number may be shown.

Policy (``shared/spec/statutory-methodology.md`` §3.5; no statutory threshold exists for Welsh
employment information, so this follows the practice sources listed there):

1. **Primary suppression.** A count from 1 to ``threshold - 1`` is withheld (``small_count``);
   with the default threshold of 5 that is the FOI and StatsWales rule "greater than zero but less
   than five" (``*``). Zero is shown: it describes nobody (but see 4).
2. **Derived figures.** A percentage, rate or ratio that rests on a withheld count - numerator or
   denominator - is withheld too (``rests_on_suppressed``): with the denominator shown, a
   percentage gives its numerator back.
3. **Secondary suppression.** A reader must not be able to recover a withheld count by subtraction.
   Published counts that add up - the categories of a table and their ``total``, the margins two
   tables of one population share, a broad ethnic group and the detailed groups inside it - form
   *lines* (a total and the parts that partition it; also two counts of different tables that
   split a third between them, the women among employees and the women volunteers). The classic
   rule is applied to a fixed point: in every line with exactly one withheld cell, also withhold a
   non-zero shown part - of the smallest few, the one whose withholding exposes fewest others in
   turn, then the smallest (the total only when no part qualifies); likewise when the withheld parts
   of a line are all 1s, which a reader could infer because zeros are shown (``secondary``). Then a
   linear-algebra audit checks that no withheld count is *determined* by all the lines together (a
   count can be the only unknown of a combination of lines even when every single line has two) and
   withholds more until none is, one cell beside each count found, looking again after each round.
   Counts that are the same number of the same people in different tables are one cell: withheld in
   one table, withheld in all.
4. **Zeros of a withheld group.** In a line whose total is withheld, the zero parts are withheld
   too (``_zeros_beside``), and then protected like any withheld count: shown, they say what
   everyone in a group too few to count has in common (women 0 beside a withheld death in service).
   A reader can then no longer take a withheld count to be at least 1; the checks here still do
   (they know which counts are zero), which only makes them stricter.

Counts are identified by the people they count: a ``Node`` is a *universe* (a set of people or
events that a reader could difference - the workforce on 31 March, the year's applications) and a
*predicate*, the contract codes allowed on each base column. A withheld count pinned to one value
by bounds (a withheld count is at least 1, a small count at most ``threshold - 1``, a count inside
another at most that one: ``find_nested``) is treated like a determined one, both by propagating the
bounds (``_pinned``), by trying each value a narrow count could take (``_probed``, a reader's case
analysis), and by linear programming over every line and bound at once (``_programmed``, as the
audit does). Not modelled: bounds short of one value (a withheld 3 known to lie between 1 and 4 is
fine), and differences between universes (e.g. this year's workforce against last year's).

Thresholds are settings (``organisation.toml`` ``[settings] suppression_threshold``) so that the
methodology note and manifest record them; ``DEFAULT_THRESHOLD`` is the fallback.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from functools import cached_property
from typing import Any

from pipeline.figures import PAY_GAP_COUNTS, Cell, Figures, PayGap
from pipeline.measures.paygap import NO_REFERENCE_BONUS, round_pct, round_quartile_pair

DEFAULT_THRESHOLD = 5  # counts 1..4 withheld (FOI practice "fewer than five"; StatsWales "*")

SMALL_COUNT = "small_count"
SECONDARY = "secondary"
FEW_RECIPIENTS = "few_recipients"  # a bonus gap of a voluntary comparison with few bonus recipients
RESTS_ON_SUPPRESSED = "rests_on_suppressed"
# What a reader is told of a withheld count: one reason for both. Telling "a small number" from
# "withheld so that a small number cannot be worked out" told a reader that the second kind is 0 or
# at least the threshold, and with the totals beside them that pinned withheld counts exactly (a
# total of 6 = one small + one other: the other is 5 and the small one 1). The two stay apart only
# inside disclosure control, which protects against the stronger reader who knew them.
WITHHELD = "withheld"
PUBLIC_REASON = {SMALL_COUNT: WITHHELD, SECONDARY: WITHHELD}

# not-calculable reason codes used by the measures
ZERO_DENOMINATOR = "zero_denominator"
NOT_APPLICABLE = "not_applicable"
ZERO_RATE = "zero_rate"

Predicate = frozenset[tuple[str, frozenset[str]]]

_PRIME = (1 << 61) - 1  # exact arithmetic modulo a large prime for the determinacy audit


@dataclass(frozen=True, eq=False)
class Node:
    """The number of members of ``universe`` whose base columns take the allowed codes.

    Nodes are dictionary keys in every step of disclosure control (a million look-ups on the sample),
    so the hash is computed once and equality tries identity and the hash before the predicates.
    """

    universe: str
    predicate: Predicate

    @cached_property
    def _hash(self) -> int:
        return hash((self.universe, self.predicate))

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, Node):
            return NotImplemented
        return (self._hash == other._hash and self.universe == other.universe
                and self.predicate == other.predicate)

    @cached_property
    def sort_key(self) -> tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]:
        """A total order, so that every run makes the same choices."""
        return self.universe, tuple(sorted((b, tuple(sorted(v))) for b, v in self.predicate))

    def codes(self, base: str) -> frozenset[str] | None:
        for b, codes in self.predicate:
            if b == base:
                return codes
        return None

    def without(self, base: str) -> Predicate:
        return frozenset((b, v) for b, v in self.predicate if b != base)


def node(
    universe: str, members: Mapping[str, Iterable[str]], domains: Mapping[tuple[str, str], frozenset[str]]
) -> Node:
    """The node for ``members`` (base -> allowed codes), dropping bases that allow every code."""
    pred = []
    for base, codes in members.items():
        codes = frozenset(codes)
        if codes != domains.get((universe, base)):
            pred.append((base, codes))
    return Node(universe, frozenset(pred))


def _key(n: Node) -> tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]:
    return n.sort_key


@dataclass(frozen=True)
class Line:
    total: Node
    parts: tuple[Node, ...]
    within: bool = False  # the total is a cell of the parts' own table (a row or column and its total)

    @cached_property
    def cells(self) -> tuple[Node, ...]:
        return (self.total, *self.parts)


def _through(lines: Sequence[Line]) -> dict[Node, list[Line]]:
    """The lines through each cell, in the order given."""
    out: dict[Node, list[Line]] = defaultdict(list)
    for line in lines:
        for n in dict.fromkeys(line.cells):
            out[n].append(line)
    return out


# --------------------------------------------------------------------------- lines
def find_lines(cells: Iterable[tuple[str, Node]], domains: Mapping[tuple[str, str], frozenset[str]]) -> list[Line]:
    """Every published total that is partitioned by published parts of one table.

    ``cells`` are (table id, node) pairs. For a node T and a base column b, the candidates are the
    cells of one table that agree with T on every other base and allow a proper subset of T's codes
    on b; when they are disjoint and together cover T's codes, they add up to T.
    """
    cells = list(dict.fromkeys(cells))
    nodes = sorted({n for _, n in cells}, key=_key)
    without = {n: {b: n.without(b) for b, _ in n.predicate} for n in nodes}
    index: dict[tuple[str, Predicate, str], dict[str, list[tuple[frozenset[str], Node]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    tables_of: dict[Node, set[str]] = defaultdict(set)
    for table, n in cells:
        tables_of[n].add(table)
        for base, codes in n.predicate:
            index[(n.universe, without[n][base], base)][table].append((codes, n))
    bases_of = _bases_of(domains)

    lines: dict[tuple[Node, frozenset[Node]], Line] = {}
    for total in nodes:
        for base, own, rest in _slices(total, without[total], bases_of, domains):
            for table, cands in index.get((total.universe, rest, base), {}).items():
                parts = {n: codes for codes, n in cands if codes < own}
                if len(parts) < 2:
                    continue
                covered: set[str] = set()
                size = 0
                for codes in parts.values():
                    covered |= codes
                    size += len(codes)
                if size == len(own) and covered == own:
                    key = (total, frozenset(parts))
                    within = table in tables_of[total]
                    if key not in lines or (within and not lines[key].within):
                        lines[key] = Line(total, tuple(sorted(parts, key=_key)), within)
            # two counts of different tables that split T between them: the women among employees
            # (the pay band table) and the women special constables (the workforce groups) make
            # up the women, a sum no one table shows. Seen only by the exact algebra of
            # ``_determined``, withholding beside it reached each group's count and the women's:
            # 44 of 56 synthetic org-years of 60 to 600 people showed no count of women (12 now)
            by_codes = {codes: n for cands in index.get((total.universe, rest, base), {}).values()
                        for codes, n in cands if codes < own}
            for codes, a in by_codes.items():
                b = by_codes.get(own - codes)
                if b is not None and _key(a) < _key(b):
                    lines.setdefault((total, frozenset((a, b))), Line(total, (a, b)))
    return list(lines.values())


def _bases_of(domains: Mapping[tuple[str, str], frozenset[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for universe, base in domains:
        out[universe].add(base)
    return out


def _slices(n: Node, without: Mapping[str, Predicate], bases_of: Mapping[str, set[str]],
            domains: Mapping[tuple[str, str], frozenset[str]]) -> Iterator[tuple[str, frozenset[str], Predicate]]:
    """Each base column a count can be cut along: (the base, the codes it allows there, its predicate
    on the other bases), where ``without`` is its predicate without each base it restricts. The
    cells that agree on the other bases and allow fewer codes are the parts inside it."""
    restricted = dict(n.predicate)
    for base in sorted(bases_of[n.universe] | restricted.keys()):
        own = restricted.get(base) or domains.get((n.universe, base))
        if own is not None:
            yield base, own, without[base] if base in restricted else n.predicate


# --------------------------------------------------------------------------- suppression


def _withhold_beside(
    n: Node, through: Mapping[Node, Sequence[Line]], values: Mapping[Node, int], suppressed: dict[Node, str],
    order: Mapping[Node, int]
) -> bool:
    """Withhold one more cell in a line through ``n`` (the line with fewest unknowns first); False when
    no line has one to give.

    A whole population's count (no predicate: the workforce on 31 March, every profile table's
    total) is the last choice. When it is the only cell left in the lines through ``n``, the lines
    through the cells withheld with it come first: 2 special constables are the workforce less the
    employees that the pay band table counts, and with the officers and staff withheld beside them
    only the workforce total was left in their line, so bodies of 60 to 250 people lost their
    headcount and every profile table's total; the pay band table's total, in the line through the
    officers and staff, protects them as well."""
    def first(lines: Iterable[Line]) -> tuple[Node | None, Node | None]:
        """The first cell to withhold in ``lines`` that is not a whole population's count, and the
        first that is."""
        headline = None
        for line in lines:
            pick = _complement(line, values, suppressed, order)
            if pick is not None and pick.predicate:
                return pick, headline
            headline = headline or pick
        return None, headline

    near = sorted(through.get(n, ()), key=lambda ln: _unknowns(ln, suppressed))
    pick, headline = first(near)
    if pick is None and headline is not None:
        withheld = dict.fromkeys(m for ln in near for m in ln.cells if m in suppressed and m != n)
        further = dict.fromkeys(ln for m in withheld for ln in through.get(m, ()) if ln not in near)
        pick, _ = first(sorted(further, key=lambda ln: _unknowns(ln, suppressed)))
    pick = pick or headline
    if pick is None:
        return False
    suppressed[pick] = SECONDARY
    return True


def protect(
    values: Mapping[Node, int],
    lines: Sequence[Line],
    threshold: int = DEFAULT_THRESHOLD,
    nested: Sequence[tuple[Node, Node]] = (),
    published: Iterable[Node] = (),
) -> dict[Node, str]:
    """Reason code for every count that must be withheld (nodes not in the result are shown).
    ``nested`` (``find_nested``): pairs of counts, the first's people among the second's.
    ``published``: counts that other figures give away whatever the tables do (the statutory pay
    quartiles count the women and men on full pay), never chosen to withhold beside another, and
    known to the reader even when small (a small one taken for a withheld count left the 0 beside
    it shown, and the count it makes up pinned).

    Then the zeros of every line whose total is withheld are withheld too (``_zeros_beside``)."""
    published = frozenset(published)
    suppressed = _protect_counts(values, lines, threshold, nested, published)
    # a zero that other figures give away is not shielded by the checks (the reader knows it), but a
    # table whose group's number is withheld does not print it either
    _zeros_beside(values, lines, suppressed, ())
    return suppressed


def _zeros_beside(values: Mapping[Node, int], lines: Sequence[Line], suppressed: dict[Node, str],
                  published: Container[Node]) -> bool:
    """Withhold the zeros of every line whose total is withheld (a group of people too few to count
    in public), until no line has one.

    Withheld counts alone do not protect a small group from what its zeros say: a death in service
    counted as women 0 and men [c] says the person who died was a man, and the same zeros in the
    ethnic group, disability and religion tables said he was White, not disabled and of no
    religion; everyone dismissed was White and not disabled; the gay or lesbian people in grievances
    were all the subject of one, none raised one. Such a group is often known to colleagues (who was
    dismissed, who died), so its zeros disclose their special-category data (attribute disclosure;
    GSS guidance on tables from administrative sources). A reader told only "withheld" cannot then
    tell a withheld zero from a withheld small count.

    A zero withheld so is then protected like any withheld count: a line that would give it back
    (the women sergeants, 0, as the sergeants less the men sergeants) has another cell withheld. A
    zero that a shown empty row or column of its own table gives anyway (no Black leaver at all:
    none died in service) is left shown, as hiding it would hide nothing and cost the cells around
    it. (Only of its own table: the audit, which sees no table's groups inside another's, refused a
    body whose retirements of Asian and Mixed leavers were left shown beside the shown 0 retirements
    of ethnic minorities.) A withheld total that is itself a part of another line (a broad ethnic
    group over the detailed ones) is followed to a fixed point. True when a zero was withheld."""
    added = False
    while True:
        empty = {p for line in lines if line.within and values[line.total] == 0 and line.total not in suppressed
                 for p in line.parts}
        zeros = {part: None for line in lines if line.total in suppressed for part in line.parts
                 if values[part] == 0 and part not in suppressed and part not in published and part not in empty}
        if not zeros:
            return added
        suppressed.update(dict.fromkeys(zeros, SECONDARY))
        added = True


def _protect_counts(
    values: Mapping[Node, int],
    lines: Sequence[Line],
    threshold: int,
    nested: Sequence[tuple[Node, Node]],
    published: frozenset[Node],
) -> dict[Node, str]:
    """The counts ``protect`` withholds, before the zeros beside them."""
    for line in lines:
        if values[line.total] != sum(values[p] for p in line.parts):
            raise ValueError(f"published counts do not add up in {line.total.universe}: {sorted(line.total.predicate)}")
    order = {n: i for i, n in enumerate(sorted(values, key=_key))}
    through = _through(lines)
    kept = set(published)
    checked, values = values, {**values, **dict.fromkeys(kept, 0)}  # as zeros, never chosen
    bounding: dict[Node, list[Node]] = defaultdict(list)  # the counts a count lies inside or holds
    for inner, outer in nested:
        bounding[inner].append(outer)
        bounding[outer].append(inner)
    suppressed: dict[Node, str] = {n: SMALL_COUNT for n, v in values.items() if 0 < v < threshold}
    # counts pinned only by bounds that give away which withheld counts are small, once nothing is
    # left to withhold around them: the reader is not told that, and the checks after look on
    given_up: set[Node] = set()
    # withheld counts found free by case analysis: still free once more is withheld (``_probed``)
    loose: set[Node] = set()
    stuck: set[Node] = set()  # pinned whatever else is withheld (``_hopeless``), for the labels ``stuck_for``
    stuck_for: tuple[int, int] | None = None
    totals = {ln.total for ln in lines}
    ix = _Index.of(checked, lines, nested)
    for _ in range(10_000):
        _classic(values, lines, suppressed, order, through)
        while _zeros_beside(checked, lines, suppressed, published):
            _classic(values, lines, suppressed, order, through)
        found = _determined(lines, suppressed, ix)
        pinned = [] if found else [n for n in _pinned(checked, lines, suppressed, threshold, nested, ix) if n not in given_up]
        if not found and not pinned:
            pinned = [n for n in _probed(checked, lines, suppressed, threshold, nested, ix=ix, loose=loose)
                      if n not in given_up]
        if pinned:
            # withholding beside a count that bounds pin even with everything else withheld frees
            # nothing: such a small total is relabelled at once (as the checks below end up doing),
            # the others given up on once nothing else is pinned. (Four withheld 1s under a withheld
            # small total of 4 open cases took twenty rounds, each withholding one more cell of the
            # disciplinary tables, before the total was relabelled. Four 1s under 4 special
            # constables, not relabelled, pinned the employees beside them, and withholding around
            # those reached the workforce total.) The set is the same until a count is relabelled or
            # ``kept`` cleared: nothing else changes it.
            labels = (sum(1 for r in suppressed.values() if r == SMALL_COUNT), len(kept))
            if labels != stuck_for:
                stuck, stuck_for = _hopeless(checked, lines, suppressed, threshold, nested, ix, kept), labels
            relabel = [n for n in pinned if n in stuck and suppressed[n] == SMALL_COUNT and n in totals]
            if relabel:
                suppressed.update(dict.fromkeys(relabel, SECONDARY))
                continue
            if all(n in stuck for n in pinned):
                given_up.update(pinned)
                continue
            pinned = [n for n in pinned if n not in stuck]
        by_bounds = bool(pinned)
        if not found and not pinned:
            pinned = _programmed(checked, lines, suppressed, threshold, nested, ix)
        if not found and not pinned:
            return suppressed
        added = False
        moved: set[Node] = set()  # withheld in this round
        for n in pinned:  # bounds: one more withheld cell beside each (several per round: each check is costly)
            if moved and any(m in moved for ln in through.get(n, ()) for m in ln.cells):
                # a line through it has just gained a withheld cell, which may free it: the next round
                # looks again (4 women and 4 men specials under a shown 8: the 8 withheld beside the
                # women frees the men, and withholding beside them as well took the number of men)
                continue
            if (_withhold_bound(n, bounding, values, suppressed, order)
                    or _withhold_beside(n, through, values, suppressed, order)):
                added = True
                moved.add(next(reversed(suppressed)))
        found = found or pinned
        for n in found if not added else ():
            if _withhold_beside(n, through, values, suppressed, order):
                added = True
                break
        if not added:  # nothing left to withhold beside it: withhold the lines' remaining cells
            before = len(suppressed)
            for n in found:
                for line in through.get(n, ()):
                    for m in line.cells:
                        if m not in kept:
                            suppressed.setdefault(m, SECONDARY)
            if len(suppressed) == before and kept and not by_bounds:
                # only counts given away elsewhere are left to withhold: withholding them here does
                # not undo that, but nothing else shields the count from the tables alone. (Not for
                # counts pinned only by bounds that know which withheld counts are small, given up on
                # below: 9 women employees, each grade's few withheld, pinned so, took the law's
                # count of them, which the audit then read back from the quarters; refused.)
                kept.clear()
                values = checked
                continue
            if len(suppressed) == before and not _determined(lines, suppressed, ix):
                # pinned by bounds alone with every cell around it withheld (e.g. a withheld total of 4
                # over four withheld small counts): only the published upper bound of "small_count" on
                # the total pins it, so mark that total as withheld to protect the others instead
                relabel = [n for n in found if suppressed[n] == SMALL_COUNT and n in totals]
                if not relabel and by_bounds:
                    given_up.update(found)
                    continue
                if not relabel:
                    return suppressed  # the audit refuses to publish
                for n in relabel:
                    suppressed[n] = SECONDARY
    raise RuntimeError("secondary suppression did not converge")


def _withhold_bound(
    n: Node, bounding: Mapping[Node, Sequence[Node]], values: Mapping[Node, int], suppressed: dict[Node, str],
    order: Mapping[Node, int]
) -> bool:
    """Withhold a shown count that holds ``n`` to its value from inside or outside: those who
    completed training are among those approved, who are among those who asked, so 5 who asked and
    5 who completed pin a withheld 5 approved. No line through ``n`` loosens that (an organisation of
    130 was refused publication by the audit for it); withholding one of the two does. False when
    no shown count bounds ``n`` at its own value."""
    tight = [m for m in bounding.get(n, ()) if m not in suppressed and values[m] == values[n] > 0]
    if not tight:
        return False
    suppressed[min(tight, key=lambda m: order[m])] = SECONDARY
    return True


def _unknowns(line: Line, suppressed: Mapping[Node, str]) -> int:
    return sum(1 for n in line.cells if n in suppressed)


def _complement(
    line: Line, values: Mapping[Node, int], suppressed: Container[Node], order: Mapping[Node, int]
) -> Node | None:
    parts = [p for p in line.parts if p not in suppressed and values[p] > 0]
    if parts:
        return min(parts, key=lambda p: (values[p], order[p]))
    if line.total not in suppressed and values[line.total] > 0:
        return line.total
    return None


class _Also:
    """The withheld counts with ``extra`` ones added, for trying a choice without making it."""

    def __init__(self, suppressed: Container[Node], extra: set[Node]) -> None:
        self.suppressed, self.extra = suppressed, extra

    def __contains__(self, n: object) -> bool:
        return n in self.extra or n in self.suppressed


def _exposed(line: Line, values: Mapping[Node, int], suppressed: Container[Node]) -> bool:
    """Whether the line gives away a withheld count: it has one, or its withheld parts are all 1s
    under a shown total (a reader who takes a withheld count to be at least 1), or all 0s under a
    shown total that its shown parts make up (so every withheld part is 0: the 55-to-64-year-old
    leavers were 10 retirements, so no dismissal, death or other leaving among the withheld was
    theirs)."""
    hidden = [n for n in line.cells if n in suppressed]
    if not hidden:
        return False
    if len(hidden) == 1:
        return True
    if line.total in suppressed:
        return False
    withheld = sum(values[n] for n in hidden)
    return withheld == len(hidden) or (withheld == 0 and values[line.total] > 0)


def _knock_on(
    n: Node, through: Mapping[Node, Sequence[Line]], values: Mapping[Node, int], suppressed: Container[Node],
    order: Mapping[Node, int], limit: int = 64
) -> int:
    """How many counts withholding ``n`` costs: itself and those that the lines it exposes take in turn
    (the smallest shown part each, as ``_classic`` would), up to ``limit``."""
    extra = {n}
    also = _Also(suppressed, extra)
    todo = [n]
    while todo and len(extra) < limit:
        for line in through.get(todo.pop(), ()):
            if _exposed(line, values, also):
                pick = _complement(line, values, also, order)
                if pick is not None:
                    extra.add(pick)
                    todo.append(pick)
    return len(extra)


def _cheapest(
    line: Line, through: Mapping[Node, Sequence[Line]], values: Mapping[Node, int], suppressed: Container[Node],
    order: Mapping[Node, int], widest: int = 6
) -> Node | None:
    """The shown count of ``line`` whose withholding costs fewest others (then the smallest).

    The smallest part alone is a poor guide where tables nest: withholding the PCSOs beside a
    small count leaves a line through the employees with one withheld part, which takes another,
    and so on. Counting what each of the ``widest`` smallest parts would take in turn showed 162
    more cells, and the number of women in 4 more, of 56 synthetic org-years of 60 to 600 people."""
    parts = sorted((p for p in line.parts if p not in suppressed and values[p] > 0), key=lambda p: (values[p], order[p]))
    if not parts:
        return _complement(line, values, suppressed, order)
    return min(parts[:widest], key=lambda p: (_knock_on(p, through, values, suppressed, order), values[p], order[p]))


def _classic(
    values: Mapping[Node, int], lines: Sequence[Line], suppressed: dict[Node, str], order: Mapping[Node, int],
    through: Mapping[Node, Sequence[Line]],
) -> None:
    changed = True
    while changed:
        changed = False
        for line in lines:
            if _exposed(line, values, suppressed):
                pick = _cheapest(line, through, values, suppressed, order)
                if pick is not None:
                    suppressed[pick] = SECONDARY
                    changed = True


@dataclass(frozen=True)
class _Index:
    """The counts of one ``protect`` call numbered once, in ``_key`` order, with its lines and
    nested pairs in those numbers. The checks of each round (``_determined``, and ``_Bounds`` for
    ``_pinned``, ``_probed`` and ``_programmed``) read lists by number rather than dicts by Node:
    hashing Nodes was most of their time, a round at a time, over the same lines."""

    nodes: list[Node]
    number: dict[Node, int]
    values: list[int]
    lines: list[tuple[int, tuple[int, ...]]]  # (total, parts)
    nested: list[tuple[int, int]]

    @classmethod
    def of(cls, values: Mapping[Node, int], lines: Sequence[Line], nested: Sequence[tuple[Node, Node]] = (),
           more: Iterable[Node] = ()) -> _Index:
        nodes = sorted({*values, *(n for ln in lines for n in ln.cells), *(n for p in nested for n in p), *more},
                       key=_key)
        number = {n: i for i, n in enumerate(nodes)}
        return cls(nodes, number, [values.get(n, 0) for n in nodes],
                   [(number[ln.total], tuple(number[p] for p in ln.parts)) for ln in lines],
                   [(number[a], number[b]) for a, b in nested])

    def unknowns(self, suppressed: Iterable[Node]) -> tuple[list[int], list[int]]:
        """The withheld counts' numbers in ``_key`` order, and each count's place among them (-1 when shown)."""
        unknown = sorted(self.number[n] for n in suppressed)
        place = [-1] * len(self.nodes)
        for u, i in enumerate(unknown):
            place[i] = u
        return unknown, place


def _determined(lines: Sequence[Line], suppressed: Mapping[Node, str], ix: _Index | None = None) -> list[Node]:
    """Withheld counts fixed by the published lines (exact linear algebra modulo a large prime).

    The lines' equations over the withheld counts are brought to reduced row echelon form one by
    one; a withheld count is determined when its pivot row has no other unknown. ``holders`` lists,
    for each unknown, the pivot rows where it appears, so a new pivot is cleared from just those rows.
    ``ix`` is ``lines`` numbered (``_Index``), when the caller has it.
    """
    ix = ix or _Index.of({}, lines, more=suppressed)
    unknown, place = ix.unknowns(suppressed)
    pivots: dict[int, dict[int, int]] = {}
    holders: dict[int, set[int]] = defaultdict(set)
    for total, parts in ix.lines:
        row: dict[int, int] = {}
        for n, coef in ((total, -1), *((p, 1) for p in parts)):
            u = place[n]
            if u >= 0:
                row[u] = (row.get(u, 0) + coef) % _PRIME
        row = {k: v for k, v in row.items() if v}
        # reduce by existing pivots (their rows hold no other pivot's column)
        for j in [j for j in row if j in pivots]:
            f = row.get(j, 0)
            if f:
                for k, v in pivots[j].items():
                    row[k] = (row.get(k, 0) - f * v) % _PRIME
                row = {k: v for k, v in row.items() if v}
        if not row:
            continue
        p = min(row)
        inv = pow(row[p], _PRIME - 2, _PRIME)
        row = {k: v * inv % _PRIME for k, v in row.items()}
        for j in list(holders.get(p, ())):
            prow = pivots[j]
            f = prow[p]
            for k, v in row.items():
                left = (prow.get(k, 0) - f * v) % _PRIME
                if left:
                    prow[k] = left
                    holders[k].add(j)
                else:
                    prow.pop(k, None)
                    holders[k].discard(j)
        pivots[p] = row
        for k in row:
            holders[k].add(p)
    return [ix.nodes[unknown[j]] for j, prow in sorted(pivots.items()) if len(prow) == 1]


def _pinned(
    values: Mapping[Node, int], lines: Sequence[Line], suppressed: Mapping[Node, str], threshold: int,
    nested: Sequence[tuple[Node, Node]] = (), ix: _Index | None = None
) -> list[Node]:
    """Withheld counts that bounds alone pin to one value (found by ``pipeline.audit``).

    A reader knows a withheld count is at least 1 (zeros are shown) and a ``small_count`` at most
    ``threshold - 1``; propagating these bounds through the lines can leave one value, e.g. three
    withheld 1s under a withheld total that another line shows to be at most 3. ``nested`` pairs
    (a, b) say a's people are among b's (those appointed among those interviewed, those who
    completed training among those approved), so a <= b: with 6 approved Hindu and Sikh employees
    and 5 Hindu ones shown to have completed, the approved are 5 and 1.
    """
    b = _Bounds(ix or _Index.of(values, lines, nested), suppressed, threshold)
    b.propagate(range(len(b.eqs)))
    # (in ``_key`` order; a withheld 0 describes nobody)
    return [n for i, n in enumerate(b.unknown) if b.lo[i] == b.hi[i] and values[n] > 0]


def _probed(
    values: Mapping[Node, int], lines: Sequence[Line], suppressed: Mapping[Node, str], threshold: int,
    nested: Sequence[tuple[Node, Node]] = (), widest: int = 4, ix: _Index | None = None,
    loose: set[Node] | None = None,
) -> list[Node]:
    """Withheld counts pinned by trying each value they could take (a reader's case analysis).

    Bounds propagation alone leaves a lone dismissal withheld everywhere: its row total in [1, 4]
    and each of its cells in [0, 4]. Trying 2 for the total forces two people into a row where the
    columns leave room for one, a contradiction: so it is 1, and then so is the one cell of each
    table the columns leave open (one adversarial solver named the sex, age band and religion of a
    600-person organisation's only dismissal this way). Each withheld count whose bounds span at
    most ``widest`` values is tried at every other value; it is pinned when all of them contradict.

    ``loose`` (kept by the caller between rounds) collects the counts found free, which are not tried
    again: withholding more only widens every bound (each narrowing step is monotone), so a value
    that was possible stays possible. (Trying them again was most of a round's time on the sample.)
    """
    b = _Bounds(ix or _Index.of(values, lines, nested), suppressed, threshold)
    b.propagate(range(len(b.eqs)))
    loose = set() if loose is None else loose
    pinned = []
    for i, n in enumerate(b.unknown):
        lo, hi = b.lo[i], b.hi[i]
        if values[n] == 0 or lo == hi or hi - lo >= widest or n in loose:
            continue
        if any(b.feasible(i, v) for v in range(int(lo), int(hi) + 1) if v != values[n]):
            loose.add(n)
        else:
            pinned.append(n)
    return pinned


def _hopeless(
    values: Mapping[Node, int], lines: Sequence[Line], suppressed: Mapping[Node, str], threshold: int,
    nested: Sequence[tuple[Node, Node]], ix: _Index, kept: Container[Node]
) -> set[Node]:
    """The withheld counts that bounds pin (``_pinned``) even with every count withheld but those
    other figures publish (``kept``): as withholding more only widens the bounds, no choice of cells
    to withhold frees them. (The bound that pins them is their own: four withheld 1s, each at least
    1, under a withheld total shown to be small, so at most 4.)"""
    everything = {**{n: SECONDARY for n in ix.nodes if n not in kept}, **suppressed}
    return set(_pinned(values, lines, everything, threshold, nested, ix))


def _programmed(
    values: Mapping[Node, int], lines: Sequence[Line], suppressed: Mapping[Node, str], threshold: int,
    nested: Sequence[tuple[Node, Node]] = (), ix: _Index | None = None
) -> list[Node]:
    """Withheld counts that all the lines and bounds together pin, by linear programming
    (``pipeline.lp``; ``pipeline.audit`` runs the same attack): what bounds narrowed one line at a
    time miss, such as training requests approved, withheld, lying between sums over the shown
    religions of the stages before and after them that meet.

    The reader here is the one the audit models, told only what the report says: a withheld count
    is at least 0 (the report says a zero is withheld where a count beside it needs it, as a sixth
    of the sample's are) with no bound above (it does not say which withheld counts are small).
    The bounds of ``_pinned`` give away both, which is cautious there; here, with them, the sample
    lost 24 more counts to shield leavers' 1s that no reader could be sure of."""
    from pipeline.lp import pinned

    b = _Bounds(ix or _Index.of(values, lines, nested), suppressed, threshold)  # its lines and pairs; not its bounds
    unknown, k = b.unknown, b.k
    rows = [(dict(terms), rhs, rhs) for terms, rhs in b.eqs]
    for x, y in dict.fromkeys(pair for pairs in b.pairs_of.values() for pair in pairs):
        # x <= y, a shown side (numbered k on, its bounds its value) moved to the right
        coefs = {j: c for j, c in ((x, 1), (y, -1)) if j < k}
        rows.append((coefs, -math.inf, (0 if y < k else b.lo[y]) - (0 if x < k else b.lo[x])))
    found = pinned([0] * len(unknown), [math.inf] * len(unknown), rows,
                   [j for j, n in enumerate(unknown) if values[n] > 0], truth=[values[n] for n in unknown])
    return [unknown[j] for j in sorted(found or {})]


class _Bounds:
    """Bounds of the withheld counts, narrowed through the lines (each a withheld part of a sum with
    published parts moved to the right) and the nested pairs.

    The bounds are lists by place: the withheld counts 0 to ``k - 1`` in ``_key`` order
    (``unknown``), then the shown counts a nested pair holds them to, whose bounds are their value
    and never move. ``propagate`` runs a thousand times a round (once per value ``_probed`` tries);
    looking bounds up by Node there was half the time disclosure control took on the sample.
    """

    def __init__(self, ix: _Index, suppressed: Mapping[Node, str], threshold: int) -> None:
        numbers, place = ix.unknowns(suppressed)
        values = ix.values
        self.unknown = [ix.nodes[i] for i in numbers]
        self.k = len(numbers)
        self.lo: list[float] = [1 if values[i] > 0 else 0 for i in numbers]
        self.hi: list[float] = [threshold - 1 if suppressed[n] == SMALL_COUNT else math.inf for n in self.unknown]
        self.eqs: list[tuple[list[tuple[int, int]], int]] = []
        self.of: list[list[int]] = [[] for _ in numbers]
        for total, parts in ix.lines:
            terms, rhs = [], 0
            for n, coef in ((total, -1), *((p, 1) for p in parts)):
                u = place[n]
                if u < 0:
                    rhs -= coef * values[n]
                else:
                    terms.append((u, coef))
            if terms:
                for u, _ in terms:
                    self.of[u].append(len(self.eqs))
                self.eqs.append((terms, rhs))
        self.pairs_of: dict[int, list[tuple[int, int]]] = {}
        shown: dict[int, int] = {}  # a shown count's place after the unknowns; its bounds are its value

        def at(n: int) -> int:
            if place[n] >= 0:
                return place[n]
            if n not in shown:
                shown[n] = len(self.lo)
                self.lo.append(values[n])
                self.hi.append(values[n])
            return shown[n]

        for a, b in ix.nested:
            if place[a] >= 0 or place[b] >= 0:
                pair = (at(a), at(b))
                self.pairs_of.setdefault(pair[0], []).append(pair)
                self.pairs_of.setdefault(pair[1], []).append(pair)

    def feasible(self, i: int, v: int) -> bool:
        """Whether withheld count ``i`` = v leaves every bound non-empty (the bounds are restored afterwards)."""
        lo, hi = self.lo, self.hi
        self.lo, self.hi = lo[:], hi[:]
        self.lo[i] = self.hi[i] = v
        try:
            return self.propagate(self.of[i], (i,))
        finally:
            self.lo, self.hi = lo, hi

    def propagate(self, start: Iterable[int], counts: Iterable[int] | None = None) -> bool:
        """Narrow the bounds from the equations ``start`` and the nested pairs of ``counts`` (all when
        None) on; False at a contradiction."""
        lo, hi, eqs, of, k = self.lo, self.hi, self.eqs, self.of, self.k
        inf, ninf = math.inf, -math.inf
        ceil, floor = math.ceil, math.floor
        queue = list(start)
        queued = set(queue)
        waiting = list(self.pairs_of if counts is None else counts)

        def narrowed(n: int) -> None:
            for j in of[n]:
                if j not in queued:
                    queued.add(j)
                    queue.append(j)
            waiting.append(n)

        while queue or waiting:
            while queue:
                i = queue.pop()
                queued.discard(i)
                terms, rhs = eqs[i]
                # the bounds of the whole sum once (finite part and count of infinite terms), each term's
                # own share taken off below: summing the others for every term was quadratic in the line
                least = [c * (lo[m] if c > 0 else hi[m]) for m, c in terms]  # finite or -inf
                most = [c * (hi[m] if c > 0 else lo[m]) for m, c in terms]  # finite or +inf
                least_sum = most_sum = 0
                least_inf = most_inf = 0
                for x in least:
                    if x == ninf:
                        least_inf += 1
                    else:
                        least_sum += x
                for x in most:
                    if x == inf:
                        most_inf += 1
                    else:
                        most_sum += x
                for (n, c), own_least, own_most in zip(terms, least, most, strict=True):
                    # c * x_n = rhs - sum of the others (bounds as they were when this line was taken up:
                    # looser, never wrong; a term that narrows queues the line again)
                    if own_least != ninf:
                        rest_lo = ninf if least_inf else least_sum - own_least
                    else:
                        rest_lo = ninf if least_inf > 1 else least_sum
                    if own_most != inf:
                        rest_hi = inf if most_inf else most_sum - own_most
                    else:
                        rest_hi = inf if most_inf > 1 else most_sum
                    a, b = rhs - rest_hi, rhs - rest_lo
                    if c < 0:
                        a, b = -b, -a
                    old_lo, old_hi = lo[n], hi[n]
                    new_lo = max(old_lo, ceil(a)) if ninf < a < inf else old_lo
                    new_hi = min(old_hi, floor(b)) if ninf < b < inf else old_hi
                    if new_lo > new_hi:
                        return False
                    if new_lo != old_lo or new_hi != old_hi:
                        lo[n], hi[n] = new_lo, new_hi
                        narrowed(n)
            # a count is at most any count of a set of people holding its own (``nested``)
            while waiting:
                m = waiting.pop()
                for a, b in self.pairs_of.get(m, ()):
                    if a < k and hi[b] < hi[a]:
                        hi[a] = hi[b]
                        if lo[a] > hi[a]:
                            return False
                        narrowed(a)
                    if b < k and lo[a] > lo[b]:
                        lo[b] = lo[a]
                        if lo[b] > hi[b]:
                            return False
                        narrowed(b)
        return True


def find_nested(nodes: Iterable[Node], domains: Mapping[tuple[str, str], frozenset[str]]) -> list[tuple[Node, Node]]:
    """Pairs (a, b) of published counts of one universe that differ on one base column only, where
    a allows a proper subset of b's codes there: a's people are among b's (a later recruitment stage
    within an earlier one, those approved within those who asked)."""
    nodes = sorted(set(nodes), key=_key)
    without = {n: {b: n.without(b) for b, _ in n.predicate} for n in nodes}
    index: dict[tuple[str, Predicate, str], list[tuple[frozenset[str], Node]]] = defaultdict(list)
    for n in nodes:
        for base, codes in n.predicate:
            index[(n.universe, without[n][base], base)].append((codes, n))
    bases_of = _bases_of(domains)
    pairs: dict[tuple[Node, Node], None] = {}
    for b in nodes:
        for base, codes, rest in _slices(b, without[b], bases_of, domains):
            for sub, a in index.get((b.universe, rest, base), ()):
                if sub < codes:
                    pairs[(a, b)] = None
    return list(pairs)


# --------------------------------------------------------------------------- cells
def count_cell(value: int, n: Node, suppressed: Mapping[Node, str]) -> Cell:
    reason = suppressed.get(n)
    if reason is not None:
        return Cell(None, suppressed=reason)
    return Cell(value)


def derived_cell(
    numerator: float,
    denominator: float,
    rests_on: Iterable[Node],
    suppressed: Mapping[Node, str],
    scale: float = 100.0,
) -> Cell:
    """A percentage (``scale`` 100) or ratio (``scale`` 1), withheld if it rests on a withheld count."""
    if any(n in suppressed for n in rests_on):
        return Cell(None, suppressed=RESTS_ON_SUPPRESSED)
    if denominator == 0:
        return Cell(None, not_calculable=ZERO_DENOMINATOR)
    return Cell(numerator / denominator * scale)


def rests_on_suppressed(nodes: Iterable[Node], suppressed: Mapping[Node, str]) -> bool:
    return any(n in suppressed for n in nodes)


def protect_pay_gap(gap: PayGap, threshold: int = DEFAULT_THRESHOLD, min_group_size: int = 10) -> PayGap:
    """Withhold what a pay gap would give away about a few people.

    The statutory gender pay gap (``gap.statutory``) is published whatever its size (reg 2), so a
    force with four women on full pay still publishes its gaps, bonus shares and quarters. What it
    need not publish is how many: a small group size is withheld, and with it the other group's sizes
    and the quarter sizes, since the quarter sizes add up to both groups together (the other group's
    size subtracted from them gives the small one back). When 1 to 4 of a group are not on full pay
    (relevant less full-pay employees), the relevant sizes are withheld: the full-pay sizes are no
    secret, since the law's quarter shares at one decimal place fit only one full-pay total (a red
    team found it in 37 of 39 bodies whose full-pay sizes were withheld, and with the relevant sizes
    printed beside them, the 1 to 4).

    Every other comparison is voluntary, already gated at ``min_group_size`` full-pay people a side,
    and protected further (``_protect_voluntary``).
    """
    if not gap.statutory:
        return _protect_voluntary(gap, threshold, min_group_size)
    small = {name for name in PAY_GAP_COUNTS if _small(getattr(gap, name), threshold)}
    if small:
        changes: dict[str, object] = {
            name: Cell(None, suppressed=SMALL_COUNT if name in small else SECONDARY)
            for name in PAY_GAP_COUNTS if getattr(gap, name).shown}
        return replace(gap, **changes, quartile_sizes={})
    # a group's relevant employees less its full-pay ones are those not on full pay (on leave at
    # reduced pay): 1 to 4 of them is a small count, which the relevant sizes would give away beside
    # the full-pay ones (which the quarter shares give); both, as employees with a pay row are the two
    for full, relevant in (("n_reference", "n_relevant_reference"), ("n_comparison", "n_relevant_comparison")):
        a, b = getattr(gap, full), getattr(gap, relevant)
        if a.shown and b.shown and 0 < float(b.value) - float(a.value) < threshold:
            withheld = Cell(None, suppressed=SECONDARY)
            return replace(gap, n_relevant_reference=withheld, n_relevant_comparison=withheld)
    return gap


# below this many people, a share printed to one decimal place tells how many of them it counts
EXACT_SHARES = 1000


def _protect_voluntary(gap: PayGap, threshold: int, min_group_size: int) -> PayGap:
    """A voluntary comparison publishes its measures, not its people:

    - no group sizes and no quarter sizes: the relevant employees of a group are a count in the
      workforce tables (officers by sex, disabled employees), which may withhold it to protect a
      small cell beside it; the comparison would print it again;
    - no quarter shares. The quarters hold only full-pay employees, and a share at one decimal
      place is a count of people when a quarter holds fewer than about a thousand: with a group's
      relevant employees from the tables, a reader tries every full-pay total and learns how many
      of the group were on reduced pay because of leave. Two red teams beat two narrower rules
      (withholding shares where a search pinned 1 to 4, then wherever a group had 1 to 4 off full
      pay, with the comparisons that add up): by bounds, by several comparisons at once, and by
      reading the withholding itself; the narrower rule had already withheld 71% of voluntary
      comparisons' shares across 286 synthetic organisation-years. The law asks for the statutory
      gap's quarters only;
    - a group's share receiving bonus pay is withheld when 1 to ``threshold - 1`` of it did;
    - the bonus gaps are withheld when a group has 1 to ``min_group_size - 1`` bonus recipients: the
      median bonus of two people is their bonus (no bonus at all leaves the gaps as they are: blank,
      or 100 when only the comparison group had none);
    - the disclosure rate (the share of the relevant employees who stated the characteristic) is
      withheld when fewer than ``EXACT_SHARES`` people stated it: at one decimal place it is then a
      count of people, the employees who did not state it, which no table prints. The workforce
      tables print those of everyone in post, so the difference is the special constables' own (a red
      team read "one of the 4 special constables did not state a disability" from a 130-person
      body's rates, and from two rates together the number of employees the tables withheld).
    """
    withheld = Cell(None, suppressed=SECONDARY)
    changes: dict[str, object] = dict.fromkeys(PAY_GAP_COUNTS, withheld)
    changes["quartile_sizes"] = {}
    changes["quartiles"] = {}
    stated = sum(getattr(gap, name).value or 0 for name in ("n_relevant_reference", "n_relevant_comparison"))
    if gap.disclosure_rate.shown and stated < EXACT_SHARES:
        changes["disclosure_rate"] = withheld
    small = Cell(None, suppressed=SMALL_COUNT)
    recipients = {name: _recipients(gap, name) or 0 for name in BONUS_SHARES}
    for name, k in recipients.items():
        if 0 < k < threshold:
            changes[name] = small
    if any(0 < k < min_group_size for k in recipients.values()):
        for name in ("mean_bonus_gap", "median_bonus_gap"):
            if getattr(gap, name).shown:
                changes[name] = Cell(None, suppressed=FEW_RECIPIENTS)
    return replace(gap, **changes)


BONUS_SHARES = ("bonus_pct_reference", "bonus_pct_comparison")


Share = tuple[str, str]  # (pay gap id, "bonus_pct_reference" or "bonus_pct_comparison")


def _recipients(gap: PayGap, share: str) -> int | None:
    """A side's bonus recipients: its share (``bonus_pct_reference`` or ``_comparison``) of its
    relevant employees, or None when either is not shown."""
    pct, size = getattr(gap, share), getattr(gap, "n_relevant_" + share.removeprefix("bonus_pct_"))
    if not (pct.shown and size.shown):
        return None
    return round(float(pct.value) * float(size.value) / 100)


def protect_bonus_shares(gaps: Sequence[PayGap], unprotected: Mapping[str, PayGap],
                         families: Sequence[tuple[Share, Sequence[Share]]]) -> list[PayGap]:
    """Secondary suppression of bonus shares across comparisons that add up.

    A family is a group's bonus share and the shares of the groups that partition it: the
    organisation's women and the women of each workforce group; White British employees (the
    reference of every ethnicity gap) and White British men and women (the gender gap among them).
    Each share times its group's relevant employees (a count in the workforce tables) is its bonus
    recipients, and the parts' recipients add up to the whole's. So a withheld share can be given
    back by the others, by one family or by several together (all employees less police staff is the
    officers). As in the tables, the families' equations are solved exactly (``_determined``) and,
    while a withheld share is fixed by them, one more share in a family through it is withheld: the
    smallest non-zero (a zero when there is no other); the statutory gap is never withheld.
    ``unprotected`` are the gaps before any suppression, by id (the recipients are worked out from
    them); a comparison not made has no one in it and drops out of its family.
    """
    out = {g.id: g for g in gaps}
    statutory = {g.id for g in gaps if g.statutory}

    def recipients(share: Share) -> int:
        g = unprotected.get(share[0])
        return (_recipients(g, share[1]) if g else None) or 0

    def shown(share: Share) -> bool:
        return getattr(out[share[0]], share[1]).shown

    node = {(gid, name): Node(name, frozenset({("comparison", frozenset({gid}))})) for gid in out for name in BONUS_SHARES}
    share_of = {n: sh for sh, n in node.items()}
    lines = [Line(node[whole], tuple(node[p] for p in parts if p[0] in out)) for whole, parts in families
             if whole[0] in out and any(p[0] in out for p in parts)]
    through = _through(lines)
    for _ in range(len(node) + 1):
        hidden = {node[sh]: SECONDARY for sh in node if not shown(sh)}
        fixed = _determined(lines, hidden)
        if not fixed:
            break
        near = through.get(fixed[0], ())
        # in a family through it, else in a family through the other withheld shares of those
        # (whose equations fix it together)
        further = [ln for m in {c for line in near for c in line.cells if c in hidden} for ln in through.get(m, ())]
        candidates: list[Node] = []
        for group in (near, further):
            candidates = [m for line in group for m in line.cells if m not in hidden and share_of[m][0] not in statutory]
            if candidates:
                break
        if not candidates:
            break  # only the statutory figures are left beside it: published by law
        gid, name = min((share_of[m] for m in candidates), key=lambda sh: (recipients(sh) == 0, recipients(sh), sh))
        out[gid] = replace(out[gid], **{name: Cell(None, suppressed=SECONDARY)})
    # a side with no bonus at all leaves its comparison's bonus gaps blank "no one in the reference
    # group received a bonus", or 100% (the comparison group): beside a withheld share of that side,
    # that gives its 0 back, and with it what the 0 was withheld to shield (a red team read the 3 men
    # officers paid a bonus as all the men's 3 less the men staff's 0 that a blank said). So the gaps
    # are withheld there too
    for gid, g in out.items():
        if any(getattr(g, name).suppressed and recipients((gid, name)) == 0 for name in BONUS_SHARES):
            telling = [name for name in ("mean_bonus_gap", "median_bonus_gap")
                       if getattr(g, name).shown or getattr(g, name).not_calculable == NO_REFERENCE_BONUS]
            out[gid] = replace(g, **dict.fromkeys(telling, Cell(None, suppressed=SECONDARY)))
    return [out[g.id] for g in gaps]


PAY_GAP_PERCENTAGES = ("mean_hourly_gap", "median_hourly_gap", "mean_bonus_gap", "median_bonus_gap",
                       "bonus_pct_reference", "bonus_pct_comparison", "disclosure_rate")


def at_published_precision(gap: PayGap, rounding: str) -> PayGap:
    """Every percentage of a pay gap rounded once, as it is published (one decimal place, the
    GOV.UK service's precision, by the organisation's rounding rule): the figures file holds what the
    report prints. A share printed to the last binary digit is an exact fraction (a quarter's share
    of 265/561 names its size), which gave back the group sizes that disclosure control withholds.
    Disclosure control works on the unrounded figures first; rounding again at output changes
    nothing."""

    def rounded(c: Cell) -> Cell:
        return replace(c, value=float(round_pct(c.value, rounding))) if c.shown and c.value is not None else c

    def pair(a: Cell, b: Cell) -> tuple[Cell, Cell]:
        """A quarter's two shares add up to exactly 100.0, as the GOV.UK service requires: rounded
        one by one, 1.25 / 98.75 gave 1.3 / 98.8 in the report and 1.3 / 98.7 in the GOV.UK file."""
        if not (a.shown and b.shown and a.value is not None):
            return rounded(a), rounded(b)
        ra, rb = round_quartile_pair(a.value, rounding)
        return replace(a, value=float(ra)), replace(b, value=float(rb))

    changes: dict[str, object] = {name: rounded(getattr(gap, name)) for name in PAY_GAP_PERCENTAGES}
    changes["quartiles"] = {q: pair(a, b) for q, (a, b) in gap.quartiles.items()}
    return replace(gap, **changes)


def _small(cell: Cell, threshold: int) -> bool:
    return cell.shown and isinstance(cell.value, int | float) and 0 < cell.value < threshold


def as_published(figures: Figures) -> Figures:
    """The figures as a reader gets them: every withheld count gives one reason (``PUBLIC_REASON``),
    in the figures file, the tables, their notes and the words a screen reader hears."""
    return _public(figures)


def _public(obj: Any) -> Any:
    if isinstance(obj, Cell):
        return replace(obj, suppressed=PUBLIC_REASON[obj.suppressed]) if obj.suppressed in PUBLIC_REASON else obj
    if isinstance(obj, tuple | list):
        return type(obj)(_public(x) for x in obj)
    if isinstance(obj, dict):
        if obj.get("suppressed") in PUBLIC_REASON and set(obj) == {"value", "suppressed", "not_calculable"}:
            return {**obj, "suppressed": PUBLIC_REASON[obj["suppressed"]]}  # a Cell the quality facts hold as a dict
        return {k: _public(v) for k, v in obj.items()}
    if is_dataclass(obj) and not isinstance(obj, type):
        return replace(obj, **{f.name: _public(getattr(obj, f.name)) for f in fields(obj) if f.init})
    return obj
