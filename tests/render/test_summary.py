"""The one-page bilingual summary: one tagged page, Welsh first, the main report's own numbers, a PNG
for social media, only the shipped font, and the same bytes every time."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
from html import unescape
from pathlib import Path

import pikepdf
import pytest

import figures_fixture as F
from test_pdf import _font_names, _struct_types

from pipeline.errors import RenderFailed
from pipeline.report import summary as S

PDF_NAME, PNG_NAME, ALT_NAME = "crynodeb-summary-2024.pdf", "crynodeb-summary-2024.png", "crynodeb-summary-2024.alt.txt"

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                   reason="pdftotext/pdftoppm (Debian poppler-utils) are not installed")


@pytest.fixture(scope="module")
def summary(rendered) -> dict[str, Path]:  # noqa: ANN001
    files = rendered.files["summary"]
    return {".alt" if p.name.endswith(".alt.txt") else p.suffix: p for p in files}


def _text(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", text)


def _table_rows(html: str, table_id: str | None) -> dict[str, list[str]]:
    """Row header -> the row's cells, of one table in a page (``None``: ``html`` is the table)."""
    m = re.search(rf'<table[^>]*id="{re.escape(table_id)}".*?</table>', html, re.S) if table_id else None
    assert m or not table_id, table_id
    out = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(0) if m else html, re.S):
        head = re.search(r'<th scope="row">(.*?)</th>', row, re.S)
        if head:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            out[unescape(head.group(1).strip())] = [unescape(re.sub(r"<[^>]+>", "", c).strip()) for c in cells]
    return out


def test_the_summary_is_published_beside_the_report(rendered, summary) -> None:  # noqa: ANN001
    assert sorted(p.relative_to(rendered.out).as_posix() for p in summary.values()) == [
        f"summary/{ALT_NAME}", f"summary/{PDF_NAME}", f"summary/{PNG_NAME}"]
    assert sorted(p.name for p in (rendered.out / "summary").iterdir()) == [ALT_NAME, PDF_NAME, PNG_NAME]  # no watermark file


def test_one_tagged_page_in_welsh_with_a_structure_tree(summary) -> None:  # noqa: ANN001
    pdf = pikepdf.open(summary[".pdf"])
    assert len(pdf.pages) == 1
    assert str(pdf.Root.Lang) == "cy"
    assert "/StructTreeRoot" in pdf.Root and bool(pdf.Root.MarkInfo.Marked) is True
    with pdf.open_metadata() as meta:
        assert meta.get("pdfuaid:part") == "1"
    title = str(pdf.docinfo["/Title"])
    assert title.index("Heddlu Prawf") < title.index("Test Police")
    assert str(pdf.docinfo["/CreationDate"]).startswith("D:20240331")
    types, _ = _struct_types(pdf)
    assert types["H1"] == 2 and types["H2"] >= 4 and types["TH"] >= 20 and types["TD"] >= 20, types
    assert types["Sect"] >= 2  # one section per language
    _, elements = _struct_types(pdf)
    # the English half says it is English: read in a Welsh voice otherwise (the document is Welsh)
    assert sorted(str(s.get("/Lang")) for s in elements["Sect"] if "/Lang" in s) == ["cy", "en"]


def test_only_the_shipped_font_is_embedded(summary) -> None:  # noqa: ANN001
    names = _font_names(pikepdf.open(summary[".pdf"]))
    assert names and all(re.sub(r"[^A-Za-z]", "", n).startswith("DejaVuSans") for n in names), names


@needs_poppler
def test_welsh_comes_before_english(summary) -> None:  # noqa: ANN001
    text = _text(summary[".pdf"])
    welsh = ["Heddlu Prawf", "Adroddiad cydraddoldeb 2024: crynodeb", "Y gweithlu ar 31 Mawrth 2024",
             "Bwlch cyflog rhwng y rhywiau", "Bylchau cyflog eraill", "Nid ydym yn cyhoeddi'r gymhariaeth hon"]
    english = ["Test Police", "Equality report 2024: summary", "The workforce on 31 March 2024", "Gender pay gap",
               "Other pay gaps", "We do not publish this comparison"]
    for phrase in welsh + english:
        assert phrase in text, phrase
    assert max(text.index(p) for p in welsh) < min(text.index(p) for p in english)
    assert "DRAFFT" in text and "DRAFT:" in text


def _summary_rows(lang: str) -> dict[str, list[str]]:
    """Label -> shown value in one language's half of the summary page that was laid out."""
    html = S.summary_page(F.figures(), F.organisation(), draft=True)
    cy, en = html.split('<section class="half" lang="en"')
    return _table_rows_all(cy if lang == "cy" else en)


def _table_rows_all(html: str) -> dict[str, list[str]]:
    """Every table's rows; a label shown twice keeps its first (the gender pay gap's before the disability one's)."""
    out: dict[str, list[str]] = {}
    for t in re.findall(r"<table.*?</table>", html, re.S):
        for k, v in _table_rows(t, None).items():
            out.setdefault(k, v)
    return out


