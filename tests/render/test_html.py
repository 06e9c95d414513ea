"""The HTML pages: language, structure, tables, charts, language switch and availability statement."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import figures_fixture as F
from conftest import LANGS


class Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if a.get("id"):
            self.ids.append(str(a["id"]))


def outline(html: str) -> Outline:
    o = Outline()
    o.feed(html)
    return o


@pytest.mark.parametrize("lang", LANGS)
def test_page_language_title_skip_link_and_landmarks(rendered, lang: str) -> None:  # noqa: ANN001
    html = rendered.html(lang)
    o = outline(html)
    assert re.search(rf'<html lang="{lang}">', html)
    title = re.search(r"<title>(.*?)</title>", html).group(1)  # type: ignore[union-attr]
    assert ("Heddlu Prawf" if lang == "cy" else "Test Police") in title and "2024" in title
    tags = [t for t, _ in o.tags]
    for landmark in ("header", "nav", "main", "footer"):
        assert tags.count(landmark) >= 1, landmark
    assert tags.count("main") == 1 and tags.count("h1") == 1
    first_link = next(a for t, a in o.tags if t == "a")
    assert first_link.get("href") == "#main" and "skip-link" in str(first_link.get("class"))


@pytest.mark.parametrize("lang", LANGS)
def test_headings_never_skip_a_level(rendered, lang: str) -> None:  # noqa: ANN001
    levels = outline(rendered.html(lang)).headings
    assert levels[0] == 1
    for a, b in zip(levels, levels[1:]):
        assert b <= a + 1, (a, b)


@pytest.mark.parametrize("lang", LANGS)
def test_ids_are_unique(rendered, lang: str) -> None:  # noqa: ANN001
    ids = outline(rendered.html(lang)).ids
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("lang", LANGS)
def test_tables_have_captions_and_scoped_headers(rendered, lang: str) -> None:  # noqa: ANN001
    html = rendered.html(lang)
    tables = re.findall(r"<table.*?</table>", html, re.S)
    assert len(tables) >= 15
    for t in tables:
        if 'class="facts' in t:
            assert "<caption" not in t and 'scope="row"' in t
            continue
        assert "<caption" in t
        ths = re.findall(r"<th\b[^>]*>", t)
        assert ths and all(re.search(r'scope="(col|row|colgroup)"', th) for th in ths)
        assert "<thead>" in t
        groups = [th for th in ths if 'scope="colgroup"' in th]
        if groups:  # each column group's header names a <colgroup> of exactly its columns
            spans = [int(m.group(1)) if (m := re.search(r'colspan="(\d+)"', th)) else 1 for th in groups]
            declared = [int(n or 1) for n in re.findall(r'<colgroup(?: span="(\d+)")?>', t)]
            measures = re.findall(r"<tr>\s*<th[^>]*>.*?</tr>", t.split("</thead>")[0], re.S)[-1].count("<th") - 1
            assert declared == [1, *spans] and sum(spans) == measures


@pytest.mark.parametrize("lang", LANGS)
def test_a_pivot_names_each_column_group_once_over_all_its_measures(rendered, lang: str) -> None:  # noqa: ANN001
    """Recruitment's stages each have a count and a share: the stage is a header spanning both, not
    repeated in each (in print, a long stage name repeated in two narrow columns ran into the next)."""
    html = rendered.html(lang)
    table = next(t for t in re.findall(r"<table.*?</table>", html, re.S) if 'id="table-recruitment-sex"' in t)
    head = table.split("</thead>")[0]
    stage = "Cyfweliad" if lang == "cy" else "Interviewed"
    assert head.count(stage) == 1
    assert re.search(rf'<th scope="colgroup" colspan="2">{stage}</th>', head)
    assert 'class="grp"' not in head


@pytest.mark.parametrize("lang", LANGS)
def test_suppressed_cells_show_a_symbol_with_a_key_and_hidden_explanation(rendered, lang: str) -> None:  # noqa: ANN001
    html = rendered.html(lang)
    cell = re.search(r'<td class="num suppressed"><span aria-hidden="true">\[c\]</span>'
                     r'<span class="visually-hidden">([^<]+)</span></td>', html)
    assert cell, "a withheld cell"
    assert "5" in cell.group(1)  # the reason names the threshold
    assert re.search(r'<p class="table-key"><span>\[c\] [^<]+</span>', html)


@pytest.mark.parametrize("lang", LANGS)
def test_not_stated_rows_are_shown(rendered, lang: str) -> None:  # noqa: ANN001
    html = rendered.html(lang)
    assert ("Heb ei nodi" if lang == "cy" else "Not stated") in html


@pytest.mark.parametrize("lang", LANGS)
def test_charts_are_captioned_above_an_image_with_alt_then_their_data(rendered, lang: str) -> None:  # noqa: ANN001
    html = rendered.html(lang)
    figures = re.findall(r'<figure class="chart" id="([^"]+)">\s*<figcaption>([^<]+)</figcaption>\s*'
                         r'<img src="(charts/[^"]+\.svg)" alt="([^"]+)"[^>]*>\s*</figure>\s*<div class="table-wrap"', html)
    assert len(figures) == len(list((rendered.out / lang / "charts").glob("*.svg"))) >= 5
    for _, caption, src, alt in figures:
        assert (rendered.out / lang / src).exists()
        assert alt.strip() and caption.startswith("Siart " if lang == "cy" else "Chart ")
    assert len(re.findall(r"<img\b", html)) == len(figures)


@pytest.mark.parametrize("lang", LANGS)
def test_language_switch_links_each_section_to_the_same_section_in_the_other_language(rendered, lang: str) -> None:  # noqa: ANN001
    other = "en" if lang == "cy" else "cy"
    html = rendered.html(lang)
    sections = re.findall(r'<section class="report-section" id="([^"]+)"', html)
    assert "profile" in sections and "pay_gaps" in sections
    other_ids = set(outline(rendered.html(other)).ids)
    for sid in sections:
        assert re.search(rf'<a href="\.\./{other}/index\.html#{sid}" hreflang="{other}" lang="{other}">', html), sid
        assert sid in other_ids
    assert re.search(rf'<link rel="alternate" hreflang="{other}" href="\.\./{other}/index\.html">', html)
    assert re.search(rf'<p class="lang-toggle"><a href="\.\./{other}/index\.html" hreflang="{other}" '
                     rf'lang="{other}">{"English" if lang == "cy" else "Cymraeg"}</a>', html)


def test_availability_statements(rendered) -> None:  # noqa: ANN001
    cy, en = rendered.html("cy"), rendered.html("en")
    assert "Mae&#39;r ddogfen hon hefyd ar gael yn Saesneg" in cy
    assert "This document is also available in Welsh" in en
    assert re.search(r'<p lang="cy">.*Mae&#39;r ddogfen hon hefyd ar gael yn Gymraeg', en)
    # Welsh is placed to be read first on the English cover
    assert en.index("ar gael yn Gymraeg") < en.index("available in Welsh")


@pytest.mark.parametrize("lang", LANGS)
def test_draft_is_marked(rendered, lang: str) -> None:  # noqa: ANN001
    html = rendered.html(lang)
    assert "DRAFFT" in html and "DRAFT" in html and 'class="draft-banner"' in html
    assert (rendered.out / lang / "css" / "draft.svg").exists()


def _draft_document(figures, org, lang: str):  # noqa: ANN001, ANN202
    """The draft document of ``figures`` in ``lang`` (no charts), and both languages' labels."""
    from pipeline.report.document import Builder, label_context, load_layout
    from pipeline.report.labels import Labels, load_catalogue

    other = "en" if lang == "cy" else "cy"
    labels = {code: Labels(code, load_catalogue(code), label_context(figures, org, code)) for code in LANGS}
    for lb in labels.values():
        lb.context["period"] = lb.text("period")
    doc = Builder(figures, org, labels[lang], labels[other], commentary={}, draft=True, layout=load_layout(),
                  draw_charts=False).build()
    return doc, labels


