"""Dimensions: how people are grouped in the published tables, as category codes.

A ``Dimension`` names a table dimension (``Table.dims``) and lists its categories (``Row.keys``) in
print order. Each category is defined by the contract codes it covers, per *base column*
(``members``: key -> {base column: codes}); that definition is used twice:

- to put each person (or event) into a category (``Dimension.key_expr``), and
- by disclosure control, which must know that, say, the ``asian`` row of the broad-group table is the
  sum of the five ``asian_*`` rows of the detailed table (``pipeline.measures.disclosure``).

Derived groupings (``shared/spec/data-contract.md``, RDU and Home Office conventions,
``shared/spec/statutory-methodology.md`` §5):

``ethnic_group`` (broad Census groups), keys in RDU order (alphabetical, Other and unknown last):
  ``asian``, ``black``, ``mixed``, ``white``, ``other``, ``not_stated``.
``ethnic_minority`` ("ethnic minorities" in the RDU sense, *including* White minorities):
  ``white_british`` (= ``white_welsh_english_scottish_ni_british``), ``ethnic_minority`` (every other
  stated ethnicity), ``not_stated``.
``ethnic_minority_excl_white`` (Home Office police-workforce convention, "ethnic minorities
  (excluding White minorities)"): ``white`` (all White groups), ``ethnic_minority_excl_white``,
  ``not_stated``.
``not_stated`` in every derived grouping covers both ``not_stated`` and ``prefer_not_to_say``:
  neither tells us the person's characteristic, so both fall outside the "of those who stated"
  denominator.

Codes defined here (beyond the contract's):

- ``pay_band``: full-time-equivalent annual ordinary pay, see ``PAY_BANDS``; ``not_known`` when
  there is no full-pay pay row (not on full pay, or no pay row).
- ``stage`` (recruitment, cumulative: a person counts at every stage up to the furthest reached):
  the contract's ``STAGE`` codes.
- ``outcome`` of an internal application: ``successful`` (appointed), ``unsuccessful``.
- ``status`` of a training request (cumulative): ``requested``, ``approved``, ``completed``.
- ``status`` of maternity/adoption leave: ``returned``, ``did_not_return``, ``still_on_leave``.
- ``total``: the margin of a dimension whose categories partition everyone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

from pipeline.config import Organisation
from pipeline.extracts import contract as c

TOTAL = "total"
NOT_STATED = c.NOT_STATED
UNSTATED_CODES = frozenset({c.NOT_STATED, c.PREFER_NOT_TO_SAY})

Members = Mapping[str, frozenset[str]]  # base column -> codes


@dataclass(frozen=True)
class Dimension:
    """One dimension of a published table.

    ``partition`` is True when every person falls in exactly one category (then a ``total`` margin
    row is published and disclosure control treats the categories as adding up to it). A
    cumulative dimension (recruitment stages) is not a partition and has no ``total`` row.
    """

    code: str
    keys: tuple[str, ...]
    members: Mapping[str, Members]
    partition: bool = True
    unstated: frozenset[str] = frozenset()  # keys that are "not stated" (outside the stated denominator)
    domains: Mapping[str, frozenset[str]] = field(default_factory=dict)  # base -> every code of the base

    @property
    def stated_keys(self) -> tuple[str, ...]:
        return tuple(k for k in self.keys if k not in self.unstated)

    @property
    def bases(self) -> tuple[str, ...]:
        out: list[str] = []
        for m in self.members.values():
            out += [b for b in m if b not in out]
        return tuple(out)

    def membership(self, key: str) -> pl.Expr:
        """True for rows that fall in category ``key``."""
        expr = pl.lit(True)
        for base, codes in self.members[key].items():
            expr = expr & pl.col(base).is_in(sorted(codes))
        return expr

    def key_expr(self) -> pl.Expr:
        """The category code of each row (a partition), or the list of its categories (cumulative)."""
        if self.partition and len(self.bases) == 1:
            base = self.bases[0]
            mapping = {code: k for k, m in self.members.items() for code in m[base]}
            return pl.col(base).replace_strict(mapping, default=None, return_dtype=pl.String)
        if self.partition:
            expr: pl.Expr = pl.lit(None, dtype=pl.String)
            for k in reversed(self.keys):
                expr = pl.when(self.membership(k)).then(pl.lit(k)).otherwise(expr)
            return expr
        return pl.concat_list([pl.when(self.membership(k)).then(pl.lit(k)) for k in self.keys]).list.drop_nulls()


def _simple(code: str, base: str, codes: Iterable[str], unstated: Iterable[str] = ()) -> Dimension:
    codes = tuple(codes)
    members = {k: {base: frozenset({k})} for k in codes}
    return Dimension(code, codes, members, True, frozenset(unstated) & frozenset(codes), {base: frozenset(codes)})


def _grouped(code: str, base: str, groups: Mapping[str, Iterable[str]], unstated: Iterable[str] = ()) -> Dimension:
    members = {k: {base: frozenset(v)} for k, v in groups.items()}
    domain = frozenset().union(*(m[base] for m in members.values()))
    return Dimension(code, tuple(groups), members, True, frozenset(unstated), {base: domain})


# --------------------------------------------------------------------------- ethnicity groupings
WHITE_BRITISH = c.WHITE_BRITISH
STATED_ETHNICITIES = tuple(e for e in c.ETHNICITY if e not in UNSTATED_CODES)
WHITE_MINORITIES = tuple(e for e in STATED_ETHNICITIES if e.startswith("white_") and e != WHITE_BRITISH)

BROAD_GROUPS: dict[str, tuple[str, ...]] = {
    "asian": tuple(e for e in STATED_ETHNICITIES if e.startswith("asian_")),
    "black": tuple(e for e in STATED_ETHNICITIES if e.startswith("black_")),
    "mixed": tuple(e for e in STATED_ETHNICITIES if e.startswith("mixed_")),
    "white": tuple(e for e in STATED_ETHNICITIES if e.startswith("white_")),
    "other": tuple(e for e in STATED_ETHNICITIES if e.startswith("other_")),
}
assert sum(len(v) for v in BROAD_GROUPS.values()) == len(STATED_ETHNICITIES)

ETHNICITY = _simple("ethnicity", "ethnicity", c.ETHNICITY, UNSTATED_CODES)
ETHNIC_GROUP = _grouped("ethnic_group", "ethnicity", {**BROAD_GROUPS, NOT_STATED: tuple(UNSTATED_CODES)}, {NOT_STATED})
ETHNIC_MINORITY = _grouped(
    "ethnic_minority",
    "ethnicity",
    {
        "white_british": (WHITE_BRITISH,),
        "ethnic_minority": tuple(e for e in STATED_ETHNICITIES if e != WHITE_BRITISH),
        NOT_STATED: tuple(UNSTATED_CODES),
    },
    {NOT_STATED},
)
ETHNIC_MINORITY_EXCL_WHITE = _grouped(
    "ethnic_minority_excl_white",
    "ethnicity",
    {
        "white": BROAD_GROUPS["white"],
        "ethnic_minority_excl_white": tuple(e for e in STATED_ETHNICITIES if not e.startswith("white_")),
        NOT_STATED: tuple(UNSTATED_CODES),
    },
    {NOT_STATED},
)
# Pay-gap comparison groups: White British against each group of ethnic minorities.
ETHNIC_PAY_GROUP = _grouped(
    "ethnic_pay_group",
    "ethnicity",
    {
        "white_british": (WHITE_BRITISH,),
        "white_minority": WHITE_MINORITIES,
        **{k: v for k, v in BROAD_GROUPS.items() if k != "white"},
        NOT_STATED: tuple(UNSTATED_CODES),
    },
    {NOT_STATED},
)

# --------------------------------------------------------------------------- other characteristics
SEX_EMPLOYEES = _simple("sex", "sex", c.SEX)  # sex is required in employees: always stated
SEX_APPLICANTS = _simple("sex", "sex", c.SEX + (NOT_STATED,), {NOT_STATED})
AGE_BAND = _simple("age_band", "age_band", c.AGE_BAND + (NOT_STATED,), UNSTATED_CODES)
DISABILITY = _simple("disability", "disability", c.DISABILITY, UNSTATED_CODES)
RELIGION = _simple("religion", "religion", c.RELIGION, UNSTATED_CODES)
SEXUAL_ORIENTATION = _simple("sexual_orientation", "sexual_orientation", c.SEXUAL_ORIENTATION, UNSTATED_CODES)
GENDER_IDENTITY = _simple("gender_identity", "gender_identity_same_as_sex_at_birth", c.GENDER_IDENTITY, UNSTATED_CODES)
MARITAL_STATUS = _simple("marital_status", "marital_status", c.MARITAL_STATUS, UNSTATED_CODES)
WELSH_SPEAKING = _simple("welsh_speaking", "welsh_speaking", c.WELSH_SPEAKING, UNSTATED_CODES)

# Welsh level from which a person counts as a Welsh speaker when set beside the Census question
# "can you speak Welsh?" (representation only). The Welsh police forces' agreed level definitions
# were not available (shared/reference/README.md §6); level 3 is taken as conversational.
WELSH_SPEAKER_MIN_LEVEL = 3
SPEAKS_WELSH = "speaks_welsh"
WELSH_SPEAKER_CODES = frozenset(str(n) for n in range(WELSH_SPEAKER_MIN_LEVEL, 6))


def characteristics(sex: Dimension, detailed_ethnicity: bool) -> tuple[Dimension, ...]:
    """The protected characteristics (and the Welsh language) a population is broken down by.

    The detailed 19-category ethnicity is published for the workforce only: in the lifecycle flows
    almost every detailed cell would be a small number, so flows use the broad groupings.
    """
    eth = (ETHNICITY,) if detailed_ethnicity else ()
    return (
        sex,
        AGE_BAND,
        *eth,
        ETHNIC_GROUP,
        ETHNIC_MINORITY,
        ETHNIC_MINORITY_EXCL_WHITE,
        DISABILITY,
        RELIGION,
        SEXUAL_ORIENTATION,
        GENDER_IDENTITY,
        MARITAL_STATUS,
        WELSH_SPEAKING,
    )


def community_categories() -> dict[str, tuple[str, ...]]:
    """What a community (Census) share can be set beside: each workforce profile characteristic
    with its stated categories, and ``speaks_welsh`` under ``welsh_speaking``. The representation
    tables use exactly these; the community file is checked against them."""
    out = {d.code: d.stated_keys for d in characteristics(SEX_EMPLOYEES, detailed_ethnicity=True)}
    out[WELSH_SPEAKING.code] += (SPEAKS_WELSH,)
    return out


# --------------------------------------------------------------------------- organisation dimensions
def workforce_group(org: Organisation, groups: Iterable[str] | None = None) -> Dimension:
    return _simple("workforce_group", "workforce_group", tuple(groups) if groups is not None else tuple(org.groups))


def grade(org: Organisation) -> Dimension:
    """Grades in the profile's order: group by group, lowest first (a grade shared by groups once)."""
    codes: list[str] = []
    for g in org.groups.values():
        codes += [gr for gr in g.grades if gr not in codes]
    codes += [gr for gr in org.grades if gr not in codes]
    return _simple("grade", "grade", codes)


