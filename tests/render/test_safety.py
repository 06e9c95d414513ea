"""Commentary sanitising and the PDF's URL fetcher: nothing from outside the report gets in."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.errors import RenderFailed, UnsafeContent
from pipeline.report.commentary import to_html
from pipeline.report.fetcher import RestrictedFetcher


def test_script_iframe_style_and_event_handlers_are_stripped() -> None:
    html = str(to_html(
        "Text <script>alert('x')</script><iframe srcdoc='<b>x</b>'>fallback</iframe>"
        "<style>p{color:red}</style><img src=\"charts/a.svg\" alt=\"A chart\" onerror=\"alert(1)\">"
        "<a href=\"#profile\" onclick=\"steal()\" style=\"color:red\" class=\"x\">link</a>"
        "<p onmouseover=\"x()\">para</p><object data=\"charts/a.svg\"></object>"
    ))
    low = html.lower()
    for bad in ("<script", "alert(", "<iframe", "srcdoc", "fallback", "<style", "color:red", "onerror", "onclick",
                "onmouseover", "class=", "<object"):
        assert bad not in low, bad
    assert '<img src="charts/a.svg" alt="A chart">' in html
    assert '<a href="#profile">link</a>' in html


def test_headings_sit_below_the_section_heading() -> None:
    html = str(to_html("# One\n\n## Two\n\n###### Six"))
    assert "<h3>One</h3>" in html and "<h4>Two</h4>" in html and "<h5>Six</h5>" in html
    assert "<h1" not in html and "<h2" not in html
    assert str(to_html("## Only a second-level heading")) == "<h3>Only a second-level heading</h3>"


def test_markdown_tables_get_column_headers() -> None:
    assert '<th scope="col">a</th>' in str(to_html("| a | b |\n|---|---|\n| 1 | 2 |"))


@pytest.mark.parametrize("markdown", [
    "![logo](https://tracker.example.com/pixel.png)",
    "![logo](http://example.com/a.png)",
    "![logo](//example.com/a.png)",
    '<img src="https://example.com/a.png" alt="x">',
    '<img src="file:///etc/passwd" alt="x">',
    "![x](/etc/passwd)",
    "![x](../../../etc/passwd)",
    "![x](../en/charts/a.svg)",
    '<img srcset="charts/a.svg 1x, https://example.com/b.png 2x" src="charts/a.svg" alt="x">',
    '<p style="background: url(https://example.com/bg.png)">x</p>',
    '<video poster="https://example.com/p.png"></video>',
    "[secret](file:///etc/passwd)",
    "[page](http://example.com/insecure)",
    '<a href="javascript:alert(1)">x</a>',
    "[up](../../outside.html)",
])
def test_remote_or_outside_urls_raise_unsafe_content(markdown: str) -> None:
    with pytest.raises(UnsafeContent):
        to_html(markdown)


@pytest.mark.parametrize("markdown", [
    "[our plan](https://www.example.gov.wales/plan)", "[email](mailto:equality@example.org)", "[data](../data/figures.csv)",
    "[Welsh version](../cy/index.html#profile)", "[below](#pay_gaps)", "![A chart](charts/chart-x.svg)",
])
def test_links_readers_follow_and_images_inside_the_report_are_allowed(markdown: str) -> None:
    assert to_html(markdown)


def test_a_refused_url_is_named_with_its_file_and_line() -> None:
    with pytest.raises(UnsafeContent, match=r"^2024/commentary/en/01-x.md, line 3: commentary refers to a remote"):
        to_html("Intro\n\n![logo](https://tracker.example.com/p.png)", source="2024/commentary/en/01-x.md")
    with pytest.raises(RenderFailed, match=r"^f.md, line 2: an image has no alternative text"):
        to_html("a\n![](charts/x.svg)", source="f.md")


def test_an_image_without_alternative_text_is_refused() -> None:
    with pytest.raises(RenderFailed):
        to_html("![](charts/x.svg)")


def test_fetcher_serves_files_inside_its_roots_only(tmp_path: Path) -> None:
    inside = tmp_path / "report" / "cy"
    (inside / "charts").mkdir(parents=True)
    (inside / "charts" / "a.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    fetcher = RestrictedFetcher([inside])
    assert fetcher.fetch((inside / "charts" / "a.svg").as_uri()).read() == b"<svg/>"
    for url in ("https://example.com/a.png", "http://example.com/a.png", "ftp://example.com/a",
                "data:image/png;base64,iVBORw0KGgo=", (tmp_path / "secret.txt").as_uri(), "file:///etc/passwd",
                inside.as_uri() + "/../../secret.txt", inside.as_uri() + "/charts/missing.svg",
                "file://example.com/share/a.png"):
        with pytest.raises(UnsafeContent):
            fetcher.fetch(url)
    assert len(fetcher.refused) == 9


def test_a_refused_url_stops_the_pdf(tmp_path: Path) -> None:
    from pipeline.report.pdf import write_pdf

    html = ('<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
            '<img src="https://example.com/pixel.png" alt="pixel"></main></body></html>')
    with pytest.raises(UnsafeContent):
        write_pdf(html, base_dir=tmp_path, target=tmp_path / "x.pdf", roots=[tmp_path])
    assert not (tmp_path / "x.pdf").exists()


def test_a_weasyprint_error_fails_the_build(tmp_path: Path) -> None:
    from pipeline.report.pdf import write_pdf

    (tmp_path / "a.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    html = ('<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>t</h1>'
            '<img src="a.svg"></main></body></html>')  # no alt: WeasyPrint logs an ERROR under PDF/UA
    with pytest.raises(RenderFailed, match="alt"):
        write_pdf(html, base_dir=tmp_path, target=tmp_path / "x.pdf", roots=[tmp_path])
    assert not (tmp_path / "x.pdf").exists()
