"""Base colours: distinct for any number of bases, far apart for neighbours, one home."""

from __future__ import annotations

import itertools

import pytest

from helpers.plans import solved_tiny_dir
from revlog.export.maps import base_colours
from revlog.export.palette import (
    MAX_COLOURS,
    RESERVED,
    assign_colours,
    colour_distance,
    colour_sequence,
    plan_base_colours,
)
from revlog.plan import Plan


def test_sequence_is_distinct_and_a_prefix_for_any_length():
    """The colour sequence is distinct, each shorter one a prefix, at most MAX_COLOURS long."""
    long = colour_sequence(MAX_COLOURS)
    assert len(set(long)) == MAX_COLOURS
    for n in (1, 5, 12, 22, 40):
        assert colour_sequence(n) == long[:n]
    with pytest.raises(ValueError):
        colour_sequence(MAX_COLOURS + 1)


@pytest.mark.parametrize(("n", "least"), [(10, 0.17), (22, 0.12), (40, 0.09)])
def test_colours_differ_clearly(n, least):
    """Any two colours of a sequence, and each against the reserved colours, differ clearly."""
    colours = colour_sequence(n)
    closest = min(colour_distance(a, b) for a, b in itertools.combinations(colours, 2))
    assert closest >= least
    # the old palette's neighbours #0072B2 / #1F77B4 differed by 0.02
    assert colour_distance("#0072B2", "#1F77B4") < 0.03
    # and none is close to the maps' greys, black or outlet colours
    assert min(colour_distance(c, r) for c in colours for r in RESERVED) >= least


def test_neighbouring_bases_get_far_apart_colours():
    """Neighbouring bases get the most distinct colours of the palette."""
    # a cluster of five bases within 30 km and five far away, each 2,000 km apart
    pos = {f"near{i}": (101.7 + 0.05 * i, 36.6) for i in range(5)}
    pos |= {f"far{i}": (80.0 + 20 * i, 20.0 + 5 * i) for i in range(5)}
    colours = assign_colours(list(pos), pos)
    assert len(set(colours.values())) == len(pos)
    near = [colours[f"near{i}"] for i in range(5)]
    closest_near = min(colour_distance(a, b) for a, b in itertools.combinations(near, 2))
    palette = colour_sequence(len(pos))
    closest_any = min(colour_distance(a, b) for a, b in itertools.combinations(palette, 2))
    assert closest_near >= closest_any
    assert closest_near > 0.2  # the cluster takes the most distinct colours


def test_assignment_is_deterministic_and_order_free():
    """Colours ignore the order and repeats of ids; without positions, sorted ids take turns."""
    pos = {f"B{i}": (90.0 + i, 35.0 + (i % 3)) for i in range(15)}
    ids = list(pos)
    a = assign_colours(ids, pos)
    b = assign_colours(list(reversed(ids)) + ids[:3], pos)
    assert a == b
    assert list(a) == sorted(ids)
    # without positions: sorted ids take the sequence in order
    assert list(assign_colours(ids).values()) == colour_sequence(15)


def test_map_and_overview_share_the_colours():
    """The map and the overview draw each base's runs in the same colour."""
    plan = Plan.load(solved_tiny_dir())
    colours = plan_base_colours(plan)
    assert set(colours) == set(plan.routes["base_id"])
    assert base_colours(list(plan.routes["base_id"]), plan) == colours
    # the overview draws every run in its base's colour
    fig = plan.plot()
    drawn = {line.get_color() for line in fig.axes[0].lines}
    assert set(colours.values()) <= drawn
    # and the map does too
    html = plan.explore(tiles=None).get_root().render()
    for c in colours.values():
        assert f'"color": "{c}"' in html


def test_bases_whose_runs_meet_count_as_neighbours():
    """Bases whose runs meet count as neighbours and get the farthest-apart colours."""
    # bases 600 km apart whose runs meet half-way, and a third far from both
    pos = {
        "west": [(94.9, 36.4), (97.9, 36.5)],
        "east": [(101.8, 36.6), (97.95, 36.5)],
        "south": [(91.1, 29.6)],
    }
    colours = assign_colours(list(pos), pos)
    apart = colour_distance(colours["west"], colours["east"])
    palette = colour_sequence(3)
    assert apart == max(colour_distance(a, b) for a, b in itertools.combinations(palette, 2))