@needs_poppler
def test_headline_figures_are_the_main_reports(rendered, summary) -> None:  # noqa: ANN001
    text = _text(summary[".pdf"])
    halves = {"cy": text[:text.index("Test Police")], "en": text[text.index("Test Police"):]}
    for lang, female, total in (("cy", "Benyw", "Cyfanswm"), ("en", "Female", "Total")):
        shown = _summary_rows(lang)
        html = rendered.html(lang)
        gap = _table_rows(html, "table-gender-headline")
        quartiles = _table_rows(html, "table-gender-quartiles")
        sex = _table_rows(html, "table-profile-sex")
        mean, median = ("Bwlch cymedrig yn y cyflog fesul awr", "Bwlch canolrifol yn y cyflog fesul awr") \
            if lang == "cy" else ("Mean hourly pay gap", "Median hourly pay gap")
        assert shown[mean] == gap[mean] == ["6.5%"] and shown[median] == gap[median] == ["7.1%"]
        for q, row in quartiles.items():  # women's share: the report's first column
            assert shown[q] == row[:1], q
        assert len(quartiles) == 4
        headcount = "Nifer y bobl yn y gweithlu" if lang == "cy" else "People in the workforce"
        women = "Menywod, % o'r gweithlu" if lang == "cy" else "Women, % of the workforce"
        assert shown[headcount] == sex[total][:1] == ["3,200"]
        assert shown[women] == sex[female][1:2] == ["38.6%"]  # % of all, the report's second column
        not_there = "Ddim ar gael" if lang == "cy" else "Not available"  # no such table in these figures
        assert shown["Pobl anabl, % o'r rhai a nododd" if lang == "cy" else "Disabled people, % of those who stated"] \
            == [not_there]
        for label, values in shown.items():  # what the page says is what the PDF shows, in its own half
            assert values[0] in halves[lang], (label, values)
    # the same sign convention wording as the report's
    sign = "Mae ffigur cadarnhaol yn golygu bod menywod yn cael llai o gyflog na dynion ar gyfartaledd"
    assert sign in rendered.html("cy") and sign in halves["cy"]


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_png_is_a_portrait_social_media_image(summary) -> None:  # noqa: ANN001
    assert _png_size(summary[".png"]) == (1080, 1350)
    assert summary[".png"].stat().st_size > 50_000


def test_rendering_again_gives_the_same_bytes_and_no_draft_marks_when_approved(summary, tmp_path: Path) -> None:  # noqa: ANN001
    again = S.render_summary(F.figures(), F.organisation(), tmp_path / "a", draft=True)
    assert [p.read_bytes() for p in again] == [summary[k].read_bytes() for k in (".pdf", ".png", ".alt")]
    final = S.render_summary(F.figures(), F.organisation(), tmp_path / "b", draft=False)
    assert final[0].read_bytes() != summary[".pdf"].read_bytes()
    assert sorted(p.name for p in (tmp_path / "b" / "summary").iterdir()) == [ALT_NAME, PDF_NAME, PNG_NAME]
    if shutil.which("pdftotext"):
        assert "DRAFFT" not in _text(final[0]) and "DRAFT" not in _text(final[0])


def test_without_pdftoppm_the_error_names_the_package(monkeypatch, tmp_path: Path) -> None:  # noqa: ANN001
    real = shutil.which
    monkeypatch.setattr(S.shutil, "which", lambda name, *a, **k: None if name == "pdftoppm" else real(name, *a, **k))
    with pytest.raises(RenderFailed, match="poppler-utils"):
        S.render_summary(F.figures(), F.organisation(), tmp_path, draft=True)
    assert not (tmp_path / "summary").exists()


def test_the_longest_content_still_fits_on_one_page(tmp_path: Path) -> None:
    """Every pay gap unpublished or withheld, a suppressed share (so the symbol key is printed) and a long
    organisation name: still one page (render_summary raises RenderFailed on a second)."""
    from dataclasses import replace

    from pipeline.config import Contact
    from pipeline.figures import Cell, Row

    figures = F.figures()
    gaps = tuple(replace(g, published=False, gate_reason="below_min_group") if g.id == "disability" else
                 replace(g, mean_hourly_gap=Cell(None, suppressed="withheld")) if g.id == "gender" else g
                 for g in figures.pay_gaps)
    sex = figures.table("profile.sex")
    rows = tuple(Row(r.keys, {**r.cells, "pct_all": Cell(None, suppressed="withheld")}) if r.keys == ("female",)
                 else r for r in sex.rows)
    tables = tuple(replace(t, rows=rows) if t.id == "profile.sex" else t for t in figures.tables)
    # and the longest web addresses a profile is likely to give (each over 90 characters)
    web = {"en": "https://www.dyfed-powys.police.uk/en/about-us/equality-diversity-and-inclusion/annual-equality-"
                 "report-{year}/",
           "cy": "https://www.dyfed-powys.police.uk/cy/amdanom-ni/cydraddoldeb-amrywiaeth-a-chynhwysiant/adroddiad-"
                 "cydraddoldeb-blynyddol-{year}/"}
    org = replace(F.organisation(), name_cy="Comisiynydd Heddlu a Throseddu a Heddlu Prawf Dyfed-Powys",
                  name_en="Police and Crime Commissioner and Test Police for Dyfed-Powys", contact=Contact(web=web))
    html = S.summary_page(replace(figures, pay_gaps=gaps, tables=tables), org, draft=True)
    assert html.count("[c]") >= 4  # two values and the key, in each language
    assert all(html.count(address.format(year=2024)) == 2 for address in web.values())  # the link and its text
    pdf, png, alt = S.render_summary(replace(figures, pay_gaps=gaps, tables=tables), org, tmp_path, draft=True)
    assert len(pikepdf.open(pdf).pages) == 1 and _png_size(png) == (1080, 1350)
    # a withheld figure is said by its meaning in the image's words, not as "[c]"
    assert "[c]" not in alt.read_text(encoding="utf-8")


