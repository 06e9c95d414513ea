"""The quarter shares of a pay gap must not count the few people not on full pay.

A reader who knows a group's relevant employees (the workforce tables count them) can try every
full-pay total against the printed quarter shares; ``reduced_pay`` plays that reader. These tests
check it against a brute force written separately, and pin down what it withholds.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.figures import Cell, PayGap
from pipeline.measures import disclosure as dc
from pipeline.measures.paygap import QUARTILES, quartile_sizes, round_pct
from pipeline.measures.reduced_pay import _candidates, protect_reduced_pay
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
    assert _candidates(shown, raw, "half_up") == (frozenset({1}), frozenset({0}))
    out = protect_reduced_pay([shown], {raw.id: raw}, [], 5, "half_up")
    assert out[0].quartiles == {q: (WITHHELD, WITHHELD) for q in QUARTILES}
    assert (out[0].mean_hourly_gap, out[0].median_hourly_gap) == (Cell(5.0), Cell(4.0))  # the gaps stay


def test_shares_are_kept_when_nobody_or_five_are_not_on_full_pay() -> None:
    # no one off full pay: the reader learns 0, which describes nobody; five is not a small count
    for not_full, men in (((0, 0), (7, 7, 8, 8)), ((5, 0), (6, 6, 7, 6))):
        raw = _gap("gender.staff", (30, 24), not_full, men)
        shown = _as_published(raw)
        out = protect_reduced_pay([shown], {raw.id: raw}, [], 5, "half_up")
        assert out[0].quartiles == shown.quartiles


def test_a_family_gives_back_what_one_comparison_withholds() -> None:
    # the statutory gap prints its sizes: 6 men of the organisation are not on full pay. Officers 5,
    # PCSOs 0, so police staff 1: staff's own shares go, then the officers' (the PCSOs' 0 is kept:
    # with officers and staff both withheld, 6 - 0 splits between them in six ways)
    whole = _gap("gender", (105, 84), (6, 0), (25, 25, 24, 25), statutory=True)
    officer = _gap("gender.officer", (55, 30), (5, 0), (13, 13, 12, 12))
    staff = _gap("gender.staff", (30, 24), (1, 0), (7, 7, 8, 7))
    pcso = _gap("gender.pcso", (20, 30), (0, 0), (5, 5, 5, 5))
    # each part's own shares pin its men off full pay: officers 5 (not small) and PCSOs 0
    assert [_brute_force(_as_published(g), (g.n_relevant_reference.value, g.n_relevant_comparison.value))[0]
            for g in (officer, pcso)] == [{5}, {0}]
    raw = [whole, officer, staff, pcso]
    parts = [officer.id, staff.id, pcso.id]
    families = [((whole.id, side), [(p, side) for p in parts]) for side in ("reference", "comparison")]
    out = {g.id: g for g in protect_reduced_pay([_as_published(g) for g in raw], {g.id: g for g in raw}, families, 5,
                                                "half_up")}
    withheld = {gid for gid, g in out.items() if g.quartiles["lower"] == (WITHHELD, WITHHELD)}
    assert withheld == {"gender.staff", "gender.officer"}
    assert out["gender"].quartiles == whole.quartiles  # the law's figures are never withheld


@settings(max_examples=60, deadline=None)
@given(st.integers(10, 40), st.integers(10, 40), st.integers(0, 6), st.integers(0, 6), st.randoms(use_true_random=False))
def test_the_reader_the_module_plays_finds_what_a_brute_force_finds(men: int, women: int, off_m: int, off_w: int,
                                                                     rnd) -> None:  # noqa: ANN001
    full = men - off_m + women - off_w
    sizes = quartile_sizes(full)
    # deal the full-pay men into the quarters at random
    pool = [1] * (men - off_m) + [0] * (women - off_w)
    rnd.shuffle(pool)
    starts = [sum(sizes[:i]) for i in range(4)]
    per = tuple(sum(pool[s:s + n]) for s, n in zip(starts, sizes, strict=True))
    raw = _gap("gender.staff", (men, women), (off_m, off_w), per)
    shown = _as_published(raw)
    expected = _brute_force(shown, (men, women))
    got = _candidates(shown, raw, "half_up")
    for found, want, truth, relevant in zip(got, expected, (off_m, off_w), (men, women), strict=True):
        assert truth in want
        if found is not None:
            assert found == frozenset(want)
        else:  # None: any number (no share shown), or more than the cap fit: it pins nothing
            assert len(want) > 16 or want == set(range(relevant + 1))
