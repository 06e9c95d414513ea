"""A small ``Figures`` built by hand for the render tests: a few tables of every shape (one and two
dimensions, a cumulative stage dimension), a withheld cell of each kind, a "not stated" row, a gender
pay gap with quartiles, a pay gap for one workforce group, an unpublished comparison, a comparison
with a bonus gap that cannot be calculated, and two relative likelihoods.

The numbers need not add up: the report layer never computes, it only formats.
"""

from __future__ import annotations

from pipeline.config import Grade, Organisation, Settings, WorkforceGroup
from pipeline.figures import Cell, Figures, Likelihood, PayGap, Row, Table

NA = Cell(None, not_calculable="not_applicable")
SMALL = Cell(None, suppressed="withheld")
SECONDARY = Cell(None, suppressed="withheld")
RESTS = Cell(None, suppressed="rests_on_suppressed")

COMMENTARY = {
    "en": {
        "01-introduction.md": "# A word from the Chief Constable\n\nWe are proud of the **progress** we made this year.\n\n"
                              "- We launched a *positive action* programme.\n- We reviewed our recruitment process.\n",
        "02-objectives.md": "## Objective 1: a workforce that reflects our communities\n\nWe met most of our "
                            "milestones. See the [data file](../data/figures.csv).\n",
    },
    "cy": {
        "01-introduction.md": "# Gair gan y Prif Gwnstabl\n\nRydym yn falch o'r **cynnydd** a wnaethom eleni.\n\n"
                              "- Lansiwyd rhaglen *gweithredu cadarnhaol* gennym.\n- Adolygwyd ein proses recriwtio.\n",
        "02-objectives.md": "## Amcan 1: gweithlu sy'n adlewyrchu ein cymunedau\n\nCyflawnwyd y rhan fwyaf o'n "
                            "cerrig milltir. Gweler y [ffeil ddata](../data/figures.csv).\n",
    },
}


def organisation() -> Organisation:
    grades = {
        "constable": Grade("constable", "Constable", "Cwnstabl"),
        "sergeant": Grade("sergeant", "Sergeant", "Rhingyll"),
        "inspector": Grade("inspector", "Inspector", "Arolygydd"),
        "scale_1": Grade("scale_1", "Scale 1", "Graddfa 1"),
        "scale_2": Grade("scale_2", "Scale 2", "Graddfa 2"),
        "special_constable": Grade("special_constable", "Special constable", "Cwnstabl gwirfoddol"),
    }
    groups = {
        "officer": WorkforceGroup("officer", "Police officers", "Swyddogion heddlu",
                                  ("constable", "sergeant", "inspector"), officer_like=True),
        "staff": WorkforceGroup("staff", "Police staff", "Staff yr heddlu", ("scale_1", "scale_2")),
        "special": WorkforceGroup("special", "Special constables", "Cwnstabliaid gwirfoddol", ("special_constable",),
                                  employee=False),
    }
    return Organisation("heddlu-prawf", "Test Police", "Heddlu Prawf", groups, grades, settings=Settings())


def _one(tid: str, section: str, dim: str, rows: list[tuple[str, dict[str, Cell]]],
         measures: tuple[str, ...] = ("count", "pct_all", "pct_stated")) -> Table:
    return Table(tid, section, "workforce", (dim,), measures, tuple(Row((k,), c) for k, c in rows))


def _c(n: float | int) -> Cell:
    return Cell(n)


