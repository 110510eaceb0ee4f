"""The scenario file: formats, defaults, units, and errors that name file:field: reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from revlog.errors import ScenarioError
from revlog.scenario import Scenario, load_scenario

REPO = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return [str(p) for p in info.value.problems]


def test_minimal_yaml_takes_documented_defaults(tmp_path):
    """A scenario of only name and year takes the documented defaults (speeds, breaks, Qinghai)."""
    sc = load_scenario(write(tmp_path, "s.yaml", "name: mini\nplanning_year: 2025\n"))
    assert sc.rules.speed_expressway_kmh == 80.0
    assert sc.rules.speed_other_kmh == 60.0
    assert sc.rules.max_driving_h == 4.0 and sc.rules.break_min == 20.0
    assert sc.regions == ["Qinghai"]
    assert sc.fleet and sc.path == (tmp_path / "s.yaml").resolve()


def test_toml_and_json_are_accepted(tmp_path):
    """A scenario may be written in TOML or JSON as well as YAML."""
    t = load_scenario(write(tmp_path, "s.toml", 'name = "t"\nplanning_year = 2026\n'))
    j = load_scenario(write(tmp_path, "s.json", json.dumps({"name": "j", "planning_year": 2027})))
    assert (t.name, t.planning_year, j.name, j.planning_year) == ("t", 2026, "j", 2027)


def test_every_problem_is_listed_with_file_and_field(tmp_path):
    """Every problem of a scenario is listed at once as file:field: reason, with did-you-mean."""
    p = write(
        tmp_path,
        "bad.yaml",
        "name: x\nplanning_yer: 2025\nfleet: []\nsolver:\n  time_limit_s: .nan\n  sed: 3\n",
    )
    got = problems(p)
    assert f"{p}:planning_year: required field is missing" in got
    assert f"{p}:planning_yer: unknown key 'planning_yer'; did you mean 'planning_year'?" in got
    assert f"{p}:solver.sed: unknown key 'sed'; did you mean 'seed'?" in got
    assert any(g.startswith(f"{p}:fleet:") and "empty" in g for g in got)
    assert any(g.startswith(f"{p}:solver.time_limit_s:") and "finite" in g for g in got)
    assert len(got) == 5


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("rules:\n  speed_expressway_kmh: -80\n", "rules.speed_expressway_kmh", "greater than 0"),
        (
            "rules:\n  restricted_road_classes: [motorway]\n",
            "rules.restricted_road_classes.0",
            "expressway",
        ),
        (
            "fleet:\n  - id: a\n    payload_kg: 100\n    damaged_capacity_kg: 200\n",
            "fleet.0",
            "damaged_capacity_kg exceeds payload_kg",
        ),
        (
            "fleet:\n  - id: a\n    payload_kg: 1\n  - id: a\n    payload_kg: 2\n",
            "fleet",
            "duplicate vehicle type id",
        ),
        (
            "routing:\n  shop_hours: {open_h: 18, close_h: 8}\n",
            "routing.shop_hours",
            "close_h must be after open_h",
        ),
        ("sources:\n  table: nowhere.csv\n", "sources.table", "no such file"),
        ("plant:\n  lon: 101.5\n", "plant", "both lon and lat"),
    ],
)
def test_invalid_values_name_their_field(tmp_path, text, field, words):
    """An invalid value is reported under its own field, with the reason."""
    p = write(tmp_path, "s.yaml", "name: x\nplanning_year: 2025\n" + text)
    got = problems(p)
    assert any(g.startswith(f"{p}:{field}:") and words in g for g in got), got


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "binary"),
        (b"name: [unclosed\n", "invalid YAML"),
        (b"- a\n- b\n", "expected a mapping"),
        (
            b'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
            + b"".join(
                f"{c}: &{c} [{','.join(['*' + p] * 9)}]\n".encode()
                for p, c in zip("abcdefghijklm", "bcdefghijklmn", strict=False)
            ),
            "anchor bomb",
        ),
    ],
)
def test_unreadable_files_are_refused_cleanly(tmp_path, content, words):
    """An empty, binary, malformed or anchor-bomb file is refused in one file: reason line."""
    p = tmp_path / "s.yaml"
    p.write_bytes(content)
    got = problems(p)
    assert len(got) == 1 and got[0].startswith(f"{p}:") and words in got[0], got


def test_relative_paths_resolve_against_the_scenario_file(tmp_path):
    """Relative table paths resolve against the scenario file's folder."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "s.csv").write_text("source_id\n", encoding="utf-8")
    sc = load_scenario(
        write(
            tmp_path / "sub", "s.yaml", "name: x\nplanning_year: 2025\nsources:\n  table: s.csv\n"
        )
    )
    assert sc.sources.table == (tmp_path / "sub" / "s.csv").resolve()


def test_json_schema_lists_units_in_names():
    """The scenario's JSON schema carries units in its field names."""
    schema = Scenario.model_json_schema()
    text = json.dumps(schema)
    for name in ("payload_kg", "speed_expressway_kmh", "first_mile_cny_per_t_km", "time_limit_s"):
        assert name in text


@pytest.mark.parametrize(
    "name", ["qinghai-baseline.yaml", "qinghai-2030.yaml", "qinghai-2025-2035.yaml"]
)
def test_shipped_scenarios_load(name):
    """Each shipped scenario loads and is named after its file."""
    sc = load_scenario(REPO / "scenarios" / name)
    assert sc.name == name.removesuffix(".yaml")
