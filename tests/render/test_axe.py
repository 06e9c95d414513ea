"""axe-core (the checker GDS uses for accessibility monitoring) on both HTML pages, and on the sample's
review pack in both languages: no violations of WCAG 2.0/2.1/2.2 A and AA.

Needs Debian ``chromium`` and the npm package ``axe-core`` (``axe.min.js``): it is looked for in
``$AXE_CORE_JS``, ``./node_modules/axe-core/``, then the global npm root. Chromium is driven over the
DevTools protocol on a pipe (``--remote-debugging-pipe``, fds 3 and 4), so neither a driver binary
(chromedriver, selenium) nor a network port is involved.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import LANGS

ROOT = Path(__file__).resolve().parents[2]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def _axe_js() -> Path | None:
    candidates = [os.environ.get("AXE_CORE_JS", ""), str(ROOT / "node_modules" / "axe-core" / "axe.min.js")]
    if shutil.which("npm"):
        try:
            root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True, timeout=30).stdout.strip()
            candidates.append(str(Path(root) / "axe-core" / "axe.min.js"))
        except (OSError, subprocess.SubprocessError):
            pass
    return next((Path(c) for c in candidates if c and Path(c).is_file()), None)


class Browser:
    """Headless Chromium over the DevTools protocol on fds 3 (commands in) and 4 (events out)."""

    def __init__(self, binary: str):
        import fcntl

        def high(fd: int) -> int:  # out of the way of fds 3 and 4, which chromium is about to get
            new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
            os.close(fd)
            return new

        self.to_r, self.to_w = (high(fd) for fd in os.pipe())
        self.from_r, self.from_w = (high(fd) for fd in os.pipe())
        args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--remote-debugging-pipe", "--no-first-run", "--allow-file-access-from-files", "about:blank"]
        to_r, from_w = self.to_r, self.from_w

        def as_3_and_4() -> None:  # --remote-debugging-pipe reads commands on fd 3, writes on fd 4
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        self.proc = subprocess.Popen(args, preexec_fn=as_3_and_4, close_fds=False,  # noqa: PLW1509
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(self.to_r)
        os.close(self.from_w)
        self.out = os.fdopen(self.to_w, "wb", buffering=0)
        self.inp = os.fdopen(self.from_r, "rb", buffering=0)
        self.buf = b""
        self.next_id = 0

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self.buf:
            chunk = self.inp.read(65536)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        msg: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        self.out.write(json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def evaluate(self, session: str, expression: str, await_promise: bool = False) -> Any:
        res = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": await_promise,
                                             "returnByValue": True}, session)
        if "exceptionDetails" in res:
            raise RuntimeError(str(res["exceptionDetails"])[:500])
        return res["result"].get("value")

    def open(self, url: str) -> str:
        target = self.send("Target.createTarget", {"url": url})["targetId"]
        return self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module", params=["fixture", "sample"])
def axe_results(request) -> dict[str, list[dict[str, Any]]]:  # noqa: ANN001
    """The hand-built fixture's pages (every kind of block, suppressed cells, commentary) and the real
    report on the bundled sample, as published."""
    binary, axe = _chromium(), _axe_js()
    if binary is None:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    if axe is None:
        pytest.skip("axe-core is not installed (npm install axe-core, or set AXE_CORE_JS to axe.min.js)")
    if request.param == "fixture":
        pages = request.getfixturevalue("rendered").out
        files = {lang: pages / lang / "index.html" for lang in LANGS}
    else:
        code, pages, log = request.getfixturevalue("sample_report")
        assert code == 0, log
        # and the review pack in both languages: the people signing off read it in a browser too
        files = {**{lang: pages / lang / "index.html" for lang in LANGS},
                 "review.en": pages / "review" / "index.html", "review.cy": pages / "review" / "index.cy.html"}
    source = axe.read_text(encoding="utf-8")
    browser = Browser(binary)
    results: dict[str, list[dict[str, Any]]] = {}
    try:
        for lang, page in files.items():
            url = page.as_uri()
            session = browser.open(url)
            # Wait for *this* page to finish loading: a new target starts on about:blank, whose
            # readyState is already "complete", and axe run on a half-parsed page sees a link whose
            # text has not arrived yet (a flaky "link-name" violation).
            # and for its fonts: a table box is marked as a scrolling region once they are in
            ready = (f"document.readyState === 'complete' && location.href === {json.dumps(url)}"
                     " && (!document.fonts || document.fonts.status === 'loaded')")
            for _ in range(600):
                if browser.evaluate(session, ready):
                    break
                time.sleep(0.05)
            else:
                raise RuntimeError(f"{url} did not finish loading in 30 s")
            browser.evaluate(session, source)
            options = json.dumps({"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]})
            script = ("axe.run(document, " + options + ").then(r => JSON.stringify(r.violations.map(v => ({"
                      "id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.html)}))))")
            results[lang] = json.loads(browser.evaluate(session, script,
                await_promise=True))
            # reflow (WCAG 1.4.10): how wide the page is against the window, at 320 and 1280 CSS px
            widths = []
            for width in (320, 1280):
                browser.send("Emulation.setDeviceMetricsOverride",
                             {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session)
                widths.append(browser.evaluate(session, "[document.documentElement.scrollWidth, "
                                                        "document.documentElement.clientWidth]"))
                time.sleep(0.2)  # the page's resize handler marks the table boxes that scroll now
                boxes = ("(() => { const all = [...document.querySelectorAll('.table-wrap')];"
                         " return [all.length, all.filter(b => b.hasAttribute('tabindex')).length,"
                         " all.filter(b => (b.scrollWidth > b.clientWidth + 1) !== b.hasAttribute('tabindex')).length]; })()")
                results.setdefault(f"boxes.{lang}", []).append((width, browser.evaluate(session, boxes)))
            results[f"width.{lang}"] = widths
    finally:
        browser.close()
    return results


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_no_wcag_a_or_aa_violations(axe_results, lang: str) -> None:  # noqa: ANN001
    assert axe_results[lang] == []


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_no_wcag_a_or_aa_violations_in_the_review_pack(axe_results, lang: str) -> None:  # noqa: ANN001
    if f"review.{lang}" not in axe_results:
        pytest.skip("the hand-built fixture has no review pack; the sample's is checked")
    assert axe_results[f"review.{lang}"] == []


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_scrolls_sideways_in_a_narrow_or_a_wide_window(axe_results, lang: str) -> None:  # noqa: ANN001
    # WCAG 1.4.10: at 320 CSS px only a wide table scrolls, inside its own box. The hidden explanations
    # of withheld cells once sat outside those boxes: the Welsh report page was 1,181 px wide at 320 px
    # and 1,402 px in a 1,280 px window; the review pack's tables were 638 px wide at 320
    for page in (lang, f"review.{lang}"):
        for page_width, window_width in axe_results.get(f"width.{page}", []):
            assert page_width <= window_width, (page, page_width, window_width)


@pytest.mark.parametrize("lang", LANGS)
def test_only_a_table_box_that_scrolls_is_a_tab_stop(axe_results, lang: str) -> None:  # noqa: ANN001
    # every one of 145 table boxes was a tab stop and a named region, though 2 scrolled at 1,280 px
    for width, (total, focusable, wrong) in axe_results.get(f"boxes.{lang}", []):
        assert wrong == 0, (width, total, focusable)
        if width == 1280 and total > 20:
            assert focusable < total / 4, (total, focusable)
