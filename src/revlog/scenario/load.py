"""Reading scenario files (YAML, TOML, JSON) into a validated :class:`Scenario`.

Every problem is reported as ``file:field: reason``, all at once, through
:class:`revlog.errors.ScenarioError`. Relative paths are resolved against the folder of
the scenario file.
"""

from __future__ import annotations

import copy
import difflib
import json
import os
import re
import stat
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from revlog.errors import DuplicateJsonKey, NotReadable, Problem, ScenarioError
from revlog.scenario.schema import Scenario

MAX_FILE_BYTES = 5_000_000
MAX_YAML_ALIASES = 100
MAX_YAML_NODES = 100_000
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json"}


class _LimitedLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses anchor bombs: too many aliases, or too many nodes.

    An alias repeats its anchored node, so a few aliases nested in each other (``b: [*a,
    *a, …]``, ``c: [*b, *b, …]``) stand for billions of values; PyYAML shares them, but
    whatever walks the result (validation, error messages) walks every one. Each composed
    node's expanded size (itself and everything under it, aliases counted in full) is
    computed as the document is composed, in time proportional to the text, and a document
    that would expand to more than :data:`MAX_YAML_NODES` nodes, or that uses more than
    :data:`MAX_YAML_ALIASES` aliases, is refused before anything walks it.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        alias = self.check_event(yaml.AliasEvent)
        if alias:
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise yaml.YAMLError(
                    f"more than {MAX_YAML_ALIASES} YAML aliases (possible anchor bomb); "
                    "write the values out"
                )
        node = super().compose_node(parent, index)
        if not alias:
            self._sizes[id(node)] = size = self._expanded(node)
            if size > MAX_YAML_NODES:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"the document expands to more than {MAX_YAML_NODES:,} values through "
                    "its aliases (possible anchor bomb); write the values out",
                    node.start_mark,
                )
        return node

    def _expanded(self, node: Any) -> int:
        """Expanded size of a node whose children are composed already."""
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        else:
            return 1
        return 1 + sum(self._sizes.get(id(c), 1) for c in children)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: dict[Any, int] = {}
        for key_node, _value in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # unhashable keys are reported by the base class
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key '{key}' (first given on line {first + 1})",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


