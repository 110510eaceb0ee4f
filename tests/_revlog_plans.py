"""Transitional alias of :mod:`helpers.plans` and :mod:`helpers.scenarios`.

Kept only while ``test_atomic.py`` and ``test_cli.py`` (edited on another branch) still
import it; once they import from ``helpers``, delete this file.
"""

from helpers.plans import copy_of_solved, run_cli, solved_tiny_dir, solved_tiny_output
from helpers.scenarios import SCENARIOS, TINY

__all__ = [
    "SCENARIOS",
    "TINY",
    "copy_of_solved",
    "run_cli",
    "solved_tiny_dir",
    "solved_tiny_output",
]