def nesting(org: Organisation) -> dict[str, tuple[str, dict[str, frozenset[str]]]]:
    """Base columns that another base column refines: ``{"workforce_group": ("grade", {group: its
    grades})}`` when every grade of the profile belongs to exactly one group (validation makes each
    person's grade one of their group's), else nothing.

    A workforce group is then the same people as its grades: "PCSOs" and the grade "PCSO" are one
    count, and "police officers" is the sum of the ranks. Disclosure control must see that: a count
    withheld in the grade table would otherwise be printed again, or worked out by difference, from
    the workforce group table (``crosstab.assign_nodes`` writes a group as its grades)."""
    owners: dict[str, list[str]] = {}
    for code, grp in org.groups.items():
        for gr in grp.grades:
            owners.setdefault(gr, []).append(code)
    if any(len(v) != 1 for v in owners.values()) or set(grade(org).keys) != set(owners):
        return {}
    return {"workforce_group": ("grade", {code: frozenset(grp.grades) for code, grp in org.groups.items()})}


CONTRACT_TYPE = _simple("contract_type", "contract_type", c.CONTRACT_TYPE)
WORKING_PATTERN = _simple("working_pattern", "working_pattern", c.WORKING_PATTERN)

# Full-time-equivalent annual ordinary pay bands (lower bound inclusive), pounds.
PAY_BAND_EDGES: tuple[tuple[str, int], ...] = (
    ("under_20k", 0),
    ("20k_25k", 20_000),
    ("25k_30k", 25_000),
    ("30k_35k", 30_000),
    ("35k_40k", 35_000),
    ("40k_45k", 40_000),
    ("45k_50k", 45_000),
    ("50k_60k", 50_000),
    ("60k_70k", 60_000),
    ("70k_80k", 70_000),
    ("80k_100k", 80_000),
    ("100k_plus", 100_000),
)
NOT_KNOWN = "not_known"
PAY_BANDS = tuple(b for b, _ in PAY_BAND_EDGES) + (NOT_KNOWN,)
PAY_BAND = _simple("pay_band", "pay_band", PAY_BANDS, {NOT_KNOWN})


