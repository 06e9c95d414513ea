"""The only way WeasyPrint may read a file while it renders a PDF.

WeasyPrint's default fetcher follows any URL in the document - ``http(s)``, ``ftp``, ``data`` and
any ``file:`` path on the machine - so a stray ``<img src>`` in commentary could fetch a tracking
pixel or embed ``/etc/passwd`` in a published PDF. This fetcher serves ``file:`` URLs inside the
given roots (the templates folder and the run's own output folder for one language) and refuses
everything else by raising ``UnsafeContent``. It is built with ``fail_on_errors=True`` so a refusal
stops the render instead of becoming a warning and a missing image.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from pipeline.errors import UnsafeContent

_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".ttf": "font/ttf", ".png": "image/png",
          ".woff2": "font/woff2", ".woff": "font/woff", ".html": "text/html"}


class RestrictedFetcher(URLFetcher):
    """Serve ``file:`` URLs inside ``roots``; refuse every other URL."""

    def __init__(self, roots: Iterable[Path]):
        super().__init__(fail_on_errors=True, allowed_protocols=("file",))
        self.roots = tuple(Path(r).resolve() for r in roots)
        self.refused: list[str] = []
        self.served: list[Path] = []

    def resolve(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            self._refuse(url, "only local files inside the report are allowed")
        if parts.netloc not in ("", "localhost"):
            self._refuse(url, "remote file host")
        path = Path(unquote(parts.path)).resolve()
        if not any(path == r or r in path.parents for r in self.roots):
            self._refuse(url, "outside the templates and the report's own folder")
        if not path.is_file():
            self._refuse(url, "no such file")
        return path

    def _refuse(self, url: str, why: str) -> None:
        self.refused.append(url)
        raise UnsafeContent(f"refused to fetch {url!r}: {why}")

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        path = self.resolve(url)
        self.served.append(path)
        ctype = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=path.read_bytes(), headers={"Content-Type": ctype})
