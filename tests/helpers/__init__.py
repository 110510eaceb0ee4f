"""Helpers shared by several test modules (fixtures live in ``conftest.py``).

- :mod:`helpers.scenarios` — the repository's scenario files and variants of the tiny scenario
- :mod:`helpers.plans` — the CLI run in process, and the tiny plan solved once per session
- :mod:`helpers.location` — small location problems and an order-free form of a model's arrays
- :mod:`helpers.routing` — builders of small hand-made routing problems
- :mod:`helpers.osm` — a small generated OSM file of towns around Xining
- :mod:`helpers.chromium` — headless Chromium: the DOM after the scripts ran, screenshots

Test modules import from here, never from one another.
"""
