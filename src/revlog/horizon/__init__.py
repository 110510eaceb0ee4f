"""Multi-year plans (issue 14): when to open which outlet over a horizon, in one MILP.

:mod:`~revlog.horizon.problem` (solver-free: years, weights, growth, the years' location
problems), :mod:`~revlog.horizon.model` (the Pyomo model: the single-year rows per year,
linked), :mod:`~revlog.horizon.solve` (HiGHS, the myopic plan), :mod:`~revlog.horizon.pipeline`
(routing per year, the plan), :mod:`~revlog.horizon.plan` (:class:`HorizonPlan`, its files).
The independent check is :func:`revlog.check.horizon.check_horizon`.
"""
