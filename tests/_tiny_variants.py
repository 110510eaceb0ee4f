"""Transitional alias of :mod:`helpers.scenarios`.

Kept only so that tests written on another branch against the old name still import; once
no module imports it, delete this file.
"""

from helpers.scenarios import TINY, TINY_DIR, tiny_doc, write_variant

__all__ = ["TINY", "TINY_DIR", "tiny_doc", "write_variant"]