def test_an_approved_report_has_no_draft_marks() -> None:
    from pipeline.report.document import Builder, label_context, load_layout
    from pipeline.report.html import render_page
    from pipeline.report.labels import Labels, load_catalogue

    figures, org = F.figures(), F.organisation()
    labels = {lang: Labels(lang, load_catalogue(lang), label_context(figures, org, lang)) for lang in LANGS}
    for lb in labels.values():
        lb.context["period"] = lb.text("period")
    doc = Builder(figures, org, labels["cy"], labels["en"], commentary={}, draft=False, layout=load_layout(),
                  draw_charts=False).build()
    for medium in ("web", "print"):
        html = render_page(doc, labels["cy"], labels["en"], medium=medium, created="2024-03-31", other_titles={})
        assert "DRAFFT" not in html and "draft.svg" not in html and "draft-banner" not in html


@pytest.mark.parametrize("lang", LANGS)
def test_commentary_is_in_place_and_sanitised(rendered, lang: str) -> None:  # noqa: ANN001
    html = rendered.html(lang)
    intro = html[html.index('id="introduction"'):html.index('id="information"')]
    assert "<h3>" in intro and "<strong>" in intro and "<ul>" in intro
    objectives = html[html.index('id="objectives"'):html.index('id="profile"')]
    assert '<a href="../data/figures.csv">' in objectives


