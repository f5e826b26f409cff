"""Reading, writing and overriding scenarios, with errors that say where and why.

* :func:`load_scenario` reads YAML (``.yaml``/``.yml``) or JSON (``.json``). Every problem is a
  :class:`ScenarioError` whose message names the file, the dotted path and the reason, one line
  per problem, e.g. ``scenario.yaml: parties[1].interceptor_sites[3].count: must be >= 0
  (line 42)``; YAML syntax errors and duplicate keys give their line and column.
* :func:`apply_overrides` applies ``--set PATH=VALUE`` assignments: PATH is dotted over the
  scenario's fields, list items are addressed by ``id`` (or by index), VALUE is parsed as YAML
  (``5.5``, ``true``, ``null``, ``2025-01-01``, ``[US, CN]``); the result is validated again.
  :func:`apply_values` and :func:`value_at` set and read values by the same dotted paths.
* :func:`scenario_to_yaml` writes a scenario as YAML that loads back to the same scenario.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from glasnost.common import documents
from glasnost.common.documents import DocumentError, Issue, issues_of
from glasnost.scenario.models import Scenario
from glasnost.scenario.uncertainty import DeclaredUncertainty

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "Issue",
    "ScenarioError",
    "apply_overrides",
    "load_model",
    "load_scenario",
    "scenario_to_yaml",
    "validate_scenario",
]


class ScenarioError(DocumentError):
    """A scenario that cannot be read or is not valid. ``str()`` is the full, precise message."""


# --- public API ---------------------------------------------------------------------------------


def validate_scenario(data: Any, origin: str = "scenario") -> Scenario:
    """A Scenario from plain data (a dict as read from YAML/JSON), or a ScenarioError."""
    return _validate(data, origin, None)


def _validate(data: Any, origin: str, node: yaml.Node | None) -> Scenario:
    if not isinstance(data, dict):
        got = "an empty document" if data is None else f"a {type(data).__name__}"
        raise ScenarioError(
            origin, [Issue("", f"expected a mapping of scenario fields, got {got}")]
        )
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(origin, issues_of(exc, Scenario, node)) from None
    return _check_uncertainty(scenario, origin)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file (.yaml, .yml or .json)."""
    return _check_uncertainty(load_model(path, Scenario, what="scenario"), str(path))


def _check_uncertainty(scenario: Scenario, origin: str) -> Scenario:
    """Every declared uncertainty names a number of the scenario by its dotted path."""
    issues = uncertainty_issues(scenario.uncertainty or (), scenario.model_dump(mode="json"))
    if issues:
        raise ScenarioError(origin, issues)
    return scenario


def uncertainty_issues(
    uncertainty: Iterable[DeclaredUncertainty], data: dict[str, Any], where: str = "uncertainty"
) -> list[Issue]:
    """What is wrong with declared uncertainties of ``data`` (a scenario's JSON data, or the
    part of it a declaration holds): a path that names no number, a path given twice."""
    issues = []
    seen: set[str] = set()
    for k, u in enumerate(uncertainty):
        at = f"{where}[{k}].path"
        if u.path in seen:
            issues.append(Issue(at, f"{u.path} has a stated uncertainty already"))
        seen.add(u.path)
        try:
            value = value_at(data, u.path, at)
        except ScenarioError as exc:
            issues.append(Issue(at, exc.issues[0].message))
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            issues.append(Issue(at, f"{u.path} holds {value!r}, not a number"))
    return issues


def load_model(path: str | Path, model: type[M], *, what: str = "document") -> M:
    """Read a YAML or JSON file as ``model`` (:func:`glasnost.common.documents.load_model`);
    problems raise :class:`ScenarioError`."""
    return documents.load_model(path, model, what=what, error=ScenarioError)


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """Plain data (dicts, lists, scalars, dates) of a scenario, without unset optional fields."""
    data: dict[str, Any] = _plain(scenario.model_dump(mode="python", exclude_none=True))
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class _Dumper(yaml.SafeDumper):
    """Block style, except short lists of scalars (``sources: [a, b]``) on one line."""