_FILE_KINDS = (
    (stat.S_ISREG, "a regular file"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def file_kind(mode: int) -> str:
    """What a file of ``st_mode`` ``mode`` is, in words (``a FIFO (named pipe)``)."""
    return next((words for test, words in _FILE_KINDS if test(mode)), "not a regular file")


def read_regular_file(path: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Nothing but a regular file is opened (a FIFO would block, a device never end), and it
    is opened without blocking and checked again once open; at most ``limit + 1`` bytes
    are read whatever its size claims.

    Raises
    ------
    NotReadable
        With the reason: missing, a folder / FIFO / device, too large, unreadable.
    """
    try:
        st = path.stat()
    except FileNotFoundError:
        raise NotReadable("no such file") from None
    except OSError as exc:
        raise NotReadable(f"cannot read the {what}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise NotReadable(f"is a folder, not a {what}")
    if not stat.S_ISREG(st.st_mode):
        raise NotReadable(f"is {file_kind(st.st_mode)}, not a regular file")
    if st.st_size > limit:
        raise NotReadable(f"file too large ({st.st_size} bytes, limit {limit})")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise NotReadable(f"is {file_kind(mode)}, not a regular file")
            raw = f.read(limit + 1)
    except OSError as exc:
        raise NotReadable(f"cannot read the {what}: {exc.strerror or exc}") from None
    if len(raw) > limit:
        raise NotReadable(f"file too large (more than {limit} bytes)")
    return raw


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for :func:`json.loads` that refuses duplicate keys."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateJsonKey(key)
        out[key] = value
    return out


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
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES, what="scenario file")
    except NotReadable as exc:
        raise ScenarioError([Problem(name, "(file)", str(exc))]) from None
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
            data = json.loads(text, object_pairs_hook=_json_pairs)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        char = f"#x{exc.character:04x}" if isinstance(exc.character, int) else "a character"
        raise ScenarioError(
            [Problem(name, f"line {line}", f"invalid YAML: unacceptable character {char}")]
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        reason = _one_line(getattr(exc, "problem", None) or str(exc))
        raise ScenarioError([Problem(name, where, f"invalid YAML: {reason}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(
            [Problem(name, "(file)", f"invalid TOML: {_one_line(str(exc))}")]
        ) from None
    except json.JSONDecodeError as exc:
        raise ScenarioError(
            [Problem(name, f"line {exc.lineno}", f"invalid JSON: {exc.msg}")]
        ) from None
    except DuplicateJsonKey as exc:
        raise ScenarioError(
            [Problem(name, "(file)", f"invalid JSON: duplicate key '{_printable(exc.key)}'")]
        ) from None
    except RecursionError:
        raise ScenarioError([Problem(name, "(file)", "nesting too deep")]) from None
    except ValueError as exc:
        # e.g. integers with thousands of digits (int_max_str_digits)
        reason = str(exc).split(";")[0]
        if "digits" in reason:
            reason = "a number has too many digits"
        raise ScenarioError([Problem(name, "(file)", f"unreadable value: {reason}")]) from None
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


def _printable(text: str) -> str:
    """``text`` with control characters escaped, so that a problem stays on one line."""
    return text if text.isprintable() else json.dumps(text, ensure_ascii=False)[1:-1]


def _one_line(text: str) -> str:
    return " ".join(_printable(part) for part in str(text).split())


def _format_loc(loc: tuple[Any, ...]) -> str:
    return ".".join(_printable(str(p)) for p in loc) or "(top level)"


# Unit suffixes of field names (longest first) and how to say them.
_UNITS: list[tuple[str, str]] = [
    ("_cny_per_t_km", "CNY per t·km"),
    ("_cny_per_km", "CNY per km"),
    ("_cny_per_run", "CNY per run"),
    ("_cny_per_year", "CNY per year"),
    ("_cny_per_person", "CNY per person"),
    ("_t_per_year", "t/year"),
    ("_per_year", "per year"),
    ("_kmh", "km/h"),
    ("_cny", "CNY"),
    ("_kg", "kg"),
    ("_km", "km"),
    ("_min", "minutes"),
    ("_t", "t"),
    ("_h", "hours"),
    ("_s", "seconds"),
]
# Suffixes planners write by mistake (other units); used to spot a unit mix-up.
_OTHER_UNITS = [
    "_tonnes",
    "_tons",
    "_ton",
    "_kph",
    "_mph",
    "_km_h",
    "_hours",
    "_hrs",
    "_minutes",
    "_mins",
    "_sec",
    "_seconds",
    "_days",
    "_d",
    "_lb",
    "_lbs",
    "_g",
    "_m",
    "_mi",
    "_yuan",
    "_rmb",
    "_usd",
]
_MAX_SHOWN = 60


def _unit_words(name: str) -> str | None:
    """The unit in a field name (``payload_kg`` → ``kg``), or None."""
    for suffix, words in _UNITS:
        if name.endswith(suffix):
            return words
    return None


def _stem(name: str) -> str:
    """A field name without its unit suffix (``payload_kg`` → ``payload``)."""
    for suffix in [u for u, _ in _UNITS] + _OTHER_UNITS:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _show(value: Any) -> str:
    """A short description of a user's value for a message."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = _printable(repr(value))
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 3] + "..."
    return text


def _unknown_key(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    owner = _model_at(model, loc[:-1])
    key = _printable(str(loc[-1]))
    allowed = [n for n in owner.model_fields if n != "path"] if owner else []
    same_stem = [n for n in allowed if _stem(n) == _stem(key) and _stem(key) != key]
    close = same_stem or difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if not close:
        allowed_txt = f" (allowed: {', '.join(allowed)})" if allowed else ""
        return f"unknown key '{key}'{allowed_txt}"
    hint = f"; did you mean '{close[0]}'?"
    unit = _unit_words(close[0])
    if unit and _stem(close[0]) == _stem(key) and close[0] != key:
        hint += f" (it is given in {unit})"
    return f"unknown key '{key}'{hint}"


def _reason(err: Any, model: type[BaseModel]) -> str:
    loc = tuple(err["loc"])
    kind = err["type"]
    given = err.get("input")
    field = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    unit = _unit_words(field)
    if kind == "extra_forbidden":
        return _unknown_key(model, loc)
    if kind == "missing":
        return "required field is missing"
    if kind == "finite_number":
        return "must be a finite number (not NaN or infinity)"
    if kind == "int_from_float":
        return f"expected a whole number, got {_show(given)}"
    if kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        what = "a whole number" if kind.startswith("int") else "a number"
        if unit:
            return f"expected {what} of {unit} (the unit is in the field name), got {_show(given)}"
        return f"expected {what}, got {_show(given)}"
    if kind == "invalid_key" or "Keys should be strings" in str(err["msg"]):
        return f"keys must be text, got {_show(given)}"
    if kind in ("string_type",):
        return f"expected text, got {_show(given)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"expected true or false, got {_show(given)}"
    if kind in ("list_type",):
        return f"expected a list, got {_show(given)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping of keys to values, got {_show(given)}"
    if kind == "literal_error":
        options = re.findall(r"'([^']*)'", str(err.get("ctx", {}).get("expected", "")))
        close = difflib.get_close_matches(str(given), options, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"{_show(given)} is not one of {', '.join(options)}{hint}"
    bounds = {
        "greater_than": ("gt", "greater than"),
        "greater_than_equal": ("ge", "at least"),
        "less_than": ("lt", "less than"),
        "less_than_equal": ("le", "at most"),
    }
    if kind in bounds:
        key, words = bounds[kind]
        limit = err.get("ctx", {}).get(key)
        limit_txt = f"{limit:g}" if isinstance(limit, (int, float)) else str(limit)
        unit_txt = f" {unit}" if unit else ""
        return f"must be {words} {limit_txt}{unit_txt}, got {_show(given)}"
    if kind == "path_type":
        return f"expected a file path, got {_show(given)}"
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        return _one_line(msg[len("Value error, ") :])
    return f"{_one_line(msg)} (got {_show(given)})"


def problems_from_validation(
    exc: ValidationError, file: str, model: type[BaseModel] = Scenario
) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into ``file:field: reason`` problems.

    Unknown keys get a "did you mean" suggestion from the fields allowed at that place
    (and the unit when a key was written with another unit, ``payload_t`` → ``payload_kg``);
    numbers written with a unit (``"2 t"``) are told that the unit is in the field name.

    Parameters
    ----------
    exc
        The pydantic error.
    file
        The file name to put in every problem.
    model
        The model that was validated (for the "did you mean" suggestions).

    Returns
    -------
    list of Problem
        One per pydantic error, in pydantic's order.
    """
    return [
        Problem(file, _format_loc(tuple(err["loc"])), _reason(err, model)) for err in exc.errors()
    ]


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
    problems: list[Problem] = []
    if "path" in data:
        data.pop("path")
        problems.append(
            Problem(name, "path", "set by revlog to the scenario file's location; remove it")
        )
    try:
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, name))
        problems.sort(key=lambda p: p.field != "path")
        problems += _table_problems_despite(data, path, exc)
        raise ScenarioError(problems) from None
    if problems:
        raise ScenarioError(problems)
    return resolve_paths(sc, path)


_SALVAGE_ROUNDS = 3
# Values that stand in for invalid or missing required fields while the tables are checked.
_REQUIRED_PLACEHOLDERS: dict[str, Any] = {"name": "scenario", "planning_year": 2025}


def _table_problems_despite(
    data: dict[str, Any], path: Path, exc: ValidationError
) -> list[Problem]:
    """The tables' problems of a scenario whose file has schema errors.

    The invalid fields are left out (first the fields themselves, then their top-level
    sections) until the rest validates; its tables are then read and checked. Only the
    problems of the tables, and of their paths, are returned: the rest of what
    :func:`revlog.inputs.prepare` checks depends on the fields left out. Nothing is
    returned when ``allow_external_paths`` itself is invalid (the paths' checks hang on it).
    """
    from revlog.inputs import table_problems

    touched = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    if "allow_external_paths" in touched:
        return []
    salvaged = copy.deepcopy(data)
    errors = exc.errors()
    for depth in [None, *[1] * (_SALVAGE_ROUNDS - 1)]:
        for err in errors:
            loc = tuple(err["loc"])
            if loc:
                _drop(salvaged, loc if depth is None else loc[:depth])
        for key, placeholder in _REQUIRED_PLACEHOLDERS.items():
            salvaged.setdefault(key, placeholder)
        try:
            sc = Scenario.model_validate(salvaged)
            break
        except ValidationError as again:
            errors = again.errors()
    else:
        return []
    table_fields = ("sources.table", "candidates.table")
    try:
        sc = resolve_paths(sc, path)
    except ScenarioError as bad:
        return [p for p in bad.problems if p.field in table_fields]
    name = str(path)
    return [p for p in table_problems(sc) if p.file != name]


def _drop(data: Any, loc: tuple[Any, ...]) -> None:
    """Remove the value at ``loc`` (a list item: the whole list) from nested ``data``."""
    node = data
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and part in node:
            if last or not isinstance(node[part], dict | list):
                node.pop(part)
                return
            if isinstance(node[part], list):
                # indices of the items after a removed one would shift: drop the list
                node.pop(part)
                return
            node = node[part]
        else:
            return


def input_paths(sc: Scenario) -> list[Path]:
    """The files and folders a scenario reads: the file itself, its tables, its geodata.

    An output may never be one of them or hold one of them
    (:func:`revlog.outputs.check_output`).
    """
    found = [sc.path, sc.sources.table, sc.candidates.table, sc.geodata]
    return [Path(p) for p in found if p is not None]


def resolve_paths(sc: Scenario, path: Path) -> Scenario:
    """Resolve the scenario's relative paths against ``path``'s folder and check them.

    The geodata folder, the tables and the OSM road file must lie inside the scenario file's
    folder (or its subfolders, after following symbolic links) unless the scenario sets
    ``allow_external_paths: true``: a scenario handed on to someone else then cannot read
    files elsewhere on their machine, and a scenario folder is self-contained.

    Parameters
    ----------
    sc
        The validated scenario.
    path
        The file it was read from.

    Returns
    -------
    Scenario
        A copy with absolute paths and ``path`` set.

    Raises
    ------
    ScenarioError
        When a referenced file or folder does not exist, cannot be accessed, or lies outside
        the scenario's folder when that is not allowed.
    """
    name = str(path)
    try:
        scenario_file = path.resolve()
    except (OSError, RuntimeError) as exc:
        raise ScenarioError(
            [Problem(name, "(file)", f"cannot resolve the path: {_one_line(str(exc))}")]
        ) from None
    base = scenario_file.parent
    problems: list[Problem] = []

    def fix(p: Path | None, field: str, want_dir: bool) -> Path | None:
        if p is None:
            return None
        text = str(p)
        what = "folder" if want_dir else "file"
        if "\x00" in text:
            problems.append(Problem(name, field, "the path contains a NUL character"))
            return None
        try:
            full = (p if p.is_absolute() else (base / p)).resolve()
        except (OSError, RuntimeError, ValueError) as exc:
            problems.append(
                Problem(name, field, f"invalid path '{_clip(text)}': {_one_line(str(exc))}")
            )
            return None
        if not sc.allow_external_paths and not full.is_relative_to(base):
            problems.append(
                Problem(
                    name,
                    field,
                    f"'{_clip(text)}' is outside the scenario's folder {base}; move the {what} "
                    "into that folder or set allow_external_paths: true",
                )
            )
            return None
        try:
            mode = full.stat().st_mode
        except FileNotFoundError:
            mode = None
        except OSError as exc:
            problems.append(
                Problem(name, field, f"cannot access '{_clip(text)}': {exc.strerror or exc}")
            )
            return None
        if mode is None:
            problems.append(Problem(name, field, f"no such {what}: {full}"))
        elif want_dir and stat.S_ISREG(mode):
            problems.append(Problem(name, field, f"is a file, not a folder: {full}"))
        elif not want_dir and stat.S_ISDIR(mode):
            problems.append(Problem(name, field, f"is a folder, not a file: {full}"))
        elif not (stat.S_ISDIR(mode) if want_dir else stat.S_ISREG(mode)):
            kind = "a folder" if want_dir else "a regular file"
            problems.append(Problem(name, field, f"is {file_kind(mode)}, not {kind}: {full}"))
        return full

    geodata = fix(sc.geodata, "geodata", True)
    src_table = fix(sc.sources.table, "sources.table", False)
    cand_table = fix(sc.candidates.table, "candidates.table", False)
    road_network = sc.road_network
    if road_network is not None:
        osm = fix(road_network.osm, "road_network.osm", False)
        road_network = road_network.model_copy(update={"osm": osm})
    if problems:
        raise ScenarioError(problems)
    return sc.model_copy(
        update={
            "path": scenario_file,
            "geodata": geodata,
            "road_network": road_network,
            "sources": sc.sources.model_copy(update={"table": src_table}),
            "candidates": sc.candidates.model_copy(update={"table": cand_table}),
        }
    )


def _clip(text: str, limit: int = 120) -> str:
    text = _printable(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."