@pytest.mark.parametrize("lang", LANGS)
def test_pay_gaps_show_the_six_figures_sign_quartiles_sizes_and_unpublished_reason(rendered, lang: str) -> None:  # noqa: ANN001
    html = rendered.html(lang)
    section = html[html.index('id="pay_gaps"'):html.index('id="representation"')]
    for value in ("6.5%", "7.1%", "-12.3%", "0.0%", "1.0%", "1.5%"):  # the six statutory figures (+ two bonus %)
        assert f">{value}<" in section, value
    assert ("Mae ffigur cadarnhaol yn golygu bod menywod" if lang == "cy" else
            "A positive figure means that women are paid less") in section
    assert ("chwartelau cyflog fesul awr" if lang == "cy" else "hourly pay quartiles") in section
    assert ">654<" in section and ">1,510<" in section
    assert 'class="unpublished"' in section and "10" in section.split('class="unpublished"')[1][:400]
    assert ("Swyddogion heddlu" if lang == "cy" else "Police officers") in section  # the group's own name


@pytest.mark.parametrize("lang", LANGS)
def test_quarter_sizes_beside_a_withheld_group_size_show_as_withheld(lang: str) -> None:
    # the statutory gap of a body with few women: the sizes are withheld by disclosure control and
    # must read as withheld ([c]), not as "not applicable"
    from dataclasses import replace

    from pipeline.figures import Cell
    from pipeline.report.document import Builder, label_context, load_layout
    from pipeline.report.labels import Labels, load_catalogue

    figures, org = F.figures(), F.organisation()
    gaps = tuple(replace(g, n_comparison=Cell(None, suppressed="withheld"), quartile_sizes={}) if g.id == "gender"
                 else g for g in figures.pay_gaps)
    figures = replace(figures, pay_gaps=gaps)
    other = "en" if lang == "cy" else "cy"
    labels = {code: Labels(code, load_catalogue(code), label_context(figures, org, code)) for code in LANGS}
    for lb in labels.values():
        lb.context["period"] = lb.text("period")
    builder = Builder(figures, org, labels[lang], labels[other], commentary={}, draft=True, layout=load_layout(),
                      draw_charts=False)
    view = builder.paygap(figures.pay_gap("gender"))
    sizes = [row.cells[2] for row in view.quartiles.rows]
    assert [c.text for c in sizes] == [labels[lang].text("symbol.suppressed")] * 4
    assert all(c.kind == "suppressed" for c in sizes)


@pytest.mark.parametrize("lang", LANGS)
def test_a_section_whose_tables_count_nobody_says_so_in_one_sentence(lang: str) -> None:
    # a small body with no grievance this year: one sentence, not a table of zeros for every characteristic
    from dataclasses import replace

    from pipeline.figures import Cell, Row, Table

    figures, org = F.figures(), F.organisation()
    zeros = {"count": Cell(0), "pct_all": Cell(None, not_calculable="zero_denominator")}
    none = Table("grievances.sex", "grievances", "grievance_parties", ("role", "sex"), ("count", "pct_all"),
                 tuple(Row((r, s), dict(zeros)) for r in ("complainant", "respondent", "total")
                       for s in ("female", "male", "total")))
    figures = replace(figures, tables=(*figures.tables, none))
    doc, labels = _draft_document(figures, org, lang)
    section = next(s for s in doc.sections if s.id == "grievances")
    assert section.tables == [] and section.empty == labels[lang].text("section.none")
    shown = next(s for s in doc.sections if s.id == "profile")
    assert shown.tables and not shown.empty