def _itxt(path: Path) -> list[tuple[str, str, str]]:
    """(keyword, language tag, text) of every iTXt chunk of a PNG (uncompressed, as written here)."""
    data, out, at = path.read_bytes(), [], 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"iTXt":
            keyword, rest = body.split(b"\0", 1)
            lang, rest = rest[2:].split(b"\0", 1)  # compression flag and method, then the language tag
            _translated, text = rest.split(b"\0", 1)
            out.append((keyword.decode(), lang.decode(), text.decode("utf-8")))
        at += 12 + length
    return out


def test_the_image_carries_its_text_alternative_in_both_languages_welsh_first(summary) -> None:  # noqa: ANN001
    # a picture of text posted to a social feed says nothing to a screen reader: the words go with it,
    # in the PNG itself and beside it for whoever posts it
    cy, en = summary[".alt"].read_text(encoding="utf-8").strip().split("\n\n")
    assert cy.startswith("DRAFFT. Heddlu Prawf: ") and en.startswith("DRAFT. Test Police: ")
    assert "Bwlch cyflog rhwng y rhywiau" in cy and "Gender pay gap" in en
    assert re.findall(r"\d+(?:\.\d)?%", cy) == re.findall(r"\d+(?:\.\d)?%", en) != []
    # every figure the image shows is in its words (the quartiles were left out), with what a sign means
    shown = re.findall(r"-?\d[\d,]*(?:\.\d)?%?", _text(summary[".pdf"]))
    said = re.findall(r"-?\d[\d,]*(?:\.\d)?%?", cy + " " + en)
    assert not [n for n in shown if n.endswith("%") and n not in said]
    assert "cael llai o gyflog" in cy and "paid less" in en
    # a comparison not published says why, as one sentence (its reason's own full stop is not doubled)
    assert "fewer than 10 people" in en and ".." not in cy + en
    assert _itxt(summary[".png"]) == [("Description", "cy", cy), ("Description", "en", en)]


def test_each_half_links_its_own_language_s_web_page_of_the_full_report(tmp_path: Path) -> None:
    # the summary travels alone (a social feed, a poster): each half says where its language's full
    # report is, in the page, as a link in the PDF, and in the image's words
    from dataclasses import replace

    from pipeline.config import Contact

    web = {"en": "https://www.example.org/equality-{year}/", "cy": "https://www.example.org/cy/cydraddoldeb-{year}/"}
    org = replace(F.organisation(), contact=Contact(web=web))
    pdf, _png, alt = S.render_summary(F.figures(), org, tmp_path, draft=False)
    en_page, cy_page = "https://www.example.org/equality-2024/", "https://www.example.org/cy/cydraddoldeb-2024/"
    html = S.summary_page(F.figures(), org, draft=False)
    cy_half, en_half = html.split('<section class="half" lang="en"')
    assert f'Darllenwch yr adroddiad llawn: <a href="{cy_page}">{cy_page}</a>' in cy_half and en_page not in cy_half
    assert f'Read the full report: <a href="{en_page}">{en_page}</a>' in en_half and cy_page not in en_half
    document = pikepdf.open(pdf)
    links = [(str(a.A.URI), str(a.Contents)) for a in document.pages[0].get("/Annots", [])
             if "/A" in a and "/URI" in a.A]
    assert links == [(cy_page, cy_page), (en_page, en_page)]  # Welsh first, each described by its own text
    cy, en = alt.read_text(encoding="utf-8").strip().split("\n\n")
    assert cy.endswith(f"Darllenwch yr adroddiad llawn: {cy_page}") and en.endswith(f"Read the full report: {en_page}")
    # without web addresses (the fixture's profile) there is no such line, in either language
    plain = S.summary_page(F.figures(), F.organisation(), draft=False)
    assert "Read the full report:" not in plain and "Darllenwch yr adroddiad llawn:" not in plain
