"""Hostile and careless inputs: bombs refused in bounded time and memory, FIFOs and devices
named as such, unknown table columns reported, and `validate` running the cheap feasibility
pre-checks that `solve` would otherwise only reach later."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers.plans import run_cli
from helpers.scenarios import TINY, write_variant
from revlog.errors import ScenarioError, ScenarioWarning
from revlog.inputs import CANDIDATE_COLUMNS, SOURCE_COLUMNS, _near_column, prepare
from revlog.scenario import load_scenario

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
BOMBS = [
    "anchor-bomb.yaml",
    "anchor-bomb-list.yaml",
    "anchor-bomb-nested.yaml",
    "anchor-aliases.yaml",
]
#: The other hostile or careless files of the corpus, measured the same way.
HOSTILE = [
    "candidates-near-miss-column.yaml",
    "sources-near-miss-columns.yaml",
    "schema-and-table.yaml",
    "table-device.yaml",
    "deep-nesting.json",
    "huge-integer.toml",
    "binary-garbage.yaml",
]
MAX_SECONDS = 2.0
MAX_RSS_MB = 200.0

_MEASURE = textwrap.dedent(
    """
    import json, resource, sys, time
    from revlog.cli import main
    import revlog.inputs, revlog.scenario.load  # what `validate` imports, loaded up front
    sys.argv = ["revlog", "validate", sys.argv[1]]
    t0 = time.perf_counter()
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    seconds = time.perf_counter() - t0
    # the peak of this process's own memory (ru_maxrss may include the forked parent's)
    try:
        status = open("/proc/self/status").read().split("VmHWM:")[1]
        rss_mb = int(status.split()[0]) / 1024
    except (OSError, IndexError):
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"code": code, "seconds": seconds, "rss_mb": rss_mb}), file=sys.stderr)
    """
)


@pytest.mark.parametrize("name", BOMBS + HOSTILE)
def test_hostile_files_are_refused_in_bounded_time_and_memory(name):
    """`revlog validate FILE`: exit 2 with file:field: reason in < 2 s, peak RSS < 200 MB."""
    res = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(CORPUS / name)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    *lines, figures = res.stderr.strip().splitlines()
    stats = json.loads(figures)
    assert stats["code"] == 2 and "Traceback" not in res.stderr
    assert lines[0].startswith(str(CORPUS)) and ":" in lines[0]
    assert "anchor bomb" in lines[0] or name not in BOMBS
    assert stats["seconds"] < MAX_SECONDS, stats
    assert stats["rss_mb"] < MAX_RSS_MB, stats


def _validate_in_subprocess(path: Path) -> subprocess.CompletedProcess:
    """`revlog validate PATH` in a child (a FIFO opened by mistake would block the test)."""
    code = f"import sys; sys.argv = ['revlog', 'validate', {str(path)!r}]; "
    code += "from revlog.cli import main; main()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_a_fifo_as_table_is_named_a_fifo(tmp_path):
    """A named pipe given as a table is not 'no such file' and is never opened."""
    scenario = write_variant(tmp_path, sources={"table": "pipe.csv"})
    os.mkfifo(tmp_path / "pipe.csv")
    res = _validate_in_subprocess(scenario)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert res.stderr.splitlines()[0] == (
        f"{scenario}:sources.table: is a FIFO (named pipe), not a regular file: "
        f"{(tmp_path / 'pipe.csv').resolve()}"
    )


def test_a_fifo_as_scenario_file_is_named_a_fifo(tmp_path):
    """A named pipe given as the scenario file is refused without reading it."""
    os.mkfifo(tmp_path / "pipe.yaml")
    res = _validate_in_subprocess(tmp_path / "pipe.yaml")
    assert res.returncode == 2
    assert res.stderr.splitlines()[0] == (
        f"{tmp_path / 'pipe.yaml'}:(file): is a FIFO (named pipe), not a regular file"
    )


def test_a_fifo_in_a_geodata_folder_is_refused(tmp_path):
    """A geodata folder of the scenario's own is checked file by file before it is read."""
    geo = tmp_path / "geo"
    shutil.copytree(Path(__file__).resolve().parents[1] / "geodata", geo)
    (geo / "roads.csv").unlink()
    os.mkfifo(geo / "roads.csv")
    scenario = write_variant(tmp_path, geodata="geo")
    res = _validate_in_subprocess(scenario)
    assert res.returncode == 2
    assert res.stderr.splitlines()[0] == (
        f"{scenario}:geodata: roads.csv is a FIFO (named pipe), not a regular file"
    )


