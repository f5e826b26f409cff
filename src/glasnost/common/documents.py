"""Reading YAML and JSON documents into pydantic models, with errors that say where and why.

:func:`load_model` reads YAML (``.yaml``/``.yml``) or JSON (``.json``) and validates it as a
model. Every problem is an :class:`Issue` of a :class:`DocumentError` whose message names the
file, the dotted path and the reason, one line per problem, e.g. ``scenario.yaml:
parties[1].interceptor_sites[3].count: must be >= 0 (line 42)``; YAML syntax errors and
duplicate keys give their line and column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from glasnost.common.ids import dotted
from glasnost.errors import InputError

SUFFIXES = (".yaml", ".yml", ".json")

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Issue:
    """One problem: where (dotted path, line when known) and why."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}: " if self.path else ""
        at = f" (line {self.line})" if self.line is not None else ""
        return f"{where}{self.message}{at}"


class DocumentError(InputError, ValueError):
    """A document (scenario, key record, agreement) that cannot be read or is not valid.
    ``str()`` is the full, precise message: one line per :class:`Issue`, each naming the file."""

    def __init__(self, origin: str, issues: list[Issue]) -> None:
        self.origin = origin
        self.issues = issues
        super().__init__("\n".join(f"{origin}: {issue}" for issue in issues))
        self.where = origin


# --- YAML ---------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe YAML that refuses duplicate keys (a silent last-one-wins hides typos)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, yaml.Mark] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.setdefault(key, key_node.start_mark)
            except TypeError:  # unhashable key: the base class reports it
                continue
            if first is not key_node.start_mark:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"duplicate key {key!r} (first at line {first.line + 1})",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        """A date or time; one that looks like a date but is not (``2025-13-45``) is a YAML
        error at its line, not a ``ValueError`` from :mod:`datetime`."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a valid date ({exc})", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def parse_yaml_value(text: str) -> Any:
    """One YAML value (an override's ``VALUE``) with the checks of the document loader (dates
    that exist, no duplicate keys); a :class:`yaml.YAMLError` otherwise."""
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _yaml_issue(exc: yaml.YAMLError) -> Issue:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    reason = f"{context}, {problem}" if context else str(problem)
    if mark is None:
        return Issue("", f"invalid YAML: {reason}")
    return Issue("", f"invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {reason}")


def _parse_yaml(
    text: str, origin: str, error: type[DocumentError] = DocumentError
) -> tuple[Any, yaml.Node | None]:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = None if node is None else loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise error(origin, [_yaml_issue(exc)]) from None
    finally:
        loader.dispose()
    return data, node


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """1-based line of the YAML node at loc, or of its deepest existing ancestor."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for part in loc:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                    child = value_node
                    line = key_node.start_mark.line + 1
                    break
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
            line = child.start_mark.line + 1
        if child is None:
            break
        node = child
    return line


# --- pydantic errors -> issues ------------------------------------------------------------------


def _model_at(loc: tuple[int | str, ...], root: type[BaseModel]) -> type[BaseModel] | None:
    """The model class whose fields live at loc (for listing the valid keys)."""
    model: type[BaseModel] = root
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        nested = _nested_model(field.annotation)
        if nested is None:
            return None
        model = nested
    return model


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _reason(err: ErrorDetails, root: type[BaseModel]) -> str:
    kind, ctx, value = err["type"], err.get("ctx", {}), err.get("input")
    if kind == "scenario":
        return str(ctx["reason"])
    if kind == "missing":
        return "required field missing"
    if kind == "extra_forbidden":
        model = _model_at(err["loc"][:-1], root)
        valid = f"; valid fields: {', '.join(model.model_fields)}" if model else ""
        return f"unknown field{valid}"
    bounds = {
        "greater_than_equal": ">=",
        "greater_than": ">",
        "less_than_equal": "<=",
        "less_than": "<",
    }
    if kind in bounds:
        limit = next(iter(ctx.values()))
        shown = f"{limit:g}" if isinstance(limit, float) else str(limit)
        return f"must be {bounds[kind]} {shown}, got {value!r}"
    if kind == "literal_error":
        return f"must be {ctx['expected']}, got {value!r}"
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not an id: use a letter, then letters, digits, '_' or '-'"
    if kind == "finite_number":
        return "must be a finite number"
    msg = err["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    msg = msg.replace("Input should be", "must be").replace("Input should have", "must have")
    if isinstance(value, str | int | float | bool) or value is None:
        msg += f", got {value!r}"
    return msg


def issues_of(
    exc: ValidationError, root: type[BaseModel], node: yaml.Node | None = None
) -> list[Issue]:
    """One :class:`Issue` per validation error of ``root`` (with its YAML line if ``node``)."""
    errs = exc.errors(include_url=False)
    # A list whose items failed also reports "too short" (the failed items do not count): noise.
    inner = {err["loc"][:n] for err in errs for n in range(len(err["loc"]))}
    return [
        Issue(dotted(err["loc"]), _reason(err, root), _line_of(node, err["loc"]))
        for err in errs
        if not (err["type"] == "too_short" and err["loc"] in inner)
    ]


# --- reading a file ----------------------------------------------------------------------------


def load_model(
    path: str | Path,
    model: type[M],
    *,
    what: str = "document",
    error: type[DocumentError] = DocumentError,
) -> M:
    """Read a YAML or JSON file and validate it as ``model``; every problem is an
    :class:`Issue` (file, dotted path, reason, line) of a :class:`DocumentError` (or of
    ``error``, a subclass of it)."""
    path = Path(path)
    origin = str(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        raise error(origin, [Issue("", f"is a directory, not a {what} file")])
    if not path.exists():
        raise error(origin, [Issue("", "no such file")])
    if suffix not in SUFFIXES:
        raise error(
            origin,
            [Issue("", f"unknown file type {suffix or '(none)'!r}; use .yaml, .yml or .json")],
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(origin, [Issue("", "no such file")]) from None
    except UnicodeDecodeError as exc:
        raise error(origin, [Issue("", f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise error(origin, [Issue("", f"cannot read: {exc.strerror}")]) from None
    node: yaml.Node | None = None
    if suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise error(
                origin,
                [Issue("", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}")],
            ) from None
    else:
        data, node = _parse_yaml(text, origin, error)
    if not isinstance(data, dict):
        got = "an empty document" if data is None else f"a {type(data).__name__}"
        raise error(origin, [Issue("", f"expected a mapping of {what} fields, got {got}")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(origin, issues_of(exc, model, node)) from None
