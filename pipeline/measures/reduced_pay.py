"""What a pay gap's quarter shares give away: how many of a group are not on full pay.

The quarters hold the *full-pay* relevant employees, the relevant employees less those paid at a
reduced rate or nil because of leave (maternity, long sickness). The quarter sizes follow from the
full-pay total by the statutory split (``paygap.quartile_sizes``), and a share printed to one decimal
place is a count of people whenever a quarter holds fewer than about a thousand. So a reader who
knows each group's relevant employees (a count in the workforce tables: staff men, staff women) can
try every full-pay total, keep those whose quarter sizes fit all four printed shares, and so learn
how many of each group are not on full pay. In the sample's police staff that is one man: the
published shares of ``gender.staff`` pinned him before this module.

This module plays that reader, from the figures as they will be printed, and assumes the worst of
him: he knows every group's relevant employees exactly. A group's number not on full pay is one
*node*; its *candidates* are the numbers that fit what is printed. Nodes add up across comparisons
(``bonus_families``: the organisation's women are the women of its workforce groups), so a node
hidden in one comparison is narrowed by the others, as a reader would. A node pinned to one number
from 1 to ``threshold - 1`` is a small count given away: the voluntary comparison it rests on has
its quarter shares withheld, or, when its own are already withheld or are the statutory gap's
(which the law publishes), a voluntary comparison in a family through it does. Withholding a
comparison's shares makes both of its nodes unknown to the reader.

Not modelled, and said so in the README: the reader's other sources (the bonus shares are of
relevant employees, not full-pay ones, so they do not bear on this).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from pipeline.figures import Cell, PayGap
from pipeline.measures.paygap import QUARTILES, quartile_sizes, round_pct

SIDES = ("reference", "comparison")
Side = tuple[str, str]  # (pay gap id, "reference" or "comparison")
Candidates = frozenset[int] | None  # the numbers a reader cannot rule out; None: too many to matter
CAP = 16  # more candidates than this pin nothing; the scan stops there
_WITHHELD = Cell(None, suppressed="secondary")


def protect_reduced_pay(gaps: Sequence[PayGap], unprotected: Mapping[str, PayGap],
                        families: Sequence[tuple[Side, Sequence[Side]]], threshold: int, rounding: str) -> list[PayGap]:
    """Withhold the quarter shares of voluntary comparisons until no group's number not on full pay
    is pinned to 1 to ``threshold - 1`` (see the module). ``gaps`` are protected, not yet rounded;
    ``unprotected`` are the engine's gaps by id (their true sizes); ``families`` are (whole, parts)
    of sides whose people add up."""
    out = {g.id: g for g in gaps if g.id in unprotected}
    truth = {(gid, side): _not_full(unprotected[gid], side) for gid in out for side in SIDES}
    lines = [(whole, [p for p in parts if p in truth]) for whole, parts in families if whole in truth]
    own = {gid: _candidates(g, unprotected[gid], rounding) for gid, g in out.items()}
    for _ in range(len(out) + 1):
        cands = _narrowed({(gid, side): own[gid][i] for gid in out for i, side in enumerate(SIDES)}, lines)
        given = [side for side, c in cands.items() if c is not None and len(c) == 1 and 0 < truth[side] < threshold]
        pick = _to_withhold(given, out, lines, truth)
        if pick is None:
            break
        out[pick] = replace(out[pick], quartiles={q: (_WITHHELD, _WITHHELD) for q in out[pick].quartiles})
        own[pick] = _candidates(out[pick], unprotected[pick], rounding)
    return [out.get(g.id, g) for g in gaps]


def _to_withhold(given: Sequence[Side], gaps: Mapping[str, PayGap], lines: Sequence[tuple[Side, Sequence[Side]]],
                 truth: Mapping[Side, int]) -> str | None:
    """The comparison whose shares to withhold next: the first given-away side's own, when it is
    voluntary and shown; else, in a family through it, the shown voluntary comparison with the
    fewest not on full pay (the one whose shares say least). None when only statutory shares remain."""
    def open_(gid: str) -> bool:
        g = gaps[gid]
        return not g.statutory and any(c.shown for pair in g.quartiles.values() for c in pair)

    for side in given:
        if open_(side[0]):
            return side[0]
    for side in given:
        near = [s for whole, parts in lines if side in (whole, *parts) for s in (whole, *parts)]
        options = [s for s in near if s[0] != side[0] and open_(s[0])]
        if options:
            return min(options, key=lambda s: (truth[s] == 0, truth[s], s))[0]
    return None


def _not_full(g: PayGap, side: str) -> int:
    relevant, full = getattr(g, f"n_relevant_{side}"), getattr(g, f"n_{side}")
    return int(relevant.value) - int(full.value) if relevant.value is not None and full.value is not None else 0


def _candidates(g: PayGap, true: PayGap, rounding: str) -> tuple[Candidates, Candidates]:
    """The numbers of each group not on full pay that fit what ``g`` prints, given both groups'
    relevant employees (``true``'s): from its full-pay sizes when printed, else by trying each
    full-pay total against the printed quarter shares (nearest the true total first, stopping once
    more than ``CAP`` numbers fit a group)."""
    if not g.published:
        return None, None
    n_ref, n_cmp = int(true.n_relevant_reference.value or 0), int(true.n_relevant_comparison.value or 0)
    found = ({_not_full(true, "reference")}, {_not_full(true, "comparison")})  # the truth fits, ties or not
    sized = [getattr(g, f"n_{side}") for side in SIDES]
    if all(c.shown and c.value is not None for c in sized):
        return frozenset(found[0]), frozenset(found[1])
    shares = [g.quartiles.get(q, (_WITHHELD, _WITHHELD))[0] for q in QUARTILES]
    if not any(c.shown for c in shares):
        return None, None
    printed = [_tenths_of(c.value, rounding) if c.shown else None for c in shares]
    true_full = int(true.n_reference.value) + int(true.n_comparison.value)
    for full in _outward(true_full, 1, n_ref + n_cmp):
        lo, hi = 0, 0
        for size, p in zip(quartile_sizes(full), printed, strict=True):
            fit = _fitting(size, p, rounding)
            if fit is None:
                break
            lo, hi = lo + fit[0], hi + fit[1]
        else:
            # full-pay reference people in [lo, hi]; each leaves both groups' numbers not on full pay >= 0
            for ref in range(max(lo, full - n_cmp), min(hi, n_ref, full) + 1):
                found[0].add(n_ref - ref)
                found[1].add(n_cmp - (full - ref))
            if len(found[0]) > CAP and len(found[1]) > CAP:
                break
    return tuple(frozenset(f) if len(f) <= CAP else None for f in found)  # type: ignore[return-value]


def _outward(start: int, low: int, high: int) -> itertools.chain[int]:
    """``start``, then the numbers either side of it in turn, within [low, high]."""
    steps = (x for d in range(1, high - low + 1) for x in (start - d, start + d) if low <= x <= high)
    return itertools.chain([start] if low <= start <= high else [], steps)


def _tenths_of(pct: object, rounding: str) -> int:
    """A share as printed, in tenths of a percent (12.3% is 123)."""
    return int(round_pct(pct, rounding) * 10)


def _tenths(k: int, size: int, rounding: str) -> int:
    """How ``k`` of ``size`` prints, in tenths of a percent, by the organisation's rule (whole-number
    arithmetic: the same as ``paygap.round_pct`` of the exact share, a hundred times faster)."""
    q, r = divmod(1000 * k, size)
    if 2 * r > size or (2 * r == size and (rounding == "half_up" or q % 2)):
        return q + 1
    return q


def _fitting(size: int, printed: int | None, rounding: str) -> tuple[int, int] | None:
    """The fewest and most of a quarter of ``size`` people in the reference group whose share prints
    as ``printed`` tenths (any number when the share is withheld), or None when no whole number
    does. The share rises with the number, so those that print alike are a run: its ends are found
    by stepping in from just outside it."""
    if printed is None:
        return 0, size
    if size == 0:
        return None
    low = max(0, (2 * printed - 1) * size // 2000 - 1)
    high = min(size, -(-(2 * printed + 1) * size // 2000) + 1)
    while low <= high and _tenths(low, size, rounding) < printed:
        low += 1
    while high >= low and _tenths(high, size, rounding) > printed:
        high -= 1
    return (low, high) if low <= high and _tenths(low, size, rounding) == printed else None


def _narrowed(cands: dict[Side, Candidates], lines: Sequence[tuple[Side, Sequence[Side]]]) -> dict[Side, Candidates]:
    """Each side's candidates narrowed by the families (whole = sum of parts), as a reader would,
    until nothing narrows further."""
    changed = True
    while changed:
        changed = False
        for whole, parts in lines:
            terms = [(whole, 1), *((p, -1) for p in parts)]  # whole - sum(parts) = 0
            for i, (side, sign) in enumerate(terms):
                others = [(s, g) for j, (s, g) in enumerate(terms) if j != i]
                sets = [cands[s] for s, _ in others]
                if any(s is None for s in sets) or math.prod(len(s) for s in sets) > 4096:
                    continue
                fits = frozenset(-sign * sum(g * v for (_, g), v in zip(others, combo, strict=True))
                                 for combo in itertools.product(*sets))
                fits = frozenset(v for v in fits if v >= 0)
                new = fits if cands[side] is None else cands[side] & fits
                if new != cands[side] and new:
                    cands[side] = new
                    changed = True
    return cands
