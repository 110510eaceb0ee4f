"""The bad-input corpus: every broken file is refused cleanly, as ``file:field: reason``.

``tests/bad_inputs/`` holds one scenario file per case (YAML, TOML, JSON, or a wrong
suffix) and, next to it, ``FILE.expected`` (``nan-values.toml`` → ``nan-values.toml.expected``):
the exact problem lines, one per line, with
``{dir}`` standing for the corpus folder. The tables the scenarios point to live in
``tests/bad_inputs/tables/``. For every case, the Python API, ``revlog validate`` and
``revlog solve -o OUT`` must report exactly those lines, the CLI must exit with code 2,
print no traceback, and ``solve`` must not create its output folder.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from revlog.cli import main
from revlog.errors import ScenarioError
from revlog.inputs import prepare
from revlog.scenario import load_scenario

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parent / "bad_inputs"
EXPECTED = sorted(CORPUS.glob("*.expected"))


def scenario_of(expected: Path) -> Path:
    """The scenario file a ``.expected`` file belongs to (its name without ``.expected``)."""
    path = expected.with_suffix("")
    assert path.is_file(), f"{expected.name}: no scenario file {path.name}"
    return path


def expected_lines(expected: Path) -> list[str]:
    text = expected.read_text(encoding="utf-8")
    return [line.replace("{dir}", str(CORPUS)) for line in text.splitlines() if line]


def summary(n: int) -> str:
    return f"{n} problem{'s' if n != 1 else ''} found"


def run_cli(args: list[str], capsys, monkeypatch) -> tuple[int, str, str]:
    """Run ``revlog ARGS`` in-process; return exit code, stdout, stderr."""
    monkeypatch.setattr(sys, "argv", ["revlog", *args])
    with pytest.raises(SystemExit) as info:
        main()
    captured = capsys.readouterr()
    code = info.value.code
    return (0 if code is None else int(code)), captured.out, captured.err


def case_id(expected: Path) -> str:
    return expected.with_suffix("").name


def cli_case(expected: Path):
    return pytest.param(expected, id=case_id(expected))


def test_the_corpus_is_complete():
    """Every corpus scenario has its .expected file of {dir}/ lines, and every table is used."""
    scenarios = [p for p in CORPUS.iterdir() if p.is_file() and p.suffix != ".expected"]
    tables = [p for p in (CORPUS / "tables").iterdir() if p.is_file()]
    assert len(scenarios) >= 40 and len(EXPECTED) == len(scenarios)
    for p in scenarios:
        assert Path(f"{p}.expected").is_file(), f"{p.name} has no .expected file"
    for e in EXPECTED:
        lines = e.read_text(encoding="utf-8").splitlines()
        assert lines and all(line.startswith("{dir}/") for line in lines), e.name
    # every table is used by some scenario
    text = "".join(p.read_bytes().decode("utf-8", "replace") for p in scenarios)
    unused = [t.name for t in tables if t.name not in text]
    assert not unused, f"tables no scenario points to: {unused}"
    print(f"bad-input corpus: {len(scenarios)} scenario files, {len(tables)} tables")


@pytest.mark.parametrize("expected", EXPECTED, ids=case_id)
def test_api_reports_exactly_the_expected_problems(expected):
    """For each bad file the API raises exactly its expected problem lines."""
    with pytest.raises(ScenarioError) as info:
        prepare(load_scenario(scenario_of(expected)))
    assert [str(p) for p in info.value.problems] == expected_lines(expected)


@pytest.mark.parametrize("expected", [cli_case(e) for e in EXPECTED])
def test_validate_reports_them_and_exits_2(expected, capsys, monkeypatch):
    """revlog validate prints exactly the expected lines and a count on stderr, and exits 2."""
    code, out, err = run_cli(["validate", str(scenario_of(expected))], capsys, monkeypatch)
    want = expected_lines(expected)
    assert code == 2
    assert "Traceback" not in out + err
    assert out == ""
    assert err.splitlines() == [*want, summary(len(want))]


@pytest.mark.parametrize("expected", [cli_case(e) for e in EXPECTED])
def test_solve_reports_them_exits_2_and_writes_nothing(expected, tmp_path, capsys, monkeypatch):
    """revlog solve of a bad file prints the expected lines, exits 2 and writes no folder."""
    target = tmp_path / "plan"
    code, out, err = run_cli(
        ["solve", str(scenario_of(expected)), "-o", str(target), "--quiet"], capsys, monkeypatch
    )
    want = expected_lines(expected)
    assert code == 2
    assert "Traceback" not in out + err
    assert err.splitlines() == [*want, summary(len(want))]
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary or half-written folder either


def test_validate_lists_the_problems_of_every_file_given(capsys, monkeypatch):
    """revlog validate of many files lists every file's problems, then one total count."""
    cases = EXPECTED
    code, _, err = run_cli(["validate", *map(str, map(scenario_of, cases))], capsys, monkeypatch)
    want = [line for e in cases for line in expected_lines(e)]
    assert code == 2
    assert err.splitlines() == [*want, summary(len(want))]


def _revlog_command() -> list[str]:
    script = Path(sys.executable).parent / "revlog"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "revlog.cli"]