@pytest.mark.parametrize("lang", LANGS)
def test_a_table_left_out_is_explained_where_it_would_have_stood(lang: str) -> None:
    # a small body's detailed ethnic groups are left out (``quality["tables_not_published"]``) so
    # that its other tables keep their totals: the reader is told why, before the broad groups' table
    from dataclasses import replace

    figures, org = F.figures(), F.organisation()
    figures = replace(figures, quality={**figures.quality, "tables_not_published": ["profile.ethnicity"]})
    doc, labels = _draft_document(figures, org, lang)
    blocks = next(s for s in doc.sections if s.id == "profile").blocks
    note = labels[lang].text("table.profile.ethnicity.not_published")
    at = next(i for i, b in enumerate(blocks) if b.kind == "paragraphs" and b.paragraphs == [note])
    assert blocks[at + 1].kind == "table" and blocks[at + 1].table.caption.endswith(
        labels[lang].text("table.profile.ethnic_group.title"))
    assert ("grwpiau ethnig manwl" if lang == "cy" else "detailed ethnic groups are not published") in note


@pytest.mark.parametrize(("lang", "most_least", "figures_after"), [
    ("en", "Highest: 25 to 34, 38.7%. Lowest: 65 and over, 0.2%.", "The figures are in the table after the chart."),
    ("cy", "Uchaf: 25 to 34, 38.7%. Isaf: 65 and over, 0.2%.", "Mae'r ffigurau yn y tabl ar ôl y siart."),
])
def test_a_chart_s_alt_text_says_its_longest_and_shortest_bar(lang: str, most_least: str, figures_after: str) -> None:
    """ONS: a chart's text alternative says what it shows; the table after it gives every figure. The
    alt named only the title. A withheld bar is no bar ([c] is never the lowest); with fewer than three
    bars shown, or a longest or shortest printed the same as another, nothing is picked."""
    from pipeline.report.chartrows import Bar, Pair
    from pipeline.report.document import Builder, label_context, load_layout
    from pipeline.report.labels import Labels, load_catalogue

    figures, org = F.figures(), F.organisation()
    labels = {code: Labels(code, load_catalogue(code), label_context(figures, org, code)) for code in LANGS}
    other = "en" if lang == "cy" else "cy"
    builder = Builder(figures, org, labels[lang], labels[other], commentary={}, draft=True, layout=load_layout(),
                      draw_charts=False)
    ages = [Bar("16 to 24", 9.3, "9.3%"), Bar("25 to 34", 38.7, "38.7%"), Bar("Not stated", None, "[c]"),
            Bar("65 and over", 0.2, "0.2%")]
    chart = builder.chart("ages", ("bars", ages, {"axis_title": "%"}), "Ages")
    assert chart.alt == f"Ages. {most_least} {figures_after}"
    tied = [Bar("A", 5.0, "5.0%"), Bar("B", 4.96, "5.0%"), Bar("C", 1.0, "1.0%")]
    two = [Bar("A", 5.0, "5.0%"), Bar("B", None, "[c]"), Bar("C", 1.0, "1.0%")]
    for bars in (tied, two):
        assert builder.chart("x", ("bars", bars, {"axis_title": "%"}), "X").alt == f"X. {figures_after}"
    # two series: each named, and only the one with a clear longest and shortest
    pairs = [Pair("White", 95.0, "95.0%", 94.2, "94.2%"), Pair("Asian", 1.0, "1.0%", 2.5, "2.5%"),
             Pair("Other", 1.0, "1.0%", 0.7, "0.7%")]
    alt = builder.chart("p", ("paired_bars", pairs, {"a_name": "Workforce", "b_name": "Community",
                                                      "axis_title": "%"}), "P").alt
    assert "Workforce" not in alt
    assert alt.startswith("P. Community: ") and "White, 94.2%" in alt and "Other, 0.7%" in alt
    # "prefer not to say" is no one's lowest (the age bands' lowest was "Prefer not to say, 0.0%")
    ages.append(Bar("Prefer not to say", 0.0, "0.0%", unstated=True))
    assert builder.chart("ages", ("bars", ages, {"axis_title": "%"}), "Ages").alt == f"Ages. {most_least} {figures_after}"
    # two bars (women and men in the workforce and the community) are said in full
    sexes = [Pair("Female", 47.6, "47.6%", 51.0, "51.0%"), Pair("Male", 52.4, "52.4%", 49.0, "49.0%")]
    alt = builder.chart("s", ("paired_bars", sexes, {"a_name": "Workforce", "b_name": "Community",
                                                      "axis_title": "%"}), "S").alt
    assert alt == f"S. Workforce: Female 47.6%; Male 52.4%. Community: Female 51.0%; Male 49.0%. {figures_after}"


