"""Render the small hand-built Figures once per test session (both languages, HTML and PDF) and share
the output folder with every render test."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import figures_fixture as F  # noqa: E402

LANGS = ("cy", "en")


@dataclass
class Rendered:
    out: Path
    files: dict[str, list[Path]]

    def html(self, lang: str) -> str:
        return (self.out / lang / "index.html").read_text(encoding="utf-8")

    def pdf(self, lang: str) -> Path:
        return self.files[lang][1]


@pytest.fixture(scope="session")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    from pipeline.report import render_report

    out = tmp_path_factory.mktemp("report")
    files = render_report(F.figures(), F.organisation(), commentary=F.COMMENTARY, out_dir=out, draft=True)
    return Rendered(out, files)


class TextOf(HTMLParser):
    """Visible text of a page, split into text outside and inside elements marked with another
    language (``lang`` on any ancestor), plus every ``alt`` text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, page_lang: str):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, lang)
        self.page_lang = page_lang
        self.own: list[str] = []
        self.other: list[str] = []
        self.alts: list[str] = []
        self.skip = 0

    def _lang(self) -> str:
        return self.stack[-1][1] if self.stack else self.page_lang

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "img" and a.get("alt"):
            (self.own if self._lang() == self.page_lang else self.other).append(" " + str(a["alt"]) + " ")
            self.alts.append(str(a["alt"]))
        if tag in self.VOID:
            return
        lang = a.get("lang") or (self.stack[-1][1] if self.stack else self.page_lang)
        if tag == "html":
            self.page_lang = lang or self.page_lang
        self.stack.append((tag, str(lang)))
        if tag in ("script", "style", "title", "head"):
            self.skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        while self.stack:
            t, _ = self.stack.pop()
            if t in ("script", "style", "title", "head"):
                self.skip -= 1
            if t == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        (self.own if self._lang() == self.page_lang else self.other).append(data)


def page_text(html: str, lang: str) -> TextOf:
    p = TextOf(lang)
    p.feed(html)
    p.close()
    return p


NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?%?")


def numbers(text: str) -> list[str]:
    return NUMBER.findall(text)