def test_the_installed_command_refuses_bad_files_without_a_traceback(tmp_path):
    """The installed revlog refuses bad files with the expected lines, exit 2, no traceback."""
    names = [
        "binary-garbage.yaml",
        "anchor-bomb.yaml",
        "sources-bad-rows.yaml",
        "table-outside.json",
    ]
    files = [str(scenario_of(CORPUS / f"{n}.expected")) for n in names]
    want = [line for n in names for line in expected_lines(CORPUS / f"{n}.expected")]
    res = subprocess.run(
        [*_revlog_command(), "validate", *files], capture_output=True, text=True, timeout=120
    )
    assert res.returncode == 2 and "Traceback" not in res.stdout + res.stderr
    assert res.stderr.splitlines() == [*want, summary(len(want))]
    target = tmp_path / "out"
    res = subprocess.run(
        [*_revlog_command(), "solve", files[2], "-o", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2 and "Traceback" not in res.stdout + res.stderr
    assert not target.exists() and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [("nowhere.yaml", "no such file"), ("folder.yaml", "is a folder, not a scenario file")],
)
def test_a_scenario_path_that_is_not_a_file(name, reason, tmp_path, capsys, monkeypatch):
    """A scenario path that is missing or a folder is refused as path:(file): reason."""
    path = tmp_path / name
    if name.startswith("folder"):
        path.mkdir()
    code, out, err = run_cli(["validate", str(path)], capsys, monkeypatch)
    assert code == 2 and "Traceback" not in out + err
    assert err.splitlines() == [f"{path}:(file): {reason}", summary(1)]


# ---- the path policy: tables inside the scenario's folder unless allowed -------------------


def _scenario(folder: Path, extra: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "s.yaml"
    path.write_text(f"name: s\nplanning_year: 2025\n{extra}", encoding="utf-8")
    return path


def test_outside_tables_are_accepted_when_the_scenario_allows_them(tmp_path):
    """Tables outside the scenario's folder are refused unless allow_external_paths is set."""
    shutil.copy(REPO / "geodata" / "sources.csv", tmp_path / "sources.csv")
    denied = _scenario(tmp_path / "a", "sources:\n  table: ../sources.csv\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(denied)
    assert [p.field for p in info.value.problems] == ["sources.table"]
    assert "outside the scenario's folder" in info.value.problems[0].reason
    allowed = _scenario(
        tmp_path / "b", "allow_external_paths: true\nsources:\n  table: ../sources.csv\n"
    )
    inputs = prepare(load_scenario(allowed))
    assert inputs.scenario.sources.table == (tmp_path / "sources.csv").resolve()
    assert len(inputs.sources) > 0


def test_a_symlink_inside_the_folder_cannot_reach_outside(tmp_path):
    """A symlink in the scenario's folder that points outside counts as outside."""
    shutil.copy(REPO / "geodata" / "sources.csv", tmp_path / "sources.csv")
    (tmp_path / "sc").mkdir()
    (tmp_path / "sc" / "link.csv").symlink_to(tmp_path / "sources.csv")
    path = _scenario(tmp_path / "sc", "sources:\n  table: link.csv\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert "outside the scenario's folder" in str(info.value)


def test_tables_in_subfolders_are_inside(tmp_path):
    """Tables in subfolders of the scenario's folder count as inside."""
    (tmp_path / "data").mkdir()
    shutil.copy(REPO / "geodata" / "sources.csv", tmp_path / "data" / "sources.csv")
    sc = load_scenario(_scenario(tmp_path, "sources:\n  table: data/sources.csv\n"))
    assert len(prepare(sc).sources) > 0


# ---- valid tables in every format still read the same -------------------------------------


def _default_inputs(tmp_path: Path):
    return prepare(load_scenario(_scenario(tmp_path / "default", "")))


def test_csv_with_bom_blank_lines_and_spaces_reads_like_the_embedded_table(tmp_path):
    """A CSV with a BOM, blank lines and spaces after commas reads like the plain table."""
    base = _default_inputs(tmp_path)
    lines = (REPO / "geodata" / "candidates.csv").read_text(encoding="utf-8").splitlines()
    text = "\ufeff" + lines[0] + "\n\n" + "\n".join(", ".join(x.split(",")) for x in lines[1:])
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "c.csv").write_text(text + "\n\n", encoding="utf-8")
    got = prepare(load_scenario(_scenario(folder, "candidates:\n  table: c.csv\n")))
    cols = ["site_id", "kind", "lon", "lat", "capacity_t_per_year", "existing"]
    assert got.candidates[cols].equals(base.candidates[cols])


@pytest.mark.parametrize("crs", [None, "urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:3857"])
def test_geojson_reads_like_the_embedded_table(tmp_path, crs):
    """A GeoJSON table in WGS84, CRS84 or EPSG:3857 reads like the embedded table."""
    import pyproj

    base = _default_inputs(tmp_path)
    src = base.geodata.sources
    to_3857 = pyproj.Transformer.from_crs(4326, 3857, always_xy=True)
    features = []
    for _, row in src.iterrows():
        xy = [float(row["lon"]), float(row["lat"])]
        if crs == "EPSG:3857":
            xy = list(to_3857.transform(*xy))
        props = {
            k: (v.item() if hasattr(v, "item") else v)
            for k, v in row.items()
            if k not in ("geometry", "lon", "lat")
        }
        features.append(
            {
                "type": "Feature",
                "properties": props,
                "geometry": {"type": "Point", "coordinates": xy},
            }
        )
    data: dict = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    folder = tmp_path / "gj"
    folder.mkdir()
    (folder / "s.geojson").write_text(json.dumps(data), encoding="utf-8")
    got = prepare(load_scenario(_scenario(folder, "sources:\n  table: s.geojson\n")))
    assert list(got.sources["source_id"]) == list(base.sources["source_id"])
    assert got.sources["supply_t_per_year"].tolist() == base.sources["supply_t_per_year"].tolist()
    tol = 1e-7 if crs == "EPSG:3857" else 0.0
    assert (got.sources["lon"] - base.sources["lon"]).abs().max() <= tol
    assert (got.sources["lat"] - base.sources["lat"]).abs().max() <= tol
