"""Property tests: any mutation of a valid scenario (or its table) is valid or cleanly refused.

Random mutations of a valid scenario file (delete a key, change a value's type, insert an
unknown key, NaN / infinite / negative numbers, swapped or far-away coordinates, a
truncated file, random bytes) and of its sources table must give either a valid
:class:`~revlog.inputs.Inputs` or a :class:`~revlog.errors.ScenarioError` whose every
problem names the scenario file or one of its tables, a field and a reason on one line —
never any other exception.

The examples are derandomized (the same ones on every run); set
``REVLOG_HYPOTHESIS_EXAMPLES=2000 REVLOG_HYPOTHESIS_RANDOM=1`` to explore further.
Each test prints how many examples ran (``pytest -s``).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from revlog.errors import ScenarioError
from revlog.geo.geodata import default_geodata_dir
from revlog.inputs import prepare
from revlog.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "scenarios" / "qinghai-baseline.yaml"
EXAMPLES = int(os.environ.get("REVLOG_HYPOTHESIS_EXAMPLES", "0")) or None
RANDOM = bool(os.environ.get("REVLOG_HYPOTHESIS_RANDOM"))


def _settings(n: int) -> settings:
    return settings(
        max_examples=EXAMPLES or n,
        deadline=None,
        database=None,
        derandomize=not RANDOM,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def base_scenario() -> dict[str, Any]:
    """The shipped baseline scenario, reading a copy of the sources table from its folder."""
    data = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    data["sources"] = {"table": "sources.csv", "supply_scale": 1.0}
    data["plant"] = {"lon": 101.5042, "lat": 36.50238}
    return data


def write_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    lines = (default_geodata_dir() / "sources.csv").read_text(encoding="utf-8").splitlines()
    (folder / "sources.csv").write_text("\n".join(lines[:60]) + "\n", encoding="utf-8")


def outcome(path: Path) -> str:
    """Load and prepare ``path``; check the result is valid or a clean ScenarioError."""
    try:
        inputs = prepare(load_scenario(path))
    except ScenarioError as exc:
        assert exc.problems, "a ScenarioError without problems"
        folder = path.resolve().parent
        named = {str(path), str(path.resolve())}
        named |= {str(folder / "sources.csv"), str(folder / "candidates.csv")}
        named |= {f"{default_geodata_dir().resolve()}/{n}.csv" for n in ("sources", "candidates")}
        for p in exc.problems:
            assert p.file in named, f"problem names an unrelated file: {p}"
            assert p.field and p.reason, f"problem without field or reason: {p!r}"
            assert "\n" not in str(p) and "\r" not in str(p), f"multi-line problem: {p!r}"
            assert "Traceback" not in p.reason
        return "error"
    assert len(inputs.sources) > 0 and inputs.total_supply_t > 0
    assert inputs.scenario.fleet
    return "valid"


# ---- mutations of the parsed scenario ------------------------------------------------------

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["2 t", "1,500", "80 km/h", "Qinghai", "plant", "outlets", "", "nan", "1e999"]),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=3),
    st.dictionaries(st.text(max_size=6), st.integers(), max_size=2),
)


def all_paths(obj: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += all_paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += all_paths(v, (*prefix, i))
    return out


def get(obj: Any, path: tuple) -> Any:
    for p in path:
        obj = obj[p]
    return obj


def mutate(data: dict[str, Any], draw: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    path = draw(st.sampled_from(all_paths(data)[1:]))
    parent, key = get(data, path[:-1]), path[-1]
    op = draw(
        st.sampled_from(
            ["delete", "set", "unknown_key", "nan", "negate", "inf", "coords", "wrap", "typo"]
        )
    )
    old = parent[key]
    if op == "delete":
        del parent[key]
    elif op == "set":
        parent[key] = draw(values)
    elif op == "unknown_key":
        target = parent if isinstance(parent, dict) else data
        target[draw(st.text(min_size=1, max_size=15))] = draw(values)
    elif op == "nan":
        parent[key] = float("nan")
    elif op == "inf":
        parent[key] = draw(st.sampled_from([float("inf"), float("-inf")]))
    elif op == "negate":
        parent[key] = -old if isinstance(old, (int, float)) and not isinstance(old, bool) else -1
    elif op == "coords":
        lon, lat = draw(
            st.sampled_from([(36.50238, 101.5042), (121.47, 31.23), (101.5, 95.0), (-101.5, 36.5)])
        )
        data["plant"] = {"lon": lon, "lat": lat}
    elif op == "wrap":
        parent[key] = draw(st.sampled_from([[old], {"value": old}, str(old)]))
    elif op == "typo" and isinstance(parent, dict):
        parent[str(key)[:-1] or "x"] = parent.pop(key)
    return data


def to_toml(data: dict[str, Any]) -> str | None:
    """A small TOML writer for the scenario's shapes; None when a value does not fit TOML."""

    def scalar(v: Any) -> str | None:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(v)
        if isinstance(v, float):
            if v != v:
                return "nan"
            if v in (float("inf"), float("-inf")):
                return "inf" if v > 0 else "-inf"
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v):
            parts = [scalar(x) for x in v]
            return None if None in parts else "[" + ", ".join(parts) + "]"  # type: ignore[arg-type]
        return None

    head: list[str] = []
    tail: list[str] = []
    for k, v in data.items():
        key = json.dumps(str(k))
        if isinstance(v, dict):
            tail.append(f"[{key}]")
            for k2, v2 in v.items():
                s = scalar(v2)
                if s is None:
                    return None
                tail.append(f"{json.dumps(str(k2))} = {s}")
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            for item in v:
                tail.append(f"[[{key}]]")
                for k2, v2 in item.items():
                    s = scalar(v2)
                    if s is None:
                        return None
                    tail.append(f"{json.dumps(str(k2))} = {s}")
        else:
            s = scalar(v)
            if s is None:
                return None
            head.append(f"{key} = {s}")
    return "\n".join(head + tail) + "\n"


