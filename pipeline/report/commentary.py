"""Commentary written by people (Markdown) -> sanitised HTML for the report.

Commentary is the one place where text from outside the pipeline reaches a published page, so it is
treated as untrusted:

1. Markdown is rendered with markdown-it-py (CommonMark + tables; raw HTML allowed in, to be cleaned).
2. Every URL is checked *before* cleaning, and a problem raises ``UnsafeContent`` rather than being
   silently dropped, so the author learns about it:
   - a resource the reader's browser or WeasyPrint would *fetch* (``img src``, ``srcset``,
     ``poster``, CSS ``url()``...) must be a relative path inside the report's language folder: no
     scheme, no host, no absolute path, no ``..`` out of the folder (no tracking pixels, no
     ``file:///etc/passwd`` embedded in a PDF);
   - a hyperlink (``a href``) may be a fragment, a relative path inside the published release
     (``../data/figures.csv``), ``mailto:`` or ``https:`` (following a link fetches nothing when
     the report is built); anything else (``http:``, ``javascript:``, ``file:``, ``data:``...) is
     refused.
3. nh3 (ammonia) keeps only a small allow-list of tags and attributes: no ``script``, ``style``,
   ``iframe``, ``object``, event handlers (``on*``), ``style`` attributes or classes.
4. Headings are mapped onto ``<h3>`` and below, in the order of the levels the author used, so a
   commentary heading sits below the section's ``<h2>`` and the outline never skips a level.
"""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from pipeline.errors import RenderFailed, UnsafeContent

ALLOWED_TAGS = {
    "p", "br", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em", "b", "i", "a", "blockquote", "code",
    "pre", "table", "thead", "tbody", "tr", "th", "td", "caption", "img", "hr", "abbr", "span", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {
    "*": {"lang"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt"},
    "th": set(),
    "td": set(),
    "abbr": {"title"},
    "ol": {"start"},
}
CLEAN_CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math", "frame",
                      "frameset", "applet", "textarea", "select"}
LINK_SCHEMES = {"https", "mailto"}
RESOURCE_ATTRIBUTES = {"src", "srcset", "poster", "data", "background", "action", "formaction", "longdesc", "lowsrc",
                       "dynsrc", "usemap", "codebase", "archive", "icon", "manifest", "xlink:href", "profile", "ping"}
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.I | re.S)


def _is_inside(path: str, levels_up_allowed: int) -> bool:
    """True when a relative URL path stays inside the folder ``levels_up_allowed`` above the page."""
    norm = posixpath.normpath(path or ".")
    ups = 0
    for part in norm.split("/"):
        if part == "..":
            ups += 1
        else:
            break
    return ups <= levels_up_allowed and not norm.startswith("/")


def _unsafe(what: str, url: str) -> UnsafeContent:
    exc = UnsafeContent(f"{what}: {url!r}")
    exc.url = url  # type: ignore[attr-defined]  # for the line it stands on (``to_html``)
    return exc


def check_resource_url(url: str) -> None:
    """A URL that will be fetched: relative and inside the language folder, or ``UnsafeContent``."""
    u = url.strip()
    parts = urlsplit(u)
    if parts.scheme or parts.netloc or u.startswith(("//", "\\", "/")):
        raise _unsafe("commentary refers to a remote or absolute resource", url)
    if not _is_inside(parts.path, 0) or "\\" in u:
        raise _unsafe("commentary refers to a file outside the report", url)


def check_link_url(url: str) -> None:
    """A hyperlink: fragment, https:, mailto: or a relative path inside the published release."""
    u = url.strip()
    parts = urlsplit(u)
    if parts.scheme:
        if parts.scheme.lower() not in LINK_SCHEMES:
            raise _unsafe("commentary links with a disallowed scheme", url)
        return
    if parts.netloc or u.startswith(("//", "\\", "/")):
        raise _unsafe("commentary links to an absolute or remote location", url)
    if not _is_inside(parts.path, 1) or "\\" in u:
        raise _unsafe("commentary links to a file outside the report", url)


