"""The input: scenario files and their validation."""

from revlog.scenario.load import load_scenario, read_mapping
from revlog.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario", "read_mapping"]