def dump(data: dict[str, Any], fmt: str) -> tuple[str, str]:
    if fmt == "toml":
        text = to_toml(data)
        if text is not None:
            return text, ".toml"
    if fmt == "json":
        return json.dumps(data, indent=1), ".json"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False), ".yaml"


def test_the_unmutated_files_are_valid(tmp_path):
    """The baseline scenario written as YAML, JSON or TOML is valid."""
    write_folder(tmp_path)
    for fmt in ("yaml", "json", "toml"):
        text, suffix = dump(base_scenario(), fmt)
        path = tmp_path / f"s{suffix}"
        path.write_text(text, encoding="utf-8")
        assert outcome(path) == "valid", fmt


def test_mutated_scenarios_are_valid_or_cleanly_refused(tmp_path):
    """Any mutation of a valid scenario is valid or refused with one-line file:field: reason."""
    write_folder(tmp_path)
    counts: Counter[str] = Counter()

    @_settings(150)
    @given(
        st.data(), st.integers(min_value=1, max_value=3), st.sampled_from(["yaml", "json", "toml"])
    )
    def run(data: st.DataObject, n: int, fmt: str) -> None:
        scenario = base_scenario()
        for _ in range(n):
            scenario = mutate(scenario, data.draw)
        text, suffix = dump(scenario, fmt)
        for old in tmp_path.glob("s.*"):
            old.unlink()
        path = tmp_path / f"s{suffix}"
        path.write_text(text, encoding="utf-8")
        counts[outcome(path)] += 1

    run()
    print(f"\nmutated scenarios: {counts.total()} examples, {dict(counts)}")
    assert counts["error"] > 0 and counts["valid"] > 0


# ---- mutations of the file's bytes ---------------------------------------------------------


