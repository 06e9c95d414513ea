"""Charts: Altair (Vega-Lite) -> SVG with vl-convert, in the page's language.

Every word and number in a chart arrives already translated and formatted (labels and
``Formatter``), so a chart computes nothing and prints figures exactly as the tables do. Axis ticks
use a d3 format-locale *dict* (d3 has no ``cy`` locale).

Accessibility (``shared/spec/welsh-and-accessibility.md`` §4.2, §4.6):

- Vega's SVG renderer writes ARIA labels from *English* templates ("X-axis titled ..."). They are
  switched off (``config.aria = false``) and any ``aria-*``/``role`` left over is stripped: the chart
  is shown as ``<img alt="...">`` with an alt text in the page's language, followed by a caption and
  the chart's data as a table.
- Colour is never the only cue: segments carry direct labels (group name and value) and a white
  separator; the two series of a comparison differ by fill (solid vs outline) as well as colour.
- Colours meet 3:1 against white (graphical objects) and label text meets 4.5:1 on its fill
  (``CONTRAST_PAIRS``, checked by the render tests).

The same font (DejaVu Sans, shipped in ``templates/shared/fonts``) is registered with vl-convert
for text measurement and with WeasyPrint via ``@font-face``; the SVG names a fallback stack for
browsers that show it as an image without that font.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import altair as alt
from altair.utils.schemapi import debug_mode
import vl_convert as vlc

from pipeline.errors import RenderFailed
from pipeline.report.chartrows import Bar, Pair, Share
from pipeline.report.formatting import d3_format_locale

__all__ = ["Bar", "Pair", "Share", "bars", "paired_bars", "stacked_shares", "to_svg", "warm_up"]

FONT = "DejaVu Sans"
FONT_STACK = "DejaVu Sans, Verdana, Arial, sans-serif"
TEXT = "#0b0c0c"
DARK_BLUE = "#12436D"  # Analysis Function categorical palette
ORANGE = "#F46A25"
GRID = "#b1b4b6"
WHITE = "#ffffff"
# (foreground, background, minimum ratio): what the tests check
CONTRAST_PAIRS = (
    (DARK_BLUE, WHITE, 3.0),
    (ORANGE, WHITE, 3.0),
    (WHITE, DARK_BLUE, 4.5),
    (TEXT, ORANGE, 4.5),
    (TEXT, WHITE, 4.5),
)
WIDTH = 560
ROW = 30

_registered: set[Path] = set()


def register_fonts(font_dir: Path) -> None:
    font_dir = font_dir.resolve()
    if font_dir not in _registered:
        vlc.register_font_directory(str(font_dir))
        _registered.add(font_dir)


# The same look for every chart, written once as Vega-Lite's ``config`` (altair's ``configure_*``
# would copy the whole chart, data included, at each call).
CONFIG = alt.Config(
    font=FONT, aria=False, background=WHITE, view=alt.ViewConfig(stroke=None),
    axis=alt.AxisConfig(labelFont=FONT, titleFont=FONT, labelColor=TEXT, titleColor=TEXT, labelFontSize=12,
                        titleFontSize=12, domainColor=TEXT, tickColor=TEXT, gridColor="#dcdcdc", labelLimit=420),
    legend=alt.LegendConfig(labelFont=FONT, labelColor=TEXT, labelFontSize=12, titleFont=FONT, labelLimit=260),
).to_dict(validate=False)


def _unchecked(build: Callable[..., dict]) -> Callable[..., dict]:
    """Build a chart without altair's schema check of every object as it is made (its "debug mode",
    on by default: two thirds of the time altair took per chart). The tests check each kind of chart
    against the Vega-Lite schema instead."""

    @functools.wraps(build)
    def unchecked(*args: Any, **kwargs: Any) -> dict:
        with debug_mode(False):
            return build(*args, **kwargs)

    return unchecked


def _spec(chart: alt.TopLevelMixin, datasets: dict[str, list[dict]]) -> dict:
    """The Vega-Lite spec: the chart (built on named data, so that altair never copies the rows), the
    rows as top-level ``datasets``, and the shared ``CONFIG``. Not checked against the schema here
    (see ``_unchecked``)."""
    spec = chart.to_dict(validate=False)
    spec["config"] = CONFIG
    spec["datasets"] = datasets
    return spec


def _y(sort: list[str], title: str | None = None) -> alt.Y:
    return alt.Y("label:N", sort=sort, title=title, axis=alt.Axis(labelPadding=6, ticks=False, domain=False))


@_unchecked
def stacked_shares(rows: Sequence[Share], *, left_name: str, right_name: str, axis_title: str) -> dict:
    """Stacked 100% bars (quartiles, workforce groups): left group | right group, labelled in place."""
    order = [r.label for r in rows]
    segs, texts = [], []
    for r in rows:
        if r.left is None or r.right is None:
            texts.append({"label": r.label, "x": 0.0, "t": r.left_text, "c": TEXT, "a": "left"})
            continue
        segs.append({"label": r.label, "x": 0.0, "x2": r.left, "g": left_name})
        segs.append({"label": r.label, "x": r.left, "x2": 100.0, "g": right_name})
        for name, share, text, x, colour, align in (
            (left_name, r.left, r.left_text, 0.0, WHITE, "left"),
            (right_name, r.right, r.right_text, 100.0, TEXT, "right"),
        ):
            if share >= 30:
                texts.append({"label": r.label, "x": x, "t": f"{name} {text}", "c": colour, "a": align})
            elif share >= 11:
                texts.append({"label": r.label, "x": x, "t": text, "c": colour, "a": align})
    x_axis = alt.Axis(format=".0f", title=axis_title, values=[0, 25, 50, 75, 100], labelExpr="datum.label + '%'")
    bars = alt.Chart(alt.NamedData("segments")).mark_bar(stroke=WHITE, strokeWidth=2, height=ROW - 8).encode(
        y=_y(order),
        x=alt.X("x:Q", scale=alt.Scale(domain=[0, 100]), axis=x_axis),
        x2=alt.X2("x2"),
        color=alt.Color("g:N", scale=alt.Scale(domain=[left_name, right_name], range=[DARK_BLUE, ORANGE]),
                        legend=alt.Legend(title=None, orient="top", direction="horizontal", symbolType="square",
                                          symbolStrokeColor=WHITE)),
    )
    layers = [bars]
    datasets = {"segments": segs}
    for align, dx in (("left", 6), ("right", -6)):
        sub = [t for t in texts if t["a"] == align]
        if sub:
            datasets[f"labels_{align}"] = sub
            layers.append(
                alt.Chart(alt.NamedData(f"labels_{align}")).mark_text(align=align, dx=dx, fontSize=12, baseline="middle").encode(
                    y=_y(order), x=alt.X("x:Q", scale=alt.Scale(domain=[0, 100])), text=alt.Text("t:N"),
                    color=alt.Color("c:N", scale=None),
                )
            )
    chart = alt.layer(*layers).properties(width=WIDTH - 200, height=ROW * len(rows))
    return _spec(chart, datasets)


@_unchecked
def bars(rows: Sequence[Bar], *, axis_title: str, maximum: float = 100.0, percent: bool = True) -> dict:
    """Horizontal bars of one series, each labelled with its value (withheld rows show the symbol)."""
    order = [r.label for r in rows]
    data = [{"label": r.label, "v": r.value if r.value is not None else 0.0, "t": r.text,
             "shown": r.value is not None} for r in rows]
    top = max([maximum] + [r.value for r in rows if r.value is not None])
    axis = alt.Axis(title=axis_title, tickCount=5, labelExpr="datum.label + '%'" if percent else None,
                    format=".0f" if percent else ",.0f")
    base = alt.Chart(alt.NamedData("bars"))
    b = base.transform_filter("datum.shown").mark_bar(color=DARK_BLUE, height=ROW - 10).encode(
        y=_y(order), x=alt.X("v:Q", scale=alt.Scale(domain=[0, top * 1.12], nice=False), axis=axis))
    t = base.mark_text(align="left", dx=4, fontSize=12, color=TEXT, baseline="middle").encode(
        y=_y(order), x=alt.X("v:Q"), text=alt.Text("t:N"))
    chart = alt.layer(b, t).properties(width=WIDTH - 220, height=ROW * len(rows))
    return _spec(chart, {"bars": data})


@_unchecked
def paired_bars(rows: Sequence[Pair], *, a_name: str, b_name: str, axis_title: str) -> dict:
    """Two series per category (workforce vs community): solid and outlined bars, value-labelled."""
    order = [r.label for r in rows]
    data = []
    for r in rows:
        for name, v, text in ((a_name, r.a, r.a_text), (b_name, r.b, r.b_text)):
            data.append({"label": r.label, "g": name, "v": v if v is not None else 0.0, "t": text,
                         "shown": v is not None})
    top = max([10.0] + [d["v"] for d in data])
    base = alt.Chart(alt.NamedData("pairs"))
    enc_y = _y(order)
    offset = alt.YOffset("g:N", sort=[a_name, b_name], scale=alt.Scale(paddingInner=0.15))
    b = base.transform_filter("datum.shown").mark_bar(stroke=DARK_BLUE, strokeWidth=1.5).encode(
        y=enc_y, yOffset=offset,
        x=alt.X("v:Q", scale=alt.Scale(domain=[0, top * 1.18], nice=False),
                axis=alt.Axis(title=axis_title, tickCount=5, format=".0f", labelExpr="datum.label + '%'")),
        fill=alt.Fill("g:N", scale=alt.Scale(domain=[a_name, b_name], range=[DARK_BLUE, WHITE]),
                      legend=alt.Legend(title=None, orient="top", direction="horizontal", symbolType="square",
                                        symbolStrokeColor=DARK_BLUE, symbolStrokeWidth=1.5)),
    )
    t = base.mark_text(align="left", dx=4, fontSize=11, color=TEXT, baseline="middle").encode(
        y=enc_y, yOffset=offset, x=alt.X("v:Q"), text=alt.Text("t:N"))
    chart = alt.layer(b, t).properties(width=WIDTH - 220, height=2 * (ROW - 6) * len(rows),
                                       ).resolve_scale(fill="independent")
    return _spec(chart, {"pairs": data})


_ARIA = re.compile(r'\s(?:aria-[a-z]+|role)="[^"]*"')
_FONT_FAMILY = re.compile(r'font-family="[^"]*"')


def warm_up() -> None:
    """Start vl-convert's JavaScript engine, which its first chart otherwise waits for."""
    vlc.vegalite_to_svg({"mark": "point", "data": {"values": [{}]}})


def to_svg(spec: dict, lang: str) -> str:
    """Render a Vega-Lite spec to SVG without Vega's English ARIA text."""
    try:
        svg = vlc.vegalite_to_svg(spec, format_locale=d3_format_locale(lang))
    except Exception as exc:  # vl-convert raises plain ValueErrors from its JS runtime
        raise RenderFailed(f"chart could not be drawn: {exc}") from exc
    svg = _ARIA.sub("", svg)
    svg = _FONT_FAMILY.sub(f'font-family="{FONT_STACK}"', svg)
    return svg


def contrast(fg: str, bg: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def lum(hex_colour: str) -> float:
        rgb = [int(hex_colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    a, b = sorted((lum(fg), lum(bg)), reverse=True)
    return (a + 0.05) / (b + 0.05)
