"""Headless Chromium for the map tests: the DOM after the page's scripts ran, screenshots.

Every run gets a fresh profile, no network (host names do not resolve, so the background
tiles fail at once instead of waiting for a time-out) and a hard time limit; a run that
hangs anyway is tried once more.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
WINDOW = (1280, 800)
TIMEOUT_S = 60


def chromium() -> str:
    """The Chromium executable; skips the test (fails on CI) if there is none."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    msg = "headless Chromium is not installed (Debian: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(msg + " — CI must install it (.ci/run)")
    pytest.skip(msg)


def run_chromium(url: str, *args: str, window: tuple[int, int] = WINDOW) -> str:
    """Run headless Chromium on ``url`` with ``args``; return its standard output."""
    exe = chromium()
    last = ""
    for _ in range(2):
        with tempfile.TemporaryDirectory(prefix="revlog-chromium-") as profile:
            cmd = [
                exe,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                f"--user-data-dir={profile}",
                f"--window-size={window[0]},{window[1]}",
                "--hide-scrollbars",
                "--virtual-time-budget=5000",
                *args,
                url,
            ]
            try:
                res = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
            except subprocess.TimeoutExpired:
                last = f"Chromium did not finish within {TIMEOUT_S} s"
                continue
        if res.returncode == 0:
            return res.stdout
        last = res.stderr[-2000:]
    pytest.fail(f"headless Chromium failed on {url}: {last}")


def dump_dom(html_path: Path, window: tuple[int, int] = WINDOW) -> str:
    """The DOM of a page after its scripts ran (no network needed)."""
    return run_chromium(Path(html_path).resolve().as_uri(), "--dump-dom", window=window)


@functools.cache
def _ui_height() -> int:
    """Pixels that headless Chromium's window keeps for itself when it dumps the DOM.

    A ``--dump-dom`` run lays the page out in the window less its (invisible) browser
    frame; a ``--screenshot`` run loads the page the same way, then resizes the viewport
    to the whole window just before the capture.
    """
    with tempfile.TemporaryDirectory(prefix="revlog-viewport-") as folder:
        page = Path(folder) / "viewport.html"
        page.write_text(
            "<html><body><script>document.body.setAttribute('data-h', innerHeight);"
            "</script></body></html>",
            encoding="utf-8",
        )
        dom = dump_dom(page, window=WINDOW)
    found = re.search(r'data-h="(\d+)"', dom)
    assert found, "could not read the viewport height"
    return max(WINDOW[1] - int(found.group(1)), 0)


def dump_dom_at(html_path: Path, viewport: tuple[int, int] = WINDOW) -> str:
    """The DOM of a page laid out in a viewport of ``viewport`` pixels (as screenshots are)."""
    return dump_dom(html_path, window=(viewport[0], viewport[1] + _ui_height()))


def screenshot(html_path: Path, png_path: Path, window: tuple[int, int] = WINDOW) -> Path:
    """A PNG screenshot of a page whose viewport is ``window`` (width, height) pixels."""
    png_path = Path(png_path)
    run_chromium(
        Path(html_path).resolve().as_uri(), f"--screenshot={png_path.resolve()}", window=window
    )
    assert png_path.is_file() and png_path.stat().st_size > 0, "no screenshot written"
    return png_path


#: The frame of a map probe: once the page has loaded and the map fitted itself, the
#: probe's body runs with ``map`` (the Leaflet map), ``box(el)`` (an element's box in map
#: container pixels) and ``out`` (an object the body fills; written into the DOM as JSON).
_PROBE_FRAME = """
<script>
window.addEventListener("load", function () {
  setTimeout(function () {
    var map = window.revlogMap;
    var root = map.getContainer().getBoundingClientRect();
    function box(el) {
      if (!el) { return null; }
      var r = el.getBoundingClientRect();
      return {left: r.left - root.left, top: r.top - root.top,
              right: r.right - root.left, bottom: r.bottom - root.top};
    }
    var out = {size: map.getSize(), zoom: map.getZoom()};
    BODY
    var pre = document.createElement("pre");
    pre.id = "revlog-probe";
    pre.textContent = JSON.stringify(out);
    document.body.appendChild(pre);
  }, 300);
});
</script>
"""


def probe_map(
    html_path: Path, body_js: str, folder: Path, viewport: tuple[int, int] = WINDOW
) -> dict:
    """Run ``body_js`` in a copy of a revlog map page laid out in ``viewport``; its ``out``.

    The copy (``folder/probe.html``) is the page with one script appended (see
    ``_PROBE_FRAME``); the probe's viewport is the screenshot's.
    """
    text = Path(html_path).read_text(encoding="utf-8")
    page = Path(folder) / "probe.html"
    script = _PROBE_FRAME.replace("BODY", body_js)
    page.write_text(text.replace("</body>", script + "</body>"), encoding="utf-8")
    found = re.search(r'<pre id="revlog-probe">([^<]+)</pre>', dump_dom_at(page, viewport))
    assert found, "the probe script did not run"
    return json.loads(found.group(1).replace("&quot;", '"'))