def tables() -> tuple[Table, ...]:
    sex = _one("profile.sex", "profile", "sex", [
        ("female", {"count": _c(1234), "pct_all": _c(38.56), "pct_stated": _c(38.56)}),
        ("male", {"count": _c(1966), "pct_all": _c(61.44), "pct_stated": _c(61.44)}),
        ("total", {"count": _c(3200), "pct_all": _c(100.0), "pct_stated": NA}),
    ])
    eth = _one("profile.ethnic_group", "profile", "ethnic_group", [
        ("asian", {"count": SMALL, "pct_all": RESTS, "pct_stated": RESTS}),
        ("black", {"count": SECONDARY, "pct_all": RESTS, "pct_stated": RESTS}),
        ("mixed", {"count": _c(17), "pct_all": _c(0.53125), "pct_stated": _c(0.5797)}),
        ("white", {"count": _c(2911), "pct_all": _c(90.97), "pct_stated": _c(99.25)}),
        ("other", {"count": _c(0), "pct_all": _c(0.0), "pct_stated": _c(0.0)}),
        ("not_stated", {"count": _c(267), "pct_all": _c(8.34), "pct_stated": NA}),
        ("total", {"count": _c(3200), "pct_all": _c(100.0), "pct_stated": NA}),
    ])
    age = _one("profile.age_band", "profile", "age_band", [
        ("16-24", {"count": _c(301), "pct_all": _c(9.41), "pct_stated": _c(9.5)}),
        ("25-34", {"count": _c(905), "pct_all": _c(28.28), "pct_stated": _c(28.6)}),
        ("35-44", {"count": _c(880), "pct_all": _c(27.5), "pct_stated": _c(27.8)}),
        ("45-54", {"count": _c(702), "pct_all": _c(21.94), "pct_stated": _c(22.2)}),
        ("55-64", {"count": _c(370), "pct_all": _c(11.56), "pct_stated": _c(11.7)}),
        ("65+", {"count": SMALL, "pct_all": RESTS, "pct_stated": RESTS}),
        ("not_stated", {"count": SECONDARY, "pct_all": RESTS, "pct_stated": NA}),
        ("total", {"count": _c(3200), "pct_all": _c(100.0), "pct_stated": NA}),
    ])
    grade_rows = []
    for g, f, m in (("constable", 412, 702), ("sergeant", 61, 170), ("inspector", SMALL, 40), ("scale_1", 300, 120),
                    ("scale_2", 150, 90), ("special_constable", 22, 51), ("total", 1234, 1966)):
        fc = f if isinstance(f, Cell) else _c(f)
        total = (f if isinstance(f, int) else 0) + m
        grade_rows.append(Row((g, "female"), {"count": fc, "pct_all": RESTS if isinstance(f, Cell) else _c(100 * f / total),
                                             "pct_of_column": RESTS if isinstance(f, Cell) else _c(100 * f / 1234)}))
        grade_rows.append(Row((g, "male"), {"count": SECONDARY if isinstance(f, Cell) else _c(m),
                                           "pct_all": RESTS if isinstance(f, Cell) else _c(100 * m / total),
                                           "pct_of_column": RESTS if isinstance(f, Cell) else _c(100 * m / 1966)}))
        grade_rows.append(Row((g, "total"), {"count": _c(total if isinstance(f, int) else 44), "pct_all": _c(100.0),
                                            "pct_of_column": _c(100 * total / 3200)}))
    grade = Table("men_women.grade", "men_women", "workforce", ("grade", "sex"), ("count", "pct_all", "pct_of_column"),
                  tuple(grade_rows))
    group_rows = []
    for grp, f, m in (("officer", 473, 912), ("staff", 450, 210), ("special", 22, 51), ("total", 945, 1173)):
        t = f + m
        group_rows += [Row((grp, "female"), {"count": _c(f), "pct_all": _c(100 * f / t), "pct_of_column": _c(50.0)}),
                       Row((grp, "male"), {"count": _c(m), "pct_all": _c(100 * m / t), "pct_of_column": _c(50.0)}),
                       Row((grp, "total"), {"count": _c(t), "pct_all": _c(100.0), "pct_of_column": _c(50.0)})]
    wg = Table("men_women.workforce_group", "men_women", "workforce", ("workforce_group", "sex"),
               ("count", "pct_all", "pct_of_column"), tuple(group_rows))
    rec_rows = []
    for stage, f, m, ns in (("applied", 640, 1210, 31), ("shortlisted", 301, 544, 12), ("interviewed", 150, 260, 6),
                            ("offered", 61, 97, SMALL), ("appointed", 58, 90, SMALL)):
        nsc = ns if isinstance(ns, Cell) else _c(ns)
        tot = f + m + (ns if isinstance(ns, int) else 3)
        rec_rows += [
            Row((stage, "female"), {"count": _c(f), "pct_all": _c(100 * f / tot), "pct_stated": _c(100 * f / (f + m)),
                                    "pct_of_previous_stage": NA if stage == "applied" else _c(47.0),
                                    "pct_of_first_stage": NA if stage == "applied" else _c(21.0)}),
            Row((stage, "male"), {"count": _c(m), "pct_all": _c(100 * m / tot), "pct_stated": _c(100 * m / (f + m)),
                                  "pct_of_previous_stage": NA if stage == "applied" else _c(45.0),
                                  "pct_of_first_stage": NA if stage == "applied" else _c(19.0)}),
            Row((stage, "not_stated"), {"count": nsc, "pct_all": RESTS if isinstance(ns, Cell) else _c(100 * ns / tot),
                                        "pct_stated": NA, "pct_of_previous_stage": NA, "pct_of_first_stage": NA}),
            Row((stage, "total"), {"count": SECONDARY if isinstance(ns, Cell) else _c(tot), "pct_all": _c(100.0),
                                   "pct_stated": NA, "pct_of_previous_stage": NA, "pct_of_first_stage": NA}),
        ]
    rec = Table("recruitment.sex", "recruitment", "external_applications", ("stage", "sex"),
                ("count", "pct_all", "pct_stated", "pct_of_previous_stage", "pct_of_first_stage"), tuple(rec_rows))
    rep = Table("representation.ethnic_group", "representation", "workforce", ("ethnic_group",),
                ("workforce_pct", "community_pct", "ratio"), (
                    Row(("asian",), {"workforce_pct": RESTS, "community_pct": _c(2.1), "ratio": RESTS}),
                    Row(("mixed",), {"workforce_pct": _c(0.58), "community_pct": _c(1.4), "ratio": _c(0.414)}),
                    Row(("white",), {"workforce_pct": _c(99.25), "community_pct": _c(94.2), "ratio": _c(1.0536)}),
                    Row(("other",), {"workforce_pct": _c(0.0), "community_pct": _c(0.8),
                                     "ratio": Cell(None, not_calculable="zero_rate")}),
                ))
    change = Table("change.sex", "change", "workforce", ("sex",),
                   ("count", "count_previous", "pct_stated", "pct_stated_previous", "change_points"), (
                       Row(("female",), {"count": _c(1234), "count_previous": _c(1180), "pct_stated": _c(38.56),
                                         "pct_stated_previous": _c(37.3), "change_points": _c(1.26)}),
                       Row(("male",), {"count": _c(1966), "count_previous": _c(1985), "pct_stated": _c(61.44),
                                       "pct_stated_previous": _c(62.7), "change_points": _c(-1.26)}),
                       Row(("total",), {"count": _c(3200), "count_previous": _c(3165), "pct_stated": NA,
                                        "pct_stated_previous": NA, "change_points": NA}),
                   ))
    return (sex, age, eth, grade, wg, rec, rep, change)


