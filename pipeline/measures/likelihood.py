"""Relative likelihoods, WRES/WDES style (``shared/spec/statutory-methodology.md`` §4, G11).

rate(group) = outcome count / base count; relative likelihood = rate(X) / rate(Y); 1.00 is parity.
The ratio is an unrounded float (2 d.p. at output). It is not calculable when a base is 0
(``zero_denominator``) or either rate is 0 (``zero_rate``), and withheld when any of the four
counts is (``rests_on_suppressed``).

Groups (``characteristic`` is the dimension whose codes name the groups):

============  ====================  ===============  ================
id suffix     characteristic        reference        comparison
============  ====================  ===============  ================
ethnicity     ethnic_minority       white_british    ethnic_minority
disability    disability            no               yes
sex           sex                   male             female
============  ====================  ===============  ================

Direction, as WRES/WDES: for a favourable outcome X = reference, Y = comparison (WRES indicator 2:
"white applicants being appointed ... compared to BME applicants"); for an adverse outcome X =
comparison, Y = reference (WRES indicator 3). Either way a ratio above 1 means the comparison group
fares worse.

==================================  ========================================  ==========================
outcome id                          outcome / base                            direction
==================================  ========================================  ==========================
appointment_from_shortlisting       appointed / shortlisted (external)        favourable (WRES 2, WDES 2)
entering_disciplinary               people with a formal case started in the  adverse (WRES 3, WDES 3)
                                    period / workforce on 31 March
accessing_training                  people with a training request approved   favourable (WRES 4)
                                    / workforce on 31 March
leaving                             leavers in the period / workforce on      adverse (social-care WRES)
                                    31 March
<stage>_from_<previous stage>       recruitment funnel, each step: reaching   favourable
                                    the stage / reaching the previous stage
==================================  ========================================  ==========================

Bases are the workforce headcount on 31 March, as WRES indicator 3 uses, so that every base is a
count already published (and protected) in a ``profile`` table. People counted in a numerator may
have left by 31 March; training and disciplinary numerators count people, not requests or cases.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from pipeline.extracts import contract as c
from pipeline.extracts.frames import Extracts
from pipeline.figures import Cell, Likelihood
from pipeline.measures import disclosure as dc
from pipeline.measures import groups as g
from pipeline.measures.crosstab import Draft, Population, Protected


@dataclass(frozen=True)
class Comparison:
    name: str  # id suffix
    dim: g.Dimension
    reference: str
    comparison: str


COMPARISONS = (
    Comparison("ethnicity", g.ETHNIC_MINORITY, "white_british", "ethnic_minority"),
    Comparison("disability", g.DISABILITY, "no", "yes"),
    Comparison("sex", g.SEX_EMPLOYEES, "male", "female"),
)


def drafts(extracts: Extracts) -> list[Draft]:
    """Counts of people behind the training and disciplinary numerators (published in ``Likelihood``)."""
    # Each person once, with their characteristics from the employees extract: the people with an
    # approved request (or a case) are picked by id, rather than joining every request to its person
    # and then dropping the repeats.
    people = {
        "training_people": extracts.training.lazy().filter(pl.col("outcome") == "approved"),
        "disciplinary_people": extracts.disciplinary.lazy(),
    }
    out = []
    for universe, events in people.items():
        frame = extracts.employees.lazy().join(events.select("employee_id"), on="employee_id", how="semi")
        pop = Population(universe, universe, frame)
        for cmp in COMPARISONS:
            out.append(
                Draft(
                    f"likelihood.{universe}.{cmp.dim.code}", "likelihood", pop, (cmp.dim,), ("count",), published=False
                )
            )
    return out


# the events each numerator's people are among (table prefix, key of the events on its first dimension)
PEOPLE_AMONG = {"disciplinary_people": ("disciplinary", g.TOTAL), "training_people": ("training", "approved")}


def people_among_events(drafts: Sequence[Draft]) -> list[tuple[Ref, Ref]]:
    """(people, events) cells: the people with a case (or an approved training request) of each
    group, and the cases (approved requests) of that group in the events tables. Each person has at
    least one, so the people are at most the events; and where each has just one, the same number,
    which a reader would guess: the 5 women entering disciplinary printed beside the disciplinary
    table's withheld 5 cases of women (a red team's find in 25 cells of 56 synthetic org-years)."""
    ids = {d.id for d in drafts}
    out = []
    for d in drafts:
        section, universe, dim = (d.id.split(".") + ["", ""])[:3]
        if section != "likelihood" or universe not in PEOPLE_AMONG:
            continue
        table, events = PEOPLE_AMONG[universe]
        if f"{table}.{dim}" in ids:
            out += [((d.id, keys), (f"{table}.{dim}", (events, *keys))) for keys in d.nodes]
    return out


def ratio(ox: int, bx: int, oy: int, by: int, rests_on: tuple[dc.Node, ...], suppressed: Mapping[dc.Node, str]) -> Cell:
    """(ox / bx) / (oy / by), with the reasons it may not be shown."""
    if dc.rests_on_suppressed(rests_on, suppressed):
        return Cell(None, suppressed=dc.RESTS_ON_SUPPRESSED)
    if bx == 0 or by == 0:
        return Cell(None, not_calculable=dc.ZERO_DENOMINATOR)
    if ox == 0 or oy == 0:
        return Cell(None, not_calculable=dc.ZERO_RATE)
    return Cell((ox / bx) / (oy / by))


def rate(outcome: int, base: int, rests_on: tuple[dc.Node, ...], suppressed: Mapping[dc.Node, str]) -> Cell:
    """One group's rate (outcome / base x 100), shown beside the ratio so readers see both sides."""
    if dc.rests_on_suppressed(rests_on, suppressed):
        return Cell(None, suppressed=dc.RESTS_ON_SUPPRESSED)
    if base == 0:
        return Cell(None, not_calculable=dc.ZERO_DENOMINATOR)
    return Cell(outcome / base * 100)


