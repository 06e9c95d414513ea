"""Counting people into tables, and turning protected counts into published ``Table``s.

A ``Draft`` is a table before disclosure control: a population, one or two dimensions and the
counts. All drafts of a run are counted in one polars pass (``count_all``), their counts go through
``disclosure.protect`` together (so margins shared between tables are protected together), and
``publish`` builds the ``Table`` with the standard measures:

``count``
  the number of people (or events) in the cell.
``pct_all``
  share of the row group: for a one-dimension table, of the whole population; for a two-dimension
  table (A, C), of the A-category's ``total`` (e.g. women's share of sergeants; ethnic-minority
  share of leavers who resigned).
``pct_stated``
  as ``pct_all`` but of those whose characteristic C was stated (Home Office convention); blank
  (``not_applicable``) on the not-stated rows.
``pct_of_column``
  count(a, c) / count(total, c): the share of category c found in a (e.g. share of women who are
  sergeants; the success rate of ethnic-minority internal applicants). Only when A is a partition.
``pct_of_previous_stage`` / ``pct_of_first_stage``
  for a cumulative first dimension (recruitment stages, training requests): count(s, c) over the
  count at the previous / first stage for the same c; blank (``not_applicable``) at the first stage.

Percentages are unrounded floats from 0 to 100.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from pipeline.figures import Cell, Row, Table
from pipeline.measures import disclosure as dc
from pipeline.measures.groups import TOTAL, Dimension

Keys = tuple[str, ...]
Domains = dict[tuple[str, str], frozenset[str]]


@dataclass(frozen=True)
class Population:
    """The people (or events) a table counts.

    ``universe`` names the set a reader could difference within (two populations in one universe
    differ only by ``members``, e.g. ``employees`` = the ``in_post`` universe restricted to employee
    workforce groups). ``frame`` holds exactly the population's rows.
    """

    name: str
    universe: str
    frame: pl.LazyFrame
    members: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class Draft:
    id: str
    section: str
    population: Population
    dims: tuple[Dimension, ...]
    measures: tuple[str, ...]
    notes: tuple[str, ...] = ()  # Table.note_codes
    published: bool = True  # False for counts published elsewhere (likelihood numerators)
    counts: dict[Keys, int] = field(default_factory=dict)
    nodes: dict[Keys, dc.Node] = field(default_factory=dict)

    @property
    def first(self) -> Dimension:
        return self.dims[0]

    @property
    def last(self) -> Dimension:
        return self.dims[-1]

    def row_keys(self) -> list[Keys]:
        keys_per_dim = [list(d.keys) + ([TOTAL] if d.partition else []) for d in self.dims]
        out: list[Keys] = [()]
        for ks in keys_per_dim:
            out = [o + (k,) for o in out for k in ks]
        return out


# --------------------------------------------------------------------------- counting
def _bases(d: Draft) -> tuple[str, ...]:
    return tuple(sorted({b for dim in d.dims for b in dim.bases}))


def _count(d: Draft, cube: pl.DataFrame) -> pl.DataFrame:
    """Count ``d`` from its population's ``cube`` (people grouped by the base columns ``d`` reads, with
    ``n``): the category expressions then run on a few dozen rows instead of every person."""
    f = cube.select([dim.key_expr().alias(f"k{i}") for i, dim in enumerate(d.dims)] + [pl.col("n")])
    for i, dim in enumerate(d.dims):
        if not dim.partition:
            f = f.explode(f"k{i}")
    return f.group_by([f"k{i}" for i in range(len(d.dims))]).agg(pl.col("n").sum())


def count_all(drafts: Sequence[Draft]) -> None:
    """Count every draft; fill zeros and ``total`` margins.

    Two plans for all. First each population is built once (its filters and joins run once), keeping
    only the base columns its drafts read; then, for each set of base columns a draft needs, that
    population is grouped once (``collect_all`` runs both steps in parallel). Every draft is then
    counted from its small grouped cube, not from every person. (Grouping straight from the
    population's plan made polars redo a population's joins for each of its dozen groupings.)"""
    pops = {id(d.population): d.population for d in drafts}
    wanted = list(dict.fromkeys((id(d.population), _bases(d)) for d in drafts))
    columns = {pid: sorted({b for q, bases in wanted if q == pid for b in bases}) for pid in pops}
    built = dict(zip(pops, pl.collect_all([pops[pid].frame.select(columns[pid]) for pid in pops]), strict=True))
    plans = [built[pid].lazy().group_by(list(bases)).agg(pl.len().alias("n")) if bases
             else built[pid].lazy().select(pl.len().alias("n")) for pid, bases in wanted]
    cubes = dict(zip(wanted, pl.collect_all(plans), strict=True))
    del built
    for d in drafts:
        res = _count(d, cubes[(id(d.population), _bases(d))])
        counts: dict[Keys, int] = {}
        for row in res.iter_rows():
            *keys, n = row
            if any(k is None for k in keys):
                raise ValueError(f"{d.id}: a row falls outside the categories of {[x.code for x in d.dims]}")
            counts[tuple(keys)] = int(n)
        d.counts = _with_margins(d.row_keys(), counts)


def _with_margins(row_keys: list[Keys], counts: Mapping[Keys, int]) -> dict[Keys, int]:
    """Each row's count: a row counts everyone whose categories match it, where ``total`` matches any.
    Each counted cell is added to the rows it falls in (itself, and with any of its categories made
    ``total``), rather than every row summing over every cell."""
    full = dict.fromkeys(row_keys, 0)
    for keys, n in counts.items():
        for row in itertools.product(*(dict.fromkeys((k, TOTAL)) for k in keys)):
            if row in full:
                full[row] += n
    return full


Nesting = Mapping[str, tuple[str, Mapping[str, frozenset[str]]]]  # outer base -> (inner base, outer code -> inner codes)


def assign_nodes(drafts: Sequence[Draft], domains: Domains, nesting: Nesting | None = None) -> None:
    """The node (the people counted) of every cell. Where a base refines another (``nesting``: a
    workforce group is its grades) and the universe has the finer one, the coarse code is written as
    the fine codes, so that a count reached through either is one node, and a group's total is seen
    to be the sum of its grades' (``groups.nesting``)."""
    for d in drafts:
        u = d.population.universe
        for keys in d.counts:
            members: dict[str, frozenset[str]] = dict(d.population.members)
            for dim, k in zip(d.dims, keys, strict=True):
                if k == TOTAL:
                    continue
                for base, codes in dim.members[k].items():
                    members[base] = members[base] & codes if base in members else codes
            for outer, (inner, parts) in (nesting or {}).items():
                if outer in members and (u, inner) in domains:
                    fine = frozenset().union(*(parts.get(code, frozenset()) for code in members.pop(outer)))
                    members[inner] = members[inner] & fine if inner in members else fine
            d.nodes[keys] = dc.node(u, members, domains)