def _represent_list(dumper: yaml.SafeDumper, items: list[Any]) -> yaml.Node:
    flow = all(isinstance(i, str | int | float) and not isinstance(i, bool) for i in items) and (
        sum(len(str(i)) + 2 for i in items) <= 88
    )
    if all(isinstance(i, list) for i in items):  # dyads
        flow = True
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def scenario_to_yaml(scenario: Scenario, header: str = "") -> str:
    """The scenario as YAML (loads back to an equal scenario); header lines become comments."""
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    body = yaml.dump(
        scenario_to_data(scenario),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=100,
    )
    return comments + body


def apply_overrides(scenario: Scenario, assignments: list[str] | tuple[str, ...]) -> Scenario:
    """The scenario with ``PATH=VALUE`` assignments applied (``--set``), validated again.

    PATH is dotted: ``assessment.decision_delay_s``, ``interceptor_types.sm3_block_iia.
    burnout_velocity_kms``, ``parties.US.interceptor_sites.fort_greely.count``; a list item is
    addressed by its ``id`` or, failing that, by its index (``parties.0``). VALUE is YAML.
    """
    if not assignments:
        return scenario
    values: dict[str, Any] = {}
    for assignment in assignments:
        origin = f"--set {assignment}"
        path, sep, text = assignment.partition("=")
        path = path.strip()
        if not sep or not path:
            raise ScenarioError(origin, [Issue("", "expected PATH=VALUE")])
        try:
            value = documents.parse_yaml_value(text) if text.strip() else ""
        except yaml.YAMLError as exc:
            reason = getattr(exc, "problem", None) or exc
            raise ScenarioError(origin, [Issue("", f"value is not valid YAML: {reason}")]) from None
        value_at(scenario, path, origin)  # an unknown path names its own assignment
        values[path] = value
    return apply_values(scenario, values, "--set " + " ".join(assignments))


def apply_values(scenario: Scenario, values: dict[str, Any], origin: str) -> Scenario:
    """The scenario with the value at each dotted PATH replaced (the ``--set`` rule, without
    YAML parsing), validated again; every problem is a :class:`ScenarioError` from ``origin``."""
    data: Any = scenario.model_dump(mode="json")
    for path, value in values.items():
        container, key = _locate(data, path.split("."), origin)
        container[key] = value
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(origin, issues_of(exc, Scenario)) from None


def value_at(scenario: Scenario | dict[str, Any], path: str, origin: str) -> Any:
    """The value at a dotted PATH of a scenario (or of its JSON data), as plain JSON data;
    an unknown path is a :class:`ScenarioError` listing the valid keys or items."""
    data = scenario.model_dump(mode="json") if isinstance(scenario, Scenario) else scenario
    container, key = _locate(data, path.split("."), origin)
    return container[key]


def _locate(data: Any, parts: list[str], origin: str) -> tuple[Any, Any]:
    """The container and key (dict key or list index) that a dotted path names."""
    node = data
    done: list[str] = []
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        where = ".".join(done) or "the top level"
        key: str | int
        if isinstance(node, dict):
            if part not in node:
                raise ScenarioError(
                    origin,
                    [Issue("", f"no key {part!r} at {where}; valid: {_keys(node)}")],
                )
            key = part
        elif isinstance(node, list):
            index = _index(node, part)
            if index is None:
                raise ScenarioError(
                    origin,
                    [Issue("", f"no item {part!r} in {where}; valid: {_items(node)}")],
                )
            key = index
        else:
            raise ScenarioError(
                origin,
                [Issue("", f"{where} is a value ({node!r}), it has no {part!r}")],
            )
        if last:
            return node, key
        node = node[key]
        done.append(part)
    raise ScenarioError(origin, [Issue("", "empty path")])


def _index(items: list[Any], part: str) -> int | None:
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    try:
        index = int(part)
    except ValueError:
        return None
    return index if -len(items) <= index < len(items) else None


def _keys(node: dict[str, Any]) -> str:
    return ", ".join(node) or "(none)"


def _items(items: list[Any]) -> str:
    ids = [str(i["id"]) for i in items if isinstance(i, dict) and "id" in i]
    if ids:
        return "ids " + ", ".join(ids) + f" or an index 0-{len(items) - 1}"
    return f"an index 0-{len(items) - 1}" if items else "(empty list)"
