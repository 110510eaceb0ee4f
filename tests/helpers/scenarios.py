"""The repository's scenario files, and small variants of the tiny scenario written to a folder
(for infeasibility, time-limit, interruption, determinism and property tests)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
TINY_DIR = ROOT / "tests" / "fixtures" / "tiny"
TINY = TINY_DIR / "tiny.yaml"


def tiny_doc() -> dict[str, Any]:
    """The tiny scenario as a plain dict."""
    return yaml.safe_load(TINY.read_text(encoding="utf-8"))


def write_variant(
    folder: Path,
    name: str = "variant",
    extra_sources: list[str] | None = None,
    sources_csv: str | None = None,
    **sections: Any,
) -> Path:
    """Write ``folder/NAME.yaml``: the tiny scenario with ``sections`` merged in.

    Parameters
    ----------
    folder
        Where the scenario and copies of its tables go.
    name
        File stem (and scenario name).
    extra_sources
        CSV rows appended to the sources table.
    sources_csv
        Replace the sources table by this text.
    sections
        Top-level keys; dicts are merged one level deep (``rules={"duty_h_per_day": 1}``),
        anything else replaces the value.
    """
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(TINY_DIR / "candidates.csv", folder / "candidates.csv")
    text = sources_csv if sources_csv is not None else (TINY_DIR / "sources.csv").read_text()
    if extra_sources:
        text = text.rstrip("\n") + "\n" + "\n".join(extra_sources) + "\n"
    (folder / "sources.csv").write_text(text, encoding="utf-8")
    doc = tiny_doc()
    doc["name"] = name
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path