class _UrlAudit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_style = False
        self.images_without_alt: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_style = tag == "style"
        names = {k.lower() for k, _ in attrs}
        for name, value in attrs:
            name = name.lower()
            if value is None:
                continue
            if name == "href" and tag == "a":
                check_link_url(value)
            elif name == "href" or name in RESOURCE_ATTRIBUTES:
                for candidate in (value.split(",") if name == "srcset" else [value]):
                    check_resource_url(candidate.strip().split(" ")[0])
            elif name == "style":
                for m in _CSS_URL.finditer(value):
                    check_resource_url(m.group(2))
        if tag == "img" and ("alt" not in names or not dict(attrs).get("alt", "").strip()):
            self.images_without_alt.append(dict(attrs).get("src") or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            for m in _CSS_URL.finditer(data):
                check_resource_url(m.group(2))


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")
    # markdown-it quietly prints a link it distrusts (file:, javascript:) as plain text; let every URL
    # through to the audit below instead, so that the author is told (UnsafeContent).
    md.validateLink = lambda url: True  # type: ignore[method-assign]
    return md


def _render(markdown: str, heading_level: int) -> str:
    """Render with the heading levels the author used mapped, in order, onto ``heading_level`` and the
    levels below it (``#`` and ``###`` become h3 and h4): the page's outline never skips a level."""
    md = _markdown()
    tokens = md.parse(markdown)
    used = sorted({int(t.tag[1]) for t in tokens if t.type == "heading_open"})
    mapping = {lv: min(6, heading_level + i) for i, lv in enumerate(used)}
    for t in tokens:
        if t.type in ("heading_open", "heading_close"):
            t.tag = f"h{mapping[int(t.tag[1])]}"
    return md.renderer.render(tokens, md.options, {})


def _line_of(markdown: str, text: str) -> str:
    """", line N" of the first line of the author's file that holds ``text`` (the URL a problem
    names), or "" when it is not there as written (an entity, a reference link)."""
    lines = markdown.splitlines()
    return next((f", line {i}" for i, line in enumerate(lines, 1) if text and text in line), "")


def to_html(markdown: str, *, heading_level: int = 3, source: str = "commentary") -> Markup:
    """Sanitised HTML for one commentary file; its ``#`` headings become ``<h{heading_level}>``. A
    problem names ``source`` (the file) and the line that holds it."""
    raw = _render(markdown, heading_level)
    audit = _UrlAudit()
    try:
        audit.feed(raw)
        audit.close()
    except UnsafeContent as exc:
        raise UnsafeContent(f"{source}{_line_of(markdown, getattr(exc, 'url', ''))}: {exc}") from None
    if audit.images_without_alt:
        first = audit.images_without_alt[0]
        raise RenderFailed(f"{source}{_line_of(markdown, first)}: an image has no alternative text (alt): {first!r}")
    clean = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=LINK_SCHEMES,
        link_rel=None,
        set_tag_attribute_values={"th": {"scope": "col"}},
        strip_comments=True,
    )
    return Markup(clean.strip())


_RELATIVE_LINK = re.compile(r'<a href="(?!https:|mailto:|#)[^"]*"(?: hreflang="[^"]*")?>(.*?)</a>', re.S)


def for_print(html: Markup) -> Markup:
    """The commentary as the PDF gets it: links to files of the release (``../data/figures.csv``)
    become plain text, because WeasyPrint would turn them into ``file://`` paths of the build machine."""
    return Markup(_RELATIVE_LINK.sub(r"\1", str(html)))


def first_heading(markdown: str) -> str | None:
    """The text of the first ATX heading, for commentary that opens a section of its own."""
    for line in markdown.splitlines():
        m = re.match(r"\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            return m.group(1).strip()
    return None


def without_first_heading(markdown: str) -> str:
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"\s{0,3}#{1,6}\s+", line):
            return "\n".join(lines[:i] + lines[i + 1:])
    return markdown