@pytest.mark.parametrize(
    ("column", "columns", "meant"),
    [
        ("existing_outlet", CANDIDATE_COLUMNS, "existing"),
        ("Site ID", CANDIDATE_COLUMNS, "site_id"),
        ("stock_capacity_kg", CANDIDATE_COLUMNS, "stock_capacity_t"),
        ("fixed_cost_cny", CANDIDATE_COLUMNS, "fixed_cost_cny_per_year"),
        ("lng", SOURCE_COLUMNS, "lon"),
        ("supply", SOURCE_COLUMNS, "supply_t_per_year"),
        ("damaged_shares", SOURCE_COLUMNS, "damaged_share"),
        ("prefecure", SOURCE_COLUMNS, "prefecture"),
        ("name_zh", SOURCE_COLUMNS, None),
        ("notes", SOURCE_COLUMNS, None),
        ("owner_phone", CANDIDATE_COLUMNS, None),
    ],
)
def test_near_misses_of_known_columns_are_told_apart_from_the_users_own(column, columns, meant):
    """A slip for a column revlog reads is named; a column of the user's own is not."""
    assert _near_column(column, columns) == meant


def test_unknown_columns_of_the_users_own_are_warnings(tmp_path, capsys):
    """Columns revlog does not read are warned about (Inputs.warnings, stderr), not fatal."""
    lines = (TINY.parent / "sources.csv").read_text().splitlines()
    text = "\n".join([lines[0] + ",notes"] + [line + ",call first" for line in lines[1:]])
    scenario = write_variant(tmp_path, sources_csv=text + "\n")
    table = tmp_path / "sources.csv"
    with pytest.warns(ScenarioWarning, match="notes: unknown column, ignored"):
        inputs = prepare(load_scenario(scenario))
    assert [str(w) for w in inputs.warnings] == [f"{table}:notes: unknown column, ignored"]
    code, out, err = run_cli(["validate", scenario], capsys)
    assert code == 0 and out.startswith("ok ")
    assert err.splitlines() == [f"{table}:notes: warning: unknown column, ignored"]


def test_a_schema_error_does_not_hide_the_tables_problems(tmp_path):
    """An unknown key and a bad table row are reported together."""
    lines = (TINY.parent / "sources.csv").read_text().splitlines()
    lines[2] = lines[2].replace("9.0", "nine")
    scenario = write_variant(tmp_path, sources_csv="\n".join(lines) + "\n", solver={"sed": 1})
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario)
    assert [str(p) for p in info.value.problems] == [
        f"{scenario}:solver.sed: unknown key 'sed'; did you mean 'seed'?",
        f"{tmp_path / 'sources.csv'}:line 3.supply_t_per_year: 'nine' is not a number",
    ]


def test_validate_runs_the_feasibility_pre_checks(tmp_path, capsys):
    """A 5 km service radius passes the schema but is infeasible: validate exits 3."""
    scenario = write_variant(tmp_path, location={"service_radius_km": 5})
    code, out, err = run_cli(["validate", scenario], capsys)
    assert code == 3 and "Traceback" not in out + err
    lines = err.splitlines()
    assert lines[0] == f"{scenario}: location stage infeasible:"
    assert any(
        line.startswith("- source D1 ") and "service radius of 5 km" in line for line in lines
    )
    assert "ok" not in out


def test_validate_flags_a_prefecture_without_a_collection_candidate(tmp_path, capsys):
    """A source in a prefecture with no collection candidate is flagged by validate (exit 3)."""
    golmud = "G1,Golmud dealer,dealer,Qinghai,Haixi,94.9,36.4,3.0,0.0"
    scenario = write_variant(tmp_path, extra_sources=[golmud])
    code, _, err = run_cli(["validate", scenario], capsys)
    assert code == 3
    assert any("prefecture Haixi" in line and "collection" in line for line in err.splitlines())
    ok = write_variant(
        tmp_path / "off",
        extra_sources=[golmud],
        location={"collection_per_prefecture": False, "service_radius_km": 1000},
    )
    code, out, _ = run_cli(["validate", ok], capsys)
    assert code == 0 and out.startswith("ok ")


def test_validate_reports_problems_before_infeasibility(tmp_path, capsys):
    """Input problems (exit 2) take precedence over a later file's infeasibility (exit 3)."""
    bad = CORPUS / "night-ban-zero.yaml"
    tight = write_variant(tmp_path, location={"service_radius_km": 5})
    code, _, err = run_cli(["validate", tight, bad], capsys)
    assert code == 2
    assert f"{tight}: location stage infeasible:" in err
    assert f"{bad}:rules.night_ban: a ban from 5 h to 5 h has no length" in err


@pytest.mark.parametrize("command", ["validate", "solve"])
def test_restricting_every_road_class_is_named_not_a_traceback(tmp_path, capsys, command):
    """Restricting every road class the network has is rules.restricted_road_classes' error."""
    sc = write_variant(
        tmp_path, rules={"restricted_road_classes": ["expressway", "national", "provincial"]}
    )
    out = tmp_path / "plan"
    args = [command, sc] + (["-o", out] if command == "solve" else [])
    code, _, err = run_cli(args, capsys)
    assert code == 2
    assert f"{sc}:rules.restricted_road_classes: every road class the network has" in err
    assert "Traceback" not in err and not out.exists()