@pytest.mark.parametrize("lang", LANGS)
def test_the_contact_section_says_how_to_ask_for_another_format_and_welcomes_letters_in_welsh(lang: str) -> None:
    import dataclasses
    import html as html_lib

    from pipeline.config import Contact
    from pipeline.report.html import render_page

    contact = Contact("equality@police.example", "+44 (0)1632 960000",
                      {"en": "https://www.police.example/equality/{year}/", "cy": "https://www.police.example/cy/{year}/"})
    figures, org = F.figures(), dataclasses.replace(F.organisation(), contact=contact)
    doc, labels = _draft_document(figures, org, lang)
    other = "en" if lang == "cy" else "cy"
    address = {"en": f"https://www.police.example/equality/{figures.year}/",
               "cy": f"https://www.police.example/cy/{figures.year}/"}[lang]
    web = render_page(doc, labels[lang], labels[other], medium="web", created="2024-03-31", other_titles={})
    assert [s.id for s in doc.sections][-1] == "contact"  # after the methodology, the last thing read
    section = web[web.index('<section class="report-section text-section" id="contact"'):web.index("</main>")]
    assert f'<h2 id="contact-title">{html_lib.escape(labels[lang].text("section.contact.title"))}</h2>' in section
    assert html_lib.escape(labels[lang].text("contact.formats")) in section
    assert '<a href="mailto:equality@police.example">equality@police.example</a>' in section
    assert '<a href="tel:+441632960000">+44 (0)1632 960000</a>' in section
    # No. 1 Standard 7: a publication inviting a reply says letters in Welsh are welcome, in its own language
    assert html_lib.escape(labels[lang].text("contact.welsh")) in section
    assert f'<a href="{address}">{address}</a>' in section
    # the PDF, read away from the website, names its own language's web page on the cover
    printed = render_page(doc, labels[lang], labels[other], medium="print", created="2024-03-31", other_titles={})
    cover = printed[printed.index('id="cover"'):printed.index('<nav class="contents"')]
    assert f'<a href="{address}">{address}</a>' in cover


@pytest.mark.parametrize("lang", LANGS)
def test_a_profile_with_no_contact_gives_no_contact_section_and_no_web_address(rendered, lang: str) -> None:  # noqa: ANN001
    html = rendered.html(lang)
    assert 'id="contact"' not in html and "mailto:" not in html and 'class="web-address"' not in html


def test_the_method_note_says_who_is_counted_by_what_sex_and_how_ties_are_shared(rendered) -> None:  # noqa: ANN001
    """statutory-methodology.md §8: the note gives the days convention, the rounding, the sex basis and
    the treatment of ties, in both languages (with the full-pay population and the 100% bonus gap)."""
    said = {}
    for lang in LANGS:
        page = rendered.html(lang)
        start = page.index('id="methodology"')
        said[lang] = re.sub(r"\s+", " ", page[start:page.index("</section>", start)]).replace("&#39;", "'")
    en, cy = said["en"], said["cy"]
    for words in ("count full-pay relevant employees", "biological sex", "shared between the two quartiles in "
                  "proportion", "the bonus gaps are 100%", "rounded to one decimal place", "actual number of days"):
        assert words in en, words
    for words in ("yn cyfrif cyflogeion perthnasol ar gyflog llawn", "rhyw biolegol", "rhwng y ddau chwartel yn "
                  "gymesur", "mae'r bylchau bonws yn 100%", "i un lle degol", "nifer gwirioneddol y diwrnodau"):
        assert words in cy, words
