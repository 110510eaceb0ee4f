"""Headless Chromium for the map tests: the DOM after the page's scripts ran, screenshots.

Every run gets a fresh profile, no network (host names do not resolve, so the background
tiles fail at once instead of waiting for a time-out) and a hard time limit; a run that
hangs anyway is tried once more.
"""

from __future__ import annotations

import functools
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
