"""The tagged PDFs (PDF/UA-1): structure, language, title, headings, alt text, fonts, parity."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from conftest import LANGS


def _struct_types(pdf: pikepdf.Pdf) -> tuple[Counter[str], dict[str, list[pikepdf.Dictionary]]]:
    """Structure element types (and "CaptionedTable": tables that carry their caption, i.e. one per
    table even when WeasyPrint tags each page's part of a long table as its own Table), and the
    elements of each type."""
    types: Counter[str] = Counter()
    elements: dict[str, list[pikepdf.Dictionary]] = {}
    root = pdf.Root.StructTreeRoot
    role_map = root.get("/RoleMap", {})
    stack = [(root.K, "")] if "/K" in root else []
    while stack:
        node, parent = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend((x, parent) for x in node)
            continue
        if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
            continue
        s = str(node.S)
        s = str(role_map.get(s, s)).lstrip("/")
        types[s] += 1
        if s == "Caption" and parent == "Table":
            types["CaptionedTable"] += 1
        elements.setdefault(s, []).append(node)
        if "/K" in node:
            stack.append((node.K, s))
    return types, elements


@pytest.fixture(scope="module")
def structures(rendered):  # noqa: ANN001, ANN201
    out = {}
    for lang in LANGS:
        pdf = pikepdf.open(rendered.pdf(lang))
        out[lang] = (pdf, *_struct_types(pdf))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_is_tagged_with_language_title_and_pdfua_identifier(rendered, structures, lang: str) -> None:  # noqa: ANN001
    pdf, types, _ = structures[lang]
    assert rendered.pdf(lang).name == ("adroddiad-cydraddoldeb-2024.pdf" if lang == "cy" else "equality-report-2024.pdf")
    assert "/StructTreeRoot" in pdf.Root
    assert bool(pdf.Root.MarkInfo.Marked) is True
    assert str(pdf.Root.Lang) == lang
    assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
    title = str(pdf.docinfo["/Title"])
    assert ("Heddlu Prawf" if lang == "cy" else "Test Police") in title
    with pdf.open_metadata() as meta:
        assert meta.get("pdfuaid:part") == "1"
        assert title in str(meta.get("dc:title"))
    assert str(pdf.docinfo["/CreationDate"]).startswith("D:20240331")
    assert "/Outlines" in pdf.Root  # bookmarks from headings


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_has_headings_tables_and_figures_with_alt(structures, lang: str) -> None:  # noqa: ANN001
    _, types, elements = structures[lang]
    figures = elements.get("Figure", [])
    assert types["H1"] == 1 and types["H2"] >= 15 and types["H3"] >= 3
    assert types["CaptionedTable"] >= 10 and types["TH"] > 50 and types["TD"] > 100 and types["Caption"] >= 10
    assert figures, "charts are tagged as figures"
    for fig in figures:
        assert str(fig.get("/Alt", "")).strip(), "every figure has alternative text"


def test_both_languages_have_the_same_figures_and_tables_and_similar_length(rendered, structures) -> None:  # noqa: ANN001
    (_, cy_types, cy_elements), (_, en_types, en_elements) = structures["cy"], structures["en"]
    cy_figs, en_figs = cy_elements.get("Figure", []), en_elements.get("Figure", [])
    assert len(cy_figs) == len(en_figs)
    assert cy_types["CaptionedTable"] >= 10
    for tag in ("CaptionedTable", "TR", "TH", "TD", "H1", "H2", "H3", "Caption"):
        assert cy_types[tag] == en_types[tag], tag
    cy_pages, en_pages = (len(pikepdf.open(rendered.pdf(lang)).pages) for lang in LANGS)
    assert abs(cy_pages - en_pages) <= 0.1 * max(cy_pages, en_pages)


def _font_names(pdf: pikepdf.Pdf) -> set[str]:
    names = set()
    for page in pdf.pages:
        todo = [page.obj.get("/Resources", {})]
        while todo:
            res = todo.pop()
            for font in res.get("/Font", {}).values():
                names.add(re.sub(r"^[A-Z]{6}\+", "", str(font.get("/BaseFont", "")).lstrip("/")))
            for xobj in res.get("/XObject", {}).values():
                if "/Resources" in xobj:
                    todo.append(xobj.Resources)
    return names


@pytest.mark.parametrize("lang", LANGS)
def test_only_the_shipped_font_is_embedded(structures, lang: str) -> None:  # noqa: ANN001
    names = _font_names(structures[lang][0])
    assert names and all(re.sub(r"[^A-Za-z]", "", n).startswith("DejaVuSans") for n in names), names


def test_pdf_text_contains_welsh_running_furniture(rendered) -> None:  # noqa: ANN001
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    text = subprocess.run(["pdftotext", str(rendered.pdf("cy")), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert re.search(r"Tudalen 2 o \d+", text)
    assert "Cynnwys" in text and "DRAFFT" in text
    assert "Page " not in text


def test_rendering_again_gives_byte_identical_files(rendered, tmp_path: Path) -> None:  # noqa: ANN001
    import figures_fixture as F

    from pipeline.report import render_report

    again = render_report(F.figures(), F.organisation(), commentary=F.COMMENTARY, out_dir=tmp_path, languages=("cy",))
    for path in again["cy"]:
        first = rendered.out / path.relative_to(tmp_path)
        assert path.read_bytes() == first.read_bytes(), path.name
    assert {p.relative_to(tmp_path) for p in again["cy"]} == {
        p.relative_to(rendered.out) for p in rendered.files["cy"]}
    # no absolute path of the build machine leaks into a PDF or page
    for path in (rendered.pdf("cy"), rendered.out / "cy" / "index.html"):
        assert str(rendered.out).encode() not in path.read_bytes()


@pytest.mark.parametrize("lang", LANGS)
def test_the_pdf_prints_quartiles_of_the_gender_pay_gap_only_and_says_where_the_others_are(rendered, lang: str) -> None:  # noqa: ANN001
    """layout.toml's pdf_paygap_quartiles = ["gender"]: the statutory gap keeps its quartile chart and
    table in print; the disability gap keeps its headline in print, and its quartiles in the HTML."""
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    text = " ".join(subprocess.run(["pdftotext", str(rendered.pdf(lang)), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    html = " ".join(rendered.html(lang).split())
    import tomllib

    labels = tomllib.loads((Path(__file__).parents[2] / "templates" / lang / "labels.toml").read_text("utf-8"))
    quartiles = labels["paygap"]["quartiles_title"]
    gender = quartiles.format(title=labels["paygap"]["gender"]["title"])
    disability_title = labels["paygap"]["disability"]["title"]
    disability = quartiles.format(title=disability_title)
    note = labels["pdf"]["more_paygap_quartiles"].format(tables_file=labels["file"]["tables"].format(year="2024"))
    assert gender in text
    assert disability_title in text, "the disability gap's headline stays in the PDF"
    assert disability not in text
    assert disability in html, "its quartiles stay in the HTML"
    assert note in text and note not in html


@pytest.mark.parametrize("lang", LANGS)
def test_the_draft_watermark_can_be_seen_on_the_pages(rendered, lang, tmp_path) -> None:  # noqa: ANN001
    """The diagonal DRAFT mark is the page's background; a background on the root element covered it
    (every draft PDF went out looking final). The contents page is blank below its list, where the
    mark crosses from bottom left to the centre: blank paper there is white (255), the mark light grey."""
    import shutil
    import subprocess

    if not shutil.which("pdftoppm"):
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed")
    subprocess.run(["pdftoppm", "-gray", "-r", "40", "-f", "2", "-l", "2", "-singlefile", str(rendered.pdf(lang)),
                    str(tmp_path / "page")], check=True)
    header, pixels = _pgm(tmp_path / "page.pgm")
    width, height = header
    below_the_list = [pixels[y * width + x] for y in range(int(height * 0.55), int(height * 0.85))
                      for x in range(int(width * 0.1), int(width * 0.5))]
    marked = [p for p in below_the_list if p < 250]
    assert len(marked) > 0.05 * len(below_the_list), "no watermark below the contents list"
    assert min(marked) >= 200, "the watermark is light grey, not ink"


def _pgm(path: Path) -> tuple[tuple[int, int], bytes]:
    """A binary PGM (P5, 8-bit) as ((width, height), pixels)."""
    magic, size, maxval, pixels = path.read_bytes().split(b"\n", 3)
    assert magic == b"P5" and maxval == b"255"
    width, height = map(int, size.split())
    return (width, height), pixels[: width * height]


def _kids(node: pikepdf.Dictionary, kind: str) -> list[pikepdf.Dictionary]:
    """The structure elements of type ``kind`` under ``node``, in order, through THead/TBody/TFoot."""
    out = []
    kids = node.get("/K", [])
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            s = str(kid.S)
            if s == kind:
                out.append(kid)
            elif s in ("/THead", "/TBody", "/TFoot"):
                out += _kids(kid, kind)
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_every_data_cell_of_the_tagged_pdf_names_every_header_over_it(structures, lang: str) -> None:  # noqa: ANN001
    """A group header over two columns (a recruitment stage over "Number" and "% of stage") heads
    both: WeasyPrint 70 listed it in the /Headers of the first column's cells only, so a screen
    reader announced the share without its stage (``pipeline.report.pdftags``). The expectation is
    worked out here from the structure tree with HTML's table grid, independently of the mend."""
    _, _, elements = structures[lang]
    checked = spanning = 0
    for table in elements["Table"]:
        taken: set[tuple[int, int]] = set()
        placed = []
        for i, tr in enumerate(_kids(table, "/TR")):
            j = 0
            cells = tr.get("/K", [])
            for cell in cells if isinstance(cells, pikepdf.Array) else [cells]:
                if not isinstance(cell, pikepdf.Dictionary) or str(cell.get("/S")) not in ("/TH", "/TD"):
                    continue
                while (i, j) in taken:
                    j += 1
                attrs = cell.get("/A", {})
                down = range(i, i + int(attrs.get("/RowSpan", 1)))
                across = range(j, j + int(attrs.get("/ColSpan", 1)))
                taken.update((r, c) for r in down for c in across)
                placed.append((cell, down, across))
                j = across.stop
        heads = [(cell, down, across) for cell, down, across in placed if str(cell.S) == "/TH"]
        spanning += sum(len(across) > 1 for _, _, across in heads)
        for cell, down, across in placed:
            if str(cell.S) != "/TD":
                continue
            # HTML's headers of a cell: a header cell in its rows to its left, or in its columns above it
            expected = {str(h.ID) for h, hd, ha in heads
                        if (set(hd) & set(down) and ha.stop <= across.start)
                        or (set(ha) & set(across) and hd.stop <= down.start)}
            listed = {str(x) for x in cell.A.get("/Headers", [])}
            assert expected <= listed, (lang, sorted(expected - listed))
            checked += 1
    assert checked > 100 and spanning > 0, (checked, spanning)


def test_what_weasyprint_warns_while_laying_out_a_language_reaches_the_callers_list(tmp_path: Path) -> None:
    """The review pack lists every warning of the PDF layout: a language's warnings travel from its
    worker to ``render_report(pdf_warnings=)``, prefixed with the language (a render that warned once
    raised NameError here, on a fresh machine)."""
    import shutil

    import figures_fixture as F

    from pipeline.report import TEMPLATES, render_report

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    with (templates / "shared" / "css" / "report.css").open("a", encoding="utf-8") as css:
        css.write("\nbody { cydradd-unknown: 1 }\n")  # WeasyPrint warns of an unknown property
    found: list[str] = []
    render_report(F.figures(), F.organisation(), commentary=F.COMMENTARY, out_dir=tmp_path / "out",
                  languages=("cy",), templates=templates, pdf_warnings=found)
    assert found and all(w.startswith("cy: ") for w in found), found
    assert any("cydradd-unknown" in w for w in found), found


@pytest.mark.parametrize("lang", LANGS)
def test_each_pay_gap_measure_is_printed_on_one_line(rendered, lang: str) -> None:  # noqa: ANN001
    """The pay gap figures tables give the measure's name most of their width: "Median hourly pay gap"
    wrapped onto two lines in a 31 mm column, doubling each table's height, so every comparison took
    a page of its own where two fit (the sample's PDFs were two pages longer in each language)."""
    import shutil
    import subprocess
    import tomllib

    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (Debian poppler-utils) is not installed")
    lines = {" ".join(line.split()) for line in subprocess.run(
        ["pdftotext", "-layout", str(rendered.pdf(lang)), "-"], capture_output=True, text=True, check=True).stdout.splitlines()}
    labels = tomllib.loads((Path(__file__).parents[2] / "templates" / lang / "labels.toml").read_text("utf-8"))
    for key in ("mean_hourly_gap", "median_hourly_gap", "mean_bonus_gap", "median_bonus_gap"):
        name = labels["paygap"][key]
        assert any(line.startswith(name + " ") for line in lines), f"{name!r} is not whole on one line"


def _tree(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    """Every structure element linked from the root."""
    out, stack = [], [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            out.append(node)
            if "/K" in node:
                stack.append(node.K)
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_the_line_in_the_other_language_is_tagged_with_its_language(structures, lang: str) -> None:  # noqa: ANN001
    # the cover's "also available in ..." line: a screen reader reads it in its own language's voice
    pdf, _, _ = structures[lang]
    other = "en" if lang == "cy" else "cy"
    langs = [str(n.Lang) for n in _tree(pdf) if "/Lang" in n]
    assert other in langs


@pytest.mark.parametrize("lang", LANGS)
def test_running_heads_and_page_numbers_are_artifacts_and_every_tagged_text_is_in_the_tree(structures, lang: str) -> None:  # noqa: ANN001
    # WeasyPrint marked the page-margin text as content of structure elements that the tree never
    # linked to (PDF/UA 7.1): 3 to 5 such orphans on every page
    pdf, _, _ = structures[lang]
    linked = {n.objgen for n in _tree(pdf)}
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    orphans = 0
    for i in range(0, len(nums), 2):
        entry = nums[i + 1]
        for element in entry if isinstance(entry, pikepdf.Array) else [entry]:
            if isinstance(element, pikepdf.Dictionary) and element.objgen not in linked:
                orphans += 1
    assert orphans == 0
    pagination = [p for p in pdf.pages if re.search(rb"/Artifact\s*<<\s*/Type\s*/Pagination\s*>>\s*BDC", p.Contents.read_bytes())]
    assert len(pagination) >= len(pdf.pages) - 1  # every page but the cover has a running head


@pytest.mark.parametrize("lang", LANGS)
def test_links_describe_their_target_by_its_words_and_figures_sit_on_their_page(structures, lang: str) -> None:  # noqa: ANN001
    pdf, _, elements = structures[lang]
    contents_page = next(p for p in pdf.pages if any(a.get("/Dest") for a in p.get("/Annots", [])))
    for annot in contents_page.Annots:
        if "/Dest" in annot:
            assert str(annot.Contents) != str(annot.Dest)  # "Pay gaps", not "#men_women"
            assert " " in str(annot.Contents) or str(annot.Contents)[:1].isupper()
    width, height = (float(v) for v in pdf.pages[0].MediaBox[2:])
    for fig in elements["Figure"]:
        x1, y1, x2, y2 = (float(v) for v in fig.A.BBox)
        assert 0 <= x1 < x2 <= width and 0 <= y1 < y2 <= height, (x1, y1, x2, y2)
    assert pdf.Root.PageMode == "/UseOutlines"  # opens with the bookmarks showing


@pytest.mark.parametrize("lang", LANGS)
def test_a_withheld_cell_is_read_by_its_meaning_not_as_its_symbol(structures, lang: str) -> None:  # noqa: ANN001
    # the web page gives "[c]" hidden words; the PDF's cell held only "[c]": "left bracket c right bracket"
    _, _, elements = structures[lang]
    said = [str(td.ActualText) for td in elements["TD"] if "/ActualText" in td]
    assert said and all(s and "[" not in s for s in said)
    assert any(s.startswith("Wedi'i atal" if lang == "cy" else "Withheld") for s in said)


@pytest.mark.parametrize("lang", LANGS)
def test_an_element_running_over_a_page_break_is_one_structure_element(structures, lang: str) -> None:  # noqa: ANN001
    # WeasyPrint tags page by page: the report's main was a /Part per page and each section a /Sect
    # per page it reached, so navigating by section stopped at every page break
    pdf, types, _ = structures[lang]
    document = pdf.Root.StructTreeRoot.K
    document = document[0] if isinstance(document, pikepdf.Array) else document
    assert [str(k.S) for k in document.K] == ["/Part"] and len(pdf.pages) > 20
    assert types["Sect"] == types["H2"] > 10  # each section of the report holds one h2
    # every structure element's parent holds it, and every marked content's entry in the parent
    # tree names the element that holds it, on that page (a joined element's later marked content
    # names its own page)
    pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
    held: dict[tuple[int, int], tuple[int, int]] = {}  # (page, MCID) -> element
    for node in _tree(pdf):
        kids = node.K if isinstance(node.K, pikepdf.Array) else [node.K]
        for kid in kids:
            if isinstance(kid, int):
                held[(pages[node.Pg.objgen], int(kid))] = node.objgen
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                held[(pages[kid.Pg.objgen], int(kid.MCID))] = node.objgen
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                assert kid.P.objgen == node.objgen
    nums = pdf.Root.StructTreeRoot.ParentTree.Nums
    mapped = {(int(nums[i]), mcid): element.objgen for i in range(0, len(nums), 2)
              if isinstance(nums[i + 1], pikepdf.Array) for mcid, element in enumerate(nums[i + 1])}
    assert mapped == held and len(held) > 500
    # a contents entry is one link: its page number (the link's ::after) was a link inside the link
    links = [n for n in _tree(pdf) if n.S == "/Link"]
    assert links and not [n for n in links if n.P.S == "/Link"]