def _q(ref: float, cmp: float) -> tuple[Cell, Cell]:
    return Cell(ref), Cell(cmp)


def pay_gaps() -> tuple[PayGap, ...]:
    gender = PayGap(
        id="gender", reference="male", comparison="female", population="all",
        n_reference=Cell(1510), n_comparison=Cell(1102), n_relevant_reference=Cell(1530), n_relevant_comparison=Cell(1150),
        disclosure_rate=Cell(None, not_calculable="not_applicable"),
        mean_hourly_gap=Cell(6.45), median_hourly_gap=Cell(7.05), mean_bonus_gap=Cell(-12.25),
        median_bonus_gap=Cell(0.0), bonus_pct_reference=Cell(1.52), bonus_pct_comparison=Cell(1.03),
        quartiles={"lower": _q(46.9, 53.1), "lower_middle": _q(47.1, 52.9), "upper_middle": _q(49.8, 50.2),
                   "upper": _q(64.8, 35.2)},
        quartile_sizes={"lower": 654, "lower_middle": 653, "upper_middle": 653, "upper": 652}, statutory=True,
    )
    withheld = Cell(None, suppressed="withheld")  # a voluntary comparison publishes no group sizes
    officer = PayGap(
        id="gender.officer", reference="male", comparison="female", population="officer",
        n_reference=withheld, n_comparison=withheld, n_relevant_reference=withheld, n_relevant_comparison=withheld,
        disclosure_rate=Cell(None, not_calculable="not_applicable"),
        mean_hourly_gap=Cell(3.2), median_hourly_gap=Cell(0.0), mean_bonus_gap=Cell(None, not_calculable="no_reference_bonus"),
        median_bonus_gap=Cell(None, not_calculable="no_reference_bonus"), bonus_pct_reference=Cell(0.0),
        bonus_pct_comparison=Cell(0.0),
        quartiles={"lower": _q(60.0, 40.0), "lower_middle": _q(66.1, 33.9), "upper_middle": _q(68.0, 32.0),
                   "upper": _q(72.2, 27.8)},
    )
    minority = PayGap(
        id="ethnicity.minority", reference="white_british", comparison="ethnic_minority", population="all",
        n_reference=Cell(2400), n_comparison=Cell(None, suppressed="withheld"), n_relevant_reference=Cell(2420),
        n_relevant_comparison=Cell(None, suppressed="withheld"), disclosure_rate=Cell(91.7),
        mean_hourly_gap=NA, median_hourly_gap=NA, mean_bonus_gap=NA, median_bonus_gap=NA,
        bonus_pct_reference=NA, bonus_pct_comparison=NA, published=False, gate_reason="below_min_group",
    )
    disability = PayGap(
        id="disability", reference="no", comparison="yes", population="all",
        n_reference=withheld, n_comparison=withheld, n_relevant_reference=withheld, n_relevant_comparison=withheld,
        disclosure_rate=Cell(85.25), mean_hourly_gap=Cell(4.1), median_hourly_gap=Cell(-2.35),
        mean_bonus_gap=Cell(None, not_calculable="no_reference_bonus"),
        median_bonus_gap=Cell(None, not_calculable="no_reference_bonus"),
        bonus_pct_reference=Cell(0.9), bonus_pct_comparison=Cell(0.0),
        quartiles={"lower": _q(92.0, 8.0), "lower_middle": _q(93.5, 6.5), "upper_middle": _q(94.0, 6.0),
                   "upper": _q(95.5, 4.5)},
    )
    return gender, officer, minority, disability


def likelihoods() -> tuple[Likelihood, ...]:
    return (
        Likelihood("appointment_from_shortlisting.ethnicity", "ethnic_minority", "white_british", "ethnic_minority",
                   Cell(140), Cell(790), Cell(8), Cell(52), Cell(1.1517)),
        Likelihood("entering_disciplinary.sex", "sex", "female", "male", Cell(None, suppressed="withheld"),
                   Cell(1234), Cell(19), Cell(1966), Cell(None, suppressed="rests_on_suppressed")),
    )


def figures(year: int = 2024) -> Figures:
    return Figures(
        year=year, snapshot_date=f"{year}-03-31", period_start=f"{year - 1}-04-01", period_end=f"{year}-03-31",
        organisation="heddlu-prawf", tables=tables(), pay_gaps=pay_gaps(), likelihoods=likelihoods(),
        settings={**Settings().as_dict(), "welsh_speaker_min_level": 3},
        quality={"disclosure_rate": {"age_band": Cell(99.1), "ethnicity": Cell(91.66), "disability": Cell(85.25),
                                     "religion": Cell(70.04)}},
    )
