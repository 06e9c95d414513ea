"""What a chart draws, row by row: labels already in the page's language and numbers already
formatted (``Formatter``). Kept apart from ``charts`` so that building a document's structure needs
neither the chart grammar nor its renderer (the parent process lays out no chart; see
``pipeline.report.start_render_pool``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Share:
    """One bar of a 100% stacked comparison: the comparison group on the left, the reference right."""

    label: str
    left: float | None  # percent, 0-100; None when withheld
    right: float | None
    left_text: str
    right_text: str


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    text: str  # formatted value, or the withheld/not-calculable symbol
    unstated: bool = False  # "prefer not to say" or "not stated": no one's highest or lowest


@dataclass(frozen=True)
class Pair:
    label: str
    a: float | None
    a_text: str
    b: float | None
    b_text: str
    unstated: bool = False
