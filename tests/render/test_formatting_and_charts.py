"""Numbers, dates and charts: one formatter for both languages, explicit rounding, accessible SVG."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipeline.report import charts as ch
from pipeline.report.formatting import Formatter, d3_format_locale
from pipeline.report.labels import TEMPLATES


@pytest.mark.parametrize("lang", ["cy", "en"])
def test_percentages_round_half_up_before_babel_formats_them(lang: str) -> None:
    f = Formatter(lang)
    assert f.percent(12.25) == "12.3%"  # Babel alone would print 12.2% (half-even)
    assert f.percent(0.0825) == "0.1%"
    assert f.percent(-12.25) == "-12.3%"
    assert f.percent(-0.04) == "0.0%"  # never "-0.0%"
    assert f.count(1234567) == "1,234,567"
    assert f.ratio(3.2076) == "3.21"
    assert f.points(1.25) == "+1.3" and f.points(-0.4) == "-0.4" and f.points(0.0) == "0.0"
    assert f.year(2024) == "2024"


def test_half_even_is_available_when_an_organisation_chooses_it() -> None:
    assert Formatter("cy", "half_even").percent(12.25) == "12.2%"
    assert Formatter("cy", "half_even").percent(12.35) == "12.4%"


def test_welsh_and_english_print_the_same_digits() -> None:
    for value in (0, 7, 1234, 98765.4321, -3.14159, 100.0):
        assert Formatter("cy").number(value, 1) == Formatter("en").number(value, 1)


def test_dates_are_numerals_first_with_cldr_month_names() -> None:
    assert Formatter("cy").date("2024-03-31") == "31 Mawrth 2024"
    assert Formatter("cy").date("2023-04-01") == "1 Ebrill 2023"
    assert Formatter("en").date("2024-03-31") == "31 March 2024"


def test_chart_number_locale_is_a_dict_because_d3_has_no_welsh() -> None:
    loc = d3_format_locale("cy")
    assert loc["decimal"] == "." and loc["thousands"] == "," and loc["grouping"] == [3]


def test_chart_colours_meet_wcag_contrast() -> None:
    for fg, bg, minimum in ch.CONTRAST_PAIRS:
        assert ch.contrast(fg, bg) >= minimum, (fg, bg)


def test_chart_svg_has_no_english_aria_and_uses_the_shipped_font() -> None:
    ch.register_fonts(TEMPLATES / "shared" / "fonts")
    spec = ch.stacked_shares([ch.Share("Chwartel isaf", 53.1, 46.9, "53.1%", "46.9%"),
                              ch.Share("Chwartel uchaf", None, None, "[c]", "[c]")],
                             left_name="Menywod", right_name="Dynion", axis_title="Cyfran y cyflogeion")
    svg = ch.to_svg(spec, "cy")
    assert not re.search(r"aria-label|aria-roledescription|role=", svg)
    assert "X-axis" not in svg and "Y-axis" not in svg
    assert "Menywod 53.1%" in svg and "Chwartel isaf" in svg
    assert re.findall(r'font-family="([^"]*)"', svg) and all(
        f.startswith("DejaVu Sans") for f in re.findall(r'font-family="([^"]*)"', svg))
    assert ch.to_svg(spec, "cy") == svg  # deterministic


def test_rendered_charts_have_no_aria_and_match_between_languages(rendered) -> None:  # noqa: ANN001
    cy = sorted((rendered.out / "cy" / "charts").glob("*.svg"))
    en = sorted((rendered.out / "en" / "charts").glob("*.svg"))
    assert [p.name for p in cy] == [p.name for p in en] and len(cy) >= 5
    for p in cy + en:
        text = p.read_text(encoding="utf-8")
        assert not re.search(r"aria-label|aria-roledescription|role=", text), p
    # same marks in both languages: the numbers drawn in each chart are the same
    for a, b in zip(cy, en, strict=True):
        nums = [re.findall(r"\d[\d,.]*%", re.sub(r"<[^>]+>", " ", p.read_text())) for p in (a, b)]
        assert nums[0] == nums[1], a.name


def test_fonts_shipped_cover_welsh() -> None:
    from fontTools.ttLib import TTFont

    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf"):
        cmap = TTFont(Path(TEMPLATES / "shared" / "fonts" / name)).getBestCmap()
        assert all(ord(ch_) in cmap for ch_ in "ŵŷâêîôûŴŶÂÊÎÔÛäëïöüÿáéíóúẁẃẅỳ’–—…£€"), name
    assert (TEMPLATES / "shared" / "fonts" / "LICENSE").exists()


def test_every_kind_of_chart_is_a_valid_vega_lite_spec() -> None:
    """The charts skip altair's schema checks at run time (of every object as it is made, and of the
    finished spec): they are done here instead, for each kind, with a withheld row and a small share
    among them."""
    import altair as alt

    specs = [
        ch.stacked_shares([ch.Share("Lower", 52.5, 47.5, "52.5%", "47.5%"), ch.Share("Upper", None, None, "[c]", "[c]"),
                           ch.Share("Middle", 8.0, 92.0, "8.0%", "92.0%")], left_name="Women", right_name="Men",
                          axis_title="Share"),
        ch.bars([ch.Bar("Asian", 3.5, "3.5%"), ch.Bar("Black", None, "[c]")], axis_title="Share of workforce"),
        ch.paired_bars([ch.Pair("Asian", 3.5, "3.5%", 2.9, "2.9%"), ch.Pair("Black", None, "[c]", 1.0, "1.0%")],
                       a_name="Workforce", b_name="Community", axis_title="Share"),
    ]
    for spec in specs:
        alt.TopLevelLayerSpec.validate(spec)
    broken = {**specs[1], "layer": [{**specs[1]["layer"][0], "mark": {"type": "no-such-mark"}}]}
    with pytest.raises(Exception, match="no-such-mark"):
        alt.TopLevelLayerSpec.validate(broken)