def register_domains(
    drafts: Sequence[Draft], domains: Domains, extra: Mapping[tuple[str, str], frozenset[str]]
) -> None:
    """Record every base column's full code list per universe (a predicate allowing all is dropped)."""
    domains.update(extra)
    for d in drafts:
        for dim in d.dims:
            for base, dom in dim.domains.items():
                key = (d.population.universe, base)
                if key in domains and domains[key] != dom:
                    raise ValueError(f"{d.id}: two code lists for {base} in {d.population.universe}")
                domains[key] = dom


# --------------------------------------------------------------------------- publishing
@dataclass(frozen=True)
class Protected:
    """Counts of every draft with the decision of disclosure control."""

    values: Mapping[dc.Node, int]
    suppressed: Mapping[dc.Node, str]

    def count(self, n: dc.Node) -> Cell:
        return dc.count_cell(self.values[n], n, self.suppressed)

    def ratio(
        self, num: dc.Node, den_plus: Sequence[dc.Node], den_minus: Sequence[dc.Node] = (), scale: float = 100.0
    ) -> Cell:
        den = sum(self.values[n] for n in den_plus) - sum(self.values[n] for n in den_minus)
        return dc.derived_cell(self.values[num], den, (num, *den_plus, *den_minus), self.suppressed, scale)


