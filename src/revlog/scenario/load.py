"""Reading scenario files (YAML, TOML, JSON) into a validated :class:`Scenario`.

Every problem is reported as ``file:field: reason``, all at once, through
:class:`revlog.errors.ScenarioError`. Relative paths are resolved against the folder of
the scenario file.
"""

from __future__ import annotations

import difflib
import json
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from revlog.errors import Problem, ScenarioError
from revlog.scenario.schema import Scenario

MAX_FILE_BYTES = 5_000_000
MAX_YAML_ALIASES = 100
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json"}


class _LimitedLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses documents with too many aliases (anchor bombs)."""

    _aliases = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise yaml.YAMLError(
                    f"more than {MAX_YAML_ALIASES} YAML aliases (possible anchor bomb); "
                    "write the values out"
                )
        return super().compose_node(parent, index)


def read_mapping(path: Path) -> dict[str, Any]:
    """Read a YAML, TOML or JSON file whose top level is a mapping.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    dict
        The parsed mapping.

    Raises
    ------
    ScenarioError
        When the file is missing, empty, not text, not parseable or not a mapping.
    """
    name = str(path)
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise ScenarioError(
            [Problem(name, "(file)", "unknown file type; use .yaml, .yml, .toml or .json")]
        )
    if not path.is_file():
        raise ScenarioError([Problem(name, "(file)", "no such file")])
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            [Problem(name, "(file)", f"file too large ({size} bytes, limit {MAX_FILE_BYTES})")]
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            [Problem(name, "(file)", f"not UTF-8 text (byte {exc.start}); is it a binary file?")]
        ) from None
    if "\x00" in text:
        raise ScenarioError([Problem(name, "(file)", "contains NUL bytes; is it a binary file?")])
    if not text.strip():
        raise ScenarioError([Problem(name, "(file)", "the file is empty")])
    try:
        if fmt == "yaml":
            data = yaml.load(text, Loader=_LimitedLoader)
        elif fmt == "toml":
            data = tomllib.loads(text)
        else:
            data = json.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        reason = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError([Problem(name, where, f"invalid YAML: {reason}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError([Problem(name, "(file)", f"invalid TOML: {exc}")]) from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            [Problem(name, f"line {exc.lineno}", f"invalid JSON: {exc.msg}")]
        ) from None
    except RecursionError:
        raise ScenarioError([Problem(name, "(file)", "nesting too deep")]) from None
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise ScenarioError(
            [Problem(name, "(top level)", f"expected a mapping of keys to values, got {kind}")]
        )
    return data


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Return the pydantic model class that owns the fields at ``loc``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = _unwrap_model(field.annotation)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap_model(annotation: Any) -> Any:
    """Find a BaseModel inside ``Optional[...]`` / ``list[...]`` annotations."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, list):
        for arg in typing.get_args(annotation):
            found = _unwrap_model(arg)
            if found is not None:
                return found
    return None


def _format_loc(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def problems_from_validation(
    exc: ValidationError, file: str, model: type[BaseModel] = Scenario
) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into ``file:field: reason`` problems.

    Unknown keys get a "did you mean" suggestion from the fields allowed at that place.
    """
    out: list[Problem] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        kind = err["type"]
        if kind == "extra_forbidden":
            owner = _model_at(model, loc[:-1])
            key = str(loc[-1])
            allowed = [n for n in owner.model_fields if n != "path"] if owner else []
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            allowed_txt = f" (allowed: {', '.join(allowed)})" if allowed and not close else ""
            reason = f"unknown key '{key}'{hint}{allowed_txt}"
        elif kind == "missing":
            reason = "required field is missing"
        elif kind in ("finite_number",):
            reason = "must be a finite number (not NaN or infinity)"
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            given = err.get("input")
            if kind not in ("value_error",) and not isinstance(given, (dict, list)):
                msg = f"{msg} (got {given!r})"
            reason = msg
        out.append(Problem(file, _format_loc(loc), reason))
    return out


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file.

    Parameters
    ----------
    path
        A ``.yaml``/``.yml``, ``.toml`` or ``.json`` scenario file.

    Returns
    -------
    Scenario
        The validated scenario, with relative paths resolved against the file's folder
        and ``scenario.path`` set.

    Raises
    ------
    ScenarioError
        Listing every problem as ``file:field: reason``.
    """
    path = Path(path)
    data = read_mapping(path)
    name = str(path)
    data.pop("path", None)
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, name)) from None
    return resolve_paths(sc, path)


def resolve_paths(sc: Scenario, path: Path) -> Scenario:
    """Resolve the scenario's relative paths against ``path``'s folder and check they exist.

    Raises
    ------
    ScenarioError
        When a referenced file or folder does not exist.
    """
    base = path.resolve().parent
    problems: list[Problem] = []
    updates: dict[str, Any] = {"path": path.resolve()}

    def fix(p: Path | None, field: str, want_dir: bool) -> Path | None:
        if p is None:
            return None
        full = p if p.is_absolute() else (base / p)
        full = full.resolve()
        ok = full.is_dir() if want_dir else full.is_file()
        if not ok:
            what = "folder" if want_dir else "file"
            problems.append(Problem(str(path), field, f"no such {what}: {full}"))
        return full

    updates["geodata"] = fix(sc.geodata, "geodata", True)
    src_table = fix(sc.sources.table, "sources.table", False)
    cand_table = fix(sc.candidates.table, "candidates.table", False)
    if problems:
        raise ScenarioError(problems)
    out = sc.model_copy(
        update={
            **updates,
            "sources": sc.sources.model_copy(update={"table": src_table}),
            "candidates": sc.candidates.model_copy(update={"table": cand_table}),
        }
    )
    return out