def test_damaged_files_are_valid_or_cleanly_refused(tmp_path):
    """A scenario file with damaged bytes is valid or refused with one-line file:field: reason."""
    write_folder(tmp_path)
    texts = {fmt: dump(base_scenario(), fmt) for fmt in ("yaml", "json", "toml")}
    counts: Counter[str] = Counter()

    @_settings(150)
    @given(
        st.sampled_from(sorted(texts)),
        st.sampled_from(["truncate", "insert", "replace", "flip", "garbage"]),
        st.floats(min_value=0.0, max_value=1.0),
        st.binary(min_size=1, max_size=40),
    )
    def run(fmt: str, op: str, where: float, blob: bytes) -> None:
        text, suffix = texts[fmt]
        raw = text.encode("utf-8")
        i = int(where * len(raw))
        if op == "truncate":
            raw = raw[:i]
        elif op == "insert":
            raw = raw[:i] + blob + raw[i:]
        elif op == "replace":
            raw = raw[:i] + blob + raw[i + len(blob) :]
        elif op == "flip":
            raw = raw[:i] + bytes([raw[min(i, len(raw) - 1)] ^ blob[0]]) + raw[i + 1 :]
        else:
            raw = blob
        path = tmp_path / f"s{suffix}"
        path.write_bytes(raw)
        counts[outcome(path)] += 1

    run()
    print(f"\ndamaged files: {counts.total()} examples, {dict(counts)}")
    assert counts["error"] > 0


# ---- mutations of the sources table --------------------------------------------------------


def test_damaged_tables_are_valid_or_cleanly_refused(tmp_path):
    """A damaged sources table is valid or refused with one-line problems naming file and field."""
    write_folder(tmp_path)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(dump(base_scenario(), "yaml")[0], encoding="utf-8")
    good = (tmp_path / "sources.csv").read_text(encoding="utf-8")
    rows = [line.split(",") for line in good.splitlines()]
    n_rows, n_cols = len(rows), len(rows[0])
    counts: Counter[str] = Counter()

    @_settings(100)
    @given(
        st.lists(
            st.tuples(
                st.sampled_from(["cell", "drop_column", "swap", "drop_cells", "blank", "cut"]),
                st.integers(min_value=0, max_value=n_rows - 1),
                st.integers(min_value=0, max_value=n_cols - 1),
                st.one_of(
                    st.text(max_size=8),
                    st.sampled_from(["nan", "inf", "-1", "1e9", "", "Qinhai", "36.6", "101.7"]),
                ),
            ),
            min_size=1,
            max_size=3,
        )
    )
    def run(edits: list[tuple[str, int, int, str]]) -> None:
        table = [list(r) for r in rows]
        text: str | None = None
        for op, r, c, value in edits:
            if op == "cell" and r < len(table) and c < len(table[r]):
                table[r][c] = value
            elif op == "drop_column":
                table = [[x for j, x in enumerate(row) if j != c] for row in table]
            elif op == "swap" and 0 < r < len(table) and {"lon", "lat"} <= set(table[0]):
                lon, lat = table[0].index("lon"), table[0].index("lat")
                if lon < len(table[r]) and lat < len(table[r]):
                    table[r][lon], table[r][lat] = table[r][lat], table[r][lon]
            elif op == "drop_cells" and r < len(table):
                table[r] = table[r][:c]
            elif op == "blank":
                table.insert(r, [])
        text = "\n".join(",".join(row) for row in table) + "\n"
        for op, r, _c, _v in edits:
            if op == "cut":
                text = text[: len(text) * r // n_rows]
        (tmp_path / "sources.csv").write_text(text, encoding="utf-8")
        counts[outcome(scenario)] += 1

    run()
    print(f"\ndamaged tables: {counts.total()} examples, {dict(counts)}")
    assert counts["error"] > 0 and counts["valid"] > 0
    shutil.rmtree(tmp_path, ignore_errors=True)
