"""The closed loop (issue 15): pack grades, second-life users, revenues and CO2.

* :mod:`revlog.loop.network` — the second-life users of a scenario and their checks;
* :mod:`revlog.loop.grades` — every source's tonnes split into grades;
* :mod:`revlog.loop.co2` — CO2 factors of vehicles and facilities, CO2 of a plan's tables;
* :mod:`revlog.loop.problem` — the loop's arrays aligned with the location problem;
* :mod:`revlog.loop.model` — the grade flows, revenues and carbon price added to stage 1;
* :mod:`revlog.loop.report` — the plan's loop KPIs and ``meta["loop"]``.

The figures behind the defaults are in :mod:`revlog.loop_defaults`.
"""