def pay_band_expr(annual: pl.Expr) -> pl.Expr:
    """Band of a full-time-equivalent annual pay (Float64, pounds); null -> ``not_known``."""
    expr: pl.Expr = pl.lit(NOT_KNOWN)
    for band, lower in PAY_BAND_EDGES:
        expr = pl.when(annual >= lower).then(pl.lit(band)).otherwise(expr)
    return pl.when(annual.is_null()).then(pl.lit(NOT_KNOWN)).otherwise(expr)


# --------------------------------------------------------------------------- lifecycle dimensions
def _cumulative(code: str, base: str, order: tuple[str, ...]) -> Dimension:
    members = {s: {base: frozenset(order[i:])} for i, s in enumerate(order)}
    return Dimension(code, order, members, partition=False, domains={base: frozenset(order)})


STAGE = _cumulative("stage", "stage_reached", c.STAGE)
INTERNAL_OUTCOME = _grouped("outcome", "stage_reached", {"successful": ("appointed",), "unsuccessful": c.STAGE[:-1]})
TRAINING_STATUS = Dimension(
    "status",
    ("requested", "approved", "completed"),
    {
        "requested": {},
        "approved": {"training_outcome": frozenset({"approved"})},
        # validation makes "completed" imply "approved": said here, so that disclosure control sees
        # the completed among the approved (``disclosure.find_nested``)
        "completed": {"training_outcome": frozenset({"approved"}), "training_completed": frozenset({"true"})},
    },
    partition=False,
    domains={"training_outcome": frozenset(c.TRAINING_OUTCOME), "training_completed": frozenset({"true", "false"})},
)
GRIEVANCE_ROLE = _simple("role", "role", c.GRIEVANCE_ROLE)
DISCIPLINARY_OUTCOME = _simple("outcome", "disciplinary_outcome", c.DISCIPLINARY_OUTCOME)
LEAVE_REASON = _simple("leave_reason", "leave_reason", c.LEAVE_REASON)
MATERNITY_STATUSES = ("returned", "did_not_return", "still_on_leave")
MATERNITY_STATUS = _simple("status", "maternity_status", MATERNITY_STATUSES)


# --------------------------------------------------------------------------- frames
def with_groupings(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """Add the derived ethnicity groupings as columns named after their dimension."""
    return frame.with_columns(
        ETHNIC_GROUP.key_expr().alias(ETHNIC_GROUP.code),
        ETHNIC_MINORITY.key_expr().alias(ETHNIC_MINORITY.code),
        ETHNIC_MINORITY_EXCL_WHITE.key_expr().alias(ETHNIC_MINORITY_EXCL_WHITE.code),
        ETHNIC_PAY_GROUP.key_expr().alias(ETHNIC_PAY_GROUP.code),
    )


def stated(column: str) -> pl.Expr:
    """True where the characteristic in ``column`` was given (neither not stated nor prefer not to say)."""
    return ~pl.col(column).is_in(sorted(UNSTATED_CODES))