Ref = tuple[str, tuple[str, ...]]  # (draft id, row keys)
Spec = tuple[str, bool, Callable[[str], Ref], Callable[[str], Ref]]  # id, favourable?, outcome, base


def specs(d: str) -> list[Spec]:
    """The outcomes compared for dimension ``d``: where each group's outcome and base counts live."""
    out: list[Spec] = [
        (
            "appointment_from_shortlisting",
            True,
            lambda grp: (f"recruitment.{d}", ("appointed", grp)),
            lambda grp: (f"recruitment.{d}", ("shortlisted", grp)),
        ),
        (
            "entering_disciplinary",
            False,
            lambda grp: (f"likelihood.disciplinary_people.{d}", (grp,)),
            lambda grp: (f"profile.{d}", (grp,)),
        ),
        (
            "accessing_training",
            True,
            lambda grp: (f"likelihood.training_people.{d}", (grp,)),
            lambda grp: (f"profile.{d}", (grp,)),
        ),
        ("leaving", False, lambda grp: (f"leavers.{d}", (g.TOTAL, grp)), lambda grp: (f"profile.{d}", (grp,))),
    ]
    for prev, stage in zip(c.STAGE, c.STAGE[1:]):
        out.append(
            (
                f"{stage}_from_{prev}",
                True,
                lambda grp, s=stage: (f"recruitment.{d}", (s, grp)),
                lambda grp, s=prev: (f"recruitment.{d}", (s, grp)),
            )
        )
    return out


def likelihoods(nodes: Mapping[str, Mapping[tuple[str, ...], dc.Node]], p: Protected) -> list[Likelihood]:
    """``nodes``: draft id -> row keys -> node, for every draft of the run."""
    out: list[Likelihood] = []
    for cmp in COMPARISONS:
        for outcome, favourable, num, base in specs(cmp.dim.code):
            x, y = (cmp.reference, cmp.comparison) if favourable else (cmp.comparison, cmp.reference)
            ref = tuple(nodes[t][k] for t, k in (num(x), base(x), num(y), base(y)))
            ox, bx, oy, by = (p.values[n] for n in ref)
            out.append(
                Likelihood(
                    id=f"{outcome}.{cmp.name}",
                    characteristic=cmp.dim.code,
                    numerator_group=x,
                    denominator_group=y,
                    outcome_x=p.count(ref[0]),
                    base_x=p.count(ref[1]),
                    outcome_y=p.count(ref[2]),
                    base_y=p.count(ref[3]),
                    ratio=ratio(ox, bx, oy, by, rests_on=ref, suppressed=p.suppressed),
                    rate_x=rate(ox, bx, rests_on=ref[:2], suppressed=p.suppressed),
                    rate_y=rate(oy, by, rests_on=ref[2:], suppressed=p.suppressed),
                )
            )
    return out
