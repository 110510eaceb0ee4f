"""Location-routing: network designs priced by routing them (issue 12).

``instance`` (the CLRP as arrays and its solutions), ``search`` (the generic routed design
search: open / close / swap / reassign), ``clrp`` (the CLRP solver on PyVRP and the
location MILP, and the two-stage method for comparison).
"""

from revlog.location.lrp.instance import CLRPInstance, LRPRoute, LRPSolution

__all__ = ["CLRPInstance", "LRPRoute", "LRPSolution"]
