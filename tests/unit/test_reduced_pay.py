"""The quarter shares of a pay gap must not count the few people not on full pay.

A reader who knows a group's relevant employees (the workforce tables count them) can try every
full-pay total against the printed quarter shares (``tests/quarter_reader.py`` does). So a voluntary
comparison with 1 to 4 people of a group off full pay prints no shares, and neither does one that the
comparisons adding up with it would give back.
"""

from __future__ import annotations

from pipeline.figures import Cell, PayGap
from pipeline.measures import disclosure as dc
from pipeline.measures.paygap import QUARTILES, quartile_sizes, round_pct
from pipeline.measures.reduced_pay import protect_reduced_pay
from quarter_reader import not_on_full_pay

WITHHELD = Cell(None, suppressed="secondary")


def _gap(gid: str, relevant: tuple[int, int], not_full: tuple[int, int], men: tuple[int, int, int, int],
         statutory: bool = False) -> PayGap:
    """A gap whose full-pay people are ``relevant - not_full`` a side, ``men`` of each quarter being
    the reference group, as protect_pay_gap leaves it (a voluntary one without its sizes)."""
    full = (relevant[0] - not_full[0], relevant[1] - not_full[1])
    sizes = quartile_sizes(sum(full))
    assert sum(men) == full[0] and all(0 <= m <= s for m, s in zip(men, sizes, strict=True))
    quartiles = {q: (Cell(100 * m / s), Cell(100 * (s - m) / s)) for q, m, s in zip(QUARTILES, men, sizes, strict=True)}
    sized = dict(n_reference=Cell(full[0]), n_comparison=Cell(full[1]),
                 n_relevant_reference=Cell(relevant[0]), n_relevant_comparison=Cell(relevant[1]))
    return PayGap(id=gid, reference="male", comparison="female", population=gid.split(".")[-1], **sized,
                  disclosure_rate=Cell(None), mean_hourly_gap=Cell(5.0), median_hourly_gap=Cell(4.0),
                  mean_bonus_gap=Cell(None), median_bonus_gap=Cell(None), bonus_pct_reference=Cell(0.0),
                  bonus_pct_comparison=Cell(0.0), quartiles=quartiles,
                  quartile_sizes=dict(zip(QUARTILES, sizes, strict=True)), statutory=statutory)


def _as_published(g: PayGap) -> PayGap:
    """What protect_pay_gap leaves of a voluntary comparison: its shares, not its people."""
    return g if g.statutory else dc.protect_pay_gap(g, 5, 10)


def _brute_force(g: PayGap, relevant: tuple[int, int]) -> tuple[set[int], set[int]]:
    """What the separately written reader (``tests/quarter_reader.py``) finds in ``g`` as printed."""
    printed = [round_pct(g.quartiles[q][0].value, "half_up") if g.quartiles[q][0].shown else None for q in QUARTILES]
    return not_on_full_pay(printed, relevant, enough=10**9)


def test_shares_that_count_one_man_not_on_full_pay_are_withheld() -> None:
    # 30 men (one on reduced pay for leave) and 24 women: 53 full-pay people in quarters of 14, 13,
    # 13, 13 holding 7, 7, 8 and 7 men. 50.0, 53.8, 61.5 and 53.8% fit no other total, so with the
    # 30 and 24 from the workforce tables a reader finds the one man
    raw = _gap("gender.staff", (30, 24), (1, 0), (7, 7, 8, 7))
    shown = _as_published(raw)
    assert shown.quartiles == raw.quartiles  # no quarter holds 1 to 4 of a group
    assert _brute_force(shown, (30, 24)) == ({1}, {0})
    out = protect_reduced_pay([shown], {raw.id: raw}, [], 5)
    assert out[0].quartiles == {q: (WITHHELD, WITHHELD) for q in QUARTILES}
    assert (out[0].mean_hourly_gap, out[0].median_hourly_gap) == (Cell(5.0), Cell(4.0))  # the gaps stay


def test_shares_are_withheld_whenever_1_to_4_are_off_full_pay_even_where_no_search_pins_them() -> None:
    # 2 men and 2 women of 58 and 58 (a body below 250: its own gap is voluntary): the shares fit a
    # full-pay total of 56 or of 112, and a reader who knows the organisation's total off full pay is
    # small (the data quality facts withhold it only then) takes 112 (a red team did)
    raw = _gap("gender", (58, 58), (2, 2), (12, 14, 12, 18))
    shown = _as_published(raw)
    assert {2, 30} <= _brute_force(shown, (58, 58))[0]  # two readings, one of them the truth
    assert protect_reduced_pay([shown], {raw.id: raw}, [], 5)[0].quartiles == {q: (WITHHELD, WITHHELD) for q in QUARTILES}


def test_shares_are_kept_when_nobody_or_five_are_not_on_full_pay() -> None:
    # no one off full pay: the reader learns 0, which describes nobody; five is not a small count
    for not_full, men in (((0, 0), (7, 7, 8, 8)), ((5, 0), (6, 6, 7, 6))):
        raw = _gap("gender.staff", (30, 24), not_full, men)
        shown = _as_published(raw)
        out = protect_reduced_pay([shown], {raw.id: raw}, [], 5)
        assert out[0].quartiles == shown.quartiles


def _family() -> tuple[list[PayGap], list[tuple[tuple[str, str], list[tuple[str, str]]]]]:
    """The statutory gap (6 men off full pay, printed with its sizes) and its three workforce groups:
    officers 5, police staff 1, PCSOs 0."""
    whole = _gap("gender", (105, 84), (6, 0), (25, 25, 24, 25), statutory=True)
    officer = _gap("gender.officer", (55, 30), (5, 0), (13, 13, 12, 12))
    staff = _gap("gender.staff", (30, 24), (1, 0), (7, 7, 8, 7))
    pcso = _gap("gender.pcso", (20, 30), (0, 0), (5, 5, 5, 5))
    parts = [officer.id, staff.id, pcso.id]
    return [whole, officer, staff, pcso], [((whole.id, side), [(p, side) for p in parts]) for side in ("reference", "comparison")]


def test_a_family_gives_back_what_one_comparison_withholds() -> None:
    # staff's own shares go (1 man); then 6 - 5 - 0 would give him back, so the officers' go too (the
    # PCSOs' 0 is kept: with officers and staff both withheld, 6 - 0 splits between them in six ways)
    raw, families = _family()
    out = {g.id: g for g in protect_reduced_pay([_as_published(g) for g in raw], {g.id: g for g in raw}, families, 5)}
    withheld = {gid for gid, g in out.items() if g.quartiles["lower"] == (WITHHELD, WITHHELD)}
    assert withheld == {"gender.staff", "gender.officer"}
    assert out["gender"].quartiles == raw[0].quartiles  # the law's figures are never withheld


def test_a_family_with_a_comparison_not_made_says_nothing() -> None:
    # without the PCSOs' gap (too few to make), the organisation is not officers + staff: no equation,
    # so the officers' shares stay (a first version read the missing part as nobody)
    raw, families = _family()
    raw = [g for g in raw if g.id != "gender.pcso"]
    out = {g.id: g for g in protect_reduced_pay([_as_published(g) for g in raw], {g.id: g for g in raw}, families, 5)}
    assert out["gender.officer"].quartiles == _as_published(raw[1]).quartiles
    assert out["gender.staff"].quartiles["lower"] == (WITHHELD, WITHHELD)
