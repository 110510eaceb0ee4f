"""Same scenario and seed: byte-identical output folders (plan, tables, map, PNG)."""

from __future__ import annotations

from helpers.plans import run_cli
from helpers.scenarios import TINY
from revlog.outputs import stable_element_ids
from revlog.plan import Plan


def test_two_cli_solves_give_byte_identical_folders(tmp_path, capsys):
    """Two solves of one scenario with one seed write byte-identical folders."""
    folders = [tmp_path / "a", tmp_path / "b"]
    for out in folders:
        code, _, err = run_cli(["solve", TINY, "-o", out, "--seed", 3, "-q"], capsys)
        assert code == 0, err
    names = sorted(p.name for p in folders[0].iterdir())
    assert names == sorted(p.name for p in folders[1].iterdir())
    assert {"map.html", "overview.png", "plan.json"} <= set(names)
    differ = [n for n in names if (folders[0] / n).read_bytes() != (folders[1] / n).read_bytes()]
    assert differ == []
    assert Plan.load(folders[0]).meta["seed"] == 3


def test_map_ids_are_stable_inside_the_block_and_random_outside(tmp_path, capsys):
    """Map element ids repeat under one stable_element_ids salt, differ by salt, vary outside it."""
    from revlog.export.maps import map_html, plan_map

    out = tmp_path / "p"
    code, _, _ = run_cli(["solve", TINY, "-o", out, "-q", "--no-maps"], capsys)
    assert code == 0
    plan = Plan.load(out)
    texts = []
    for _ in range(2):
        with stable_element_ids(salt="tiny"):
            texts.append(map_html(plan_map(plan), inline=False))
    assert texts[0] == texts[1]
    with stable_element_ids(salt="other"):
        assert map_html(plan_map(plan), inline=False) != texts[0]
    assert map_html(plan_map(plan), inline=False) != map_html(plan_map(plan), inline=False)
