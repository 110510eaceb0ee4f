"""Independent verifiers: they recompute everything from the input arrays and import no solver.

:func:`check` verifies a whole plan against its scenario; :mod:`revlog.check.design` and
:mod:`revlog.check.routes` verify stage 1's design and stage 2's runs.
"""

from revlog.check.plan import check

__all__ = ["check"]
