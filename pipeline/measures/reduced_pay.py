"""What a pay gap's quarter shares give away: how many of a group are not on full pay.

The quarters hold the *full-pay* relevant employees, the relevant employees less those paid at a
reduced rate or nil because of leave (maternity, long sickness). The quarter sizes follow from the
full-pay total by the statutory split (``paygap.quartile_sizes``), and a share printed to one decimal
place is a count of people whenever a quarter holds fewer than about a thousand. So a reader who
knows a group's relevant employees (a count in the workforce tables: staff men, disabled employees)
can try every full-pay total, keep those whose quarter sizes fit the printed shares, and learn how
many of the group are not on full pay. In the 2024 sample the staff's gender pay gap gave away one
man on reduced pay that way.

A first version of this module played that reader, withholding shares only where its search pinned
a small number. A red team then beat it 23 times in 155 synthetic organisation-years: by keeping a
comparison's two groups together, by bounds (a part is at most its whole), by using several families
at once, and through families it did not know (an organisation's own total not on full pay, which
the data quality facts withhold only when it is small). Working out exactly what a reader can learn
from printed shares is a search with no clear end, so the rule is now the one the tables follow:

- **Primary.** A voluntary comparison whose group has 1 to ``threshold - 1`` people not on full pay
  publishes no quarter shares: its printed shares are taken to give every such number away.
- **Secondary.** Comparisons add up (``bonus_families``: the organisation's men are the men of its
  workforce groups; the White British are the White British men and women), so a withheld
  comparison's number could be the difference of published ones. The families' equations are solved
  exactly (``disclosure._determined``) and, while a withheld small number is fixed by them, one more
  voluntary comparison in a family through it is withheld: the one with the fewest not on full pay
  (a zero when there is no other). The statutory gap is never withheld: the law publishes it.

Left as the README says: the statutory gap's own shares, and bounds short of an equation (the
disabled and not disabled together are at most the organisation's people off full pay).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from pipeline.figures import Cell, PayGap
from pipeline.measures.disclosure import SECONDARY, Line, Node, _determined, _through

SIDES = ("reference", "comparison")
Side = tuple[str, str]  # (pay gap id, "reference" or "comparison")
_WITHHELD = Cell(None, suppressed=SECONDARY)


def protect_reduced_pay(gaps: Sequence[PayGap], unprotected: Mapping[str, PayGap],
                        families: Sequence[tuple[Side, Sequence[Side]]], threshold: int) -> list[PayGap]:
    """Withhold the quarter shares of voluntary comparisons by the rules above. ``gaps`` are
    protected, not yet rounded; ``unprotected`` are the engine's gaps by id (their true sizes);
    ``families`` are (whole, parts) of sides whose people add up. A family is used only when every
    comparison in it was made (one not made is not empty: it was too small to make)."""
    out = {g.id: g for g in gaps}
    off = {(gid, side): _not_full(unprotected[gid], side) for gid in out if gid in unprotected for side in SIDES}
    for gid, g in out.items():
        if not g.statutory and _shown(g) and any(0 < off.get((gid, side), 0) < threshold for side in SIDES):
            out[gid] = _without_shares(g)
    node = {side: Node("not_full_pay", frozenset({("side", frozenset({f"{side[0]}|{side[1]}"}))})) for side in off}
    side_of = {n: side for side, n in node.items()}
    lines = [Line(node[whole], tuple(node[p] for p in parts)) for whole, parts in families
             if whole in node and parts and all(p in node for p in parts)]
    through = _through(lines)

    def given_away(hidden: Mapping[Node, str]) -> list[Node]:
        return [n for n in _determined(lines, hidden) if 0 < off[side_of[n]] < threshold]

    def hidden_with(withheld: str | None = None) -> dict[Node, str]:
        return {node[side]: SECONDARY for side in off if side[0] == withheld or not _shown(out[side[0]])}

    for _ in range(len(out) + 1):
        hidden = hidden_with()
        given = given_away(hidden)
        if not given:
            break
        near = list(dict.fromkeys(line for n in given for line in through.get(n, ())))
        # in a family through one, else in a family through the other withheld numbers of those
        # (whose equations fix it together)
        further = [ln for m in {c for line in near for c in line.cells if c in hidden} for ln in through.get(m, ())]
        candidates: list[str] = []
        for group in (near, further):
            candidates = sorted({side_of[m][0] for line in group for m in line.cells
                                 if m not in hidden and not out[side_of[m][0]].statutory})
            if candidates:
                break
        if not candidates:
            break  # only the statutory gap is left beside it: published by law
        # the one that leaves fewest small numbers fixed (looking one step ahead: the PCSOs' shares,
        # in the family of police staff = staff + PCSOs, left them fixed through the organisation's,
        # where the officers' did not), then the one with fewest people off full pay
        gid = min(candidates, key=lambda c: (len(given_away(hidden_with(c))), *_fewest_off(c, off)))
        out[gid] = _without_shares(out[gid])
    return [out[g.id] for g in gaps]


def _fewest_off(gid: str, off: Mapping[Side, int]) -> tuple[bool, int, str]:
    """Order of preference among comparisons to withhold: a non-zero number off full pay first (a
    zero describes nobody, so withholding it shields less), the smallest first."""
    least = min(off[(gid, side)] for side in SIDES)
    return least == 0, least, gid


def _not_full(g: PayGap, side: str) -> int:
    relevant, full = getattr(g, f"n_relevant_{side}"), getattr(g, f"n_{side}")
    return int(relevant.value) - int(full.value) if relevant.value is not None and full.value is not None else 0


def _shown(g: PayGap) -> bool:
    """Whether a reader has any of ``g``'s quarter shares (any one narrows its full-pay total)."""
    return g.published and any(c.shown for pair in g.quartiles.values() for c in pair)


def _without_shares(g: PayGap) -> PayGap:
    return replace(g, quartiles={q: (_WITHHELD, _WITHHELD) for q in g.quartiles})
