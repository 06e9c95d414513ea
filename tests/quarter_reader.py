"""A reader who counts the people not on full pay from a pay gap's printed quarter shares.

Written apart from ``pipeline.measures.reduced_pay`` (which plays the same reader inside disclosure
control) so that each checks the other: it tries every full-pay total, and for each quarter every
whole number of reference people whose share prints as published, with ``decimal`` rounding rather
than the pipeline's.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import Any

QUARTERS = ("lower", "lower_middle", "upper_middle", "upper")
_RULES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}


def split(n: int) -> list[int]:
    """GOV.UK's quarters of n people: one left over goes to the lower; two to the lower and upper
    middle; three to the lower, lower middle and upper middle."""
    q, r = divmod(n, 4)
    return [q + (r >= 1), q + (r >= 3), q + (r >= 2), q]


def prints_as(m: int, size: int, rule: str = "half_up") -> Decimal:
    return (Decimal(100 * m) / Decimal(size)).quantize(Decimal("0.1"), rounding=_RULES[rule])


def not_on_full_pay(shares: list[Any], relevant: tuple[int, int], rule: str = "half_up",
                    enough: int = 40) -> tuple[set[int], set[int]]:
    """Every (reference, comparison) number not on full pay that the printed reference shares of
    the four quarters allow (a share ``None`` where it is withheld), given each group's relevant
    employees. Stops once both sets hold more than ``enough`` (then nothing is pinned)."""
    ref_out: set[int] = set()
    cmp_out: set[int] = set()
    for full in range(sum(relevant), 0, -1):
        low = high = 0  # the full-pay reference people: the shares that print alike are a run
        for size, p in zip(split(full), shares, strict=True):
            if size == 0:
                low, high = 1, 0
                break
            if p is None:
                fits = [0, size]
            else:
                centre = int(Decimal(str(p)) * size / 100)
                window = range(max(0, centre - size // 400 - 3), min(size, centre + size // 400 + 3) + 1)
                fits = [m for m in window if prints_as(m, size, rule) == Decimal(str(p))]
            if not fits:
                low, high = 1, 0
                break
            low, high = low + min(fits), high + max(fits)
        for ref in range(low, high + 1):
            if ref <= relevant[0] and 0 <= full - ref <= relevant[1]:
                ref_out.add(relevant[0] - ref)
                cmp_out.add(relevant[1] - (full - ref))
        if len(ref_out) > enough and len(cmp_out) > enough:
            break
    return ref_out, cmp_out