CellRef = tuple[str, tuple[str, ...]]  # a table's cell: (table id, keys)


# a count that other figures publish: the people of one cell less those of another, and how many
Difference = tuple[CellRef, CellRef, int]
PUBLISHED_DIFFERENCE = "published_difference"  # the base of such a count's node (no table has it)


def protect_drafts(drafts: Sequence[Draft], domains: Domains, threshold: int,
                   published: Iterable[CellRef] = (), differences: Iterable[Difference] = (),
                   within: Iterable[tuple[CellRef, CellRef]] = ()) -> Protected:
    """Protect the drafts' counts together; ``published`` names (table id, keys) cells that other
    figures give away (``disclosure.protect``), and ``differences`` counts they publish that no table
    holds: each the first cell less the second, so the first is a line of the two, one part of it
    published (the statutory pay gap's men on full pay are the men employees less those of no known
    pay band). ``within`` pairs cells of different populations whose first's people are among the
    second's (people with a case, the cases): the first at most the second, and where the two are
    the same number, a line of one part, so that one is withheld with the other."""
    values: dict[dc.Node, int] = {}
    cells: list[tuple[str, dc.Node]] = []
    for d in drafts:
        for keys, n in d.nodes.items():
            v = d.counts[keys]
            if values.setdefault(n, v) != v:
                raise ValueError(f"{d.id}: one group of people counted twice with different results")
            cells.append((d.id, n))
    lines = dc.find_lines(cells, domains)
    nested = dc.find_nested(values, domains)
    by_id = {d.id: d for d in drafts}

    def resolve(ref: CellRef) -> dc.Node | None:
        table, keys = ref
        return by_id[table].nodes.get(keys) if table in by_id else None

    kept = [n for n in map(resolve, published) if n is not None]
    for whole, less, count in differences:
        a, b = resolve(whole), resolve(less)
        if a is None or b is None:
            continue
        given = dc.Node(a.universe, a.predicate | {(PUBLISHED_DIFFERENCE, frozenset({"|".join(less[1])}))})
        values[given] = count
        lines.append(dc.Line(a, (given, b)))
        kept.append(given)
    for inner, outer in within:
        a, b = resolve(inner), resolve(outer)
        if a is not None and b is not None:
            nested.append((a, b))
            if values[a] == values[b]:
                lines.append(dc.Line(b, (a,)))
    return Protected(values, dc.protect(values, lines, threshold, nested, kept))


def _na() -> Cell:
    return Cell(None, not_calculable=dc.NOT_APPLICABLE)


def publish(d: Draft, p: Protected) -> Table:
    rows: list[Row] = []
    first, last = d.first, d.last
    two = len(d.dims) == 2
    for keys in d.row_keys():
        n = d.nodes[keys]
        head = keys[:-1]
        row_total = d.nodes[(*head, TOTAL)]
        unstated = [d.nodes[(*head, k)] for k in last.unstated]
        cells: dict[str, Cell] = {}
        for m in d.measures:
            if m == "count":
                cells[m] = p.count(n)
            elif m == "pct_all":
                cells[m] = p.ratio(n, [row_total])
            elif m == "pct_stated":
                stated = keys[-1] not in last.unstated and keys[-1] != TOTAL
                cells[m] = p.ratio(n, [row_total], unstated) if stated else _na()
            elif m == "pct_of_column" and two and first.partition:
                cells[m] = p.ratio(n, [d.nodes[(TOTAL, keys[-1])]])
            elif m in ("pct_of_previous_stage", "pct_of_first_stage") and two and not first.partition:
                i = first.keys.index(keys[0])
                if i == 0:
                    cells[m] = _na()
                else:
                    ref = first.keys[i - 1] if m == "pct_of_previous_stage" else first.keys[0]
                    cells[m] = p.ratio(n, [d.nodes[(ref, keys[-1])]])
            else:
                raise ValueError(f"{d.id}: measure {m} does not fit dims {[x.code for x in d.dims]}")
        rows.append(Row(keys, cells))
    return Table(d.id, d.section, d.population.name, tuple(x.code for x in d.dims), d.measures, tuple(rows), d.notes)
