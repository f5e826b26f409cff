"""Scenarios: the input of an assessment, its format and where it comes from.

- :mod:`~glasnost.scenario.models`: the scenario format (pydantic models, JSON Schema);
- :mod:`~glasnost.scenario.loading`: YAML/JSON files in and out, ``--set`` overrides, errors
  that name the file, the field and the reason;
- :mod:`~glasnost.scenario.missiles`: the catalog of offensive missile types (published facts
  and derived stacks), :mod:`~glasnost.scenario.derive`: stacks derived from published figures;
- :mod:`~glasnost.scenario.builtin`: the built-in scenarios (``us-ru``, ``us-ru-cn``,
  ``us-ru-ir``), data files shipped in the package; :mod:`~glasnost.scenario.from_catalog`:
  their generator from the open-source catalog (``scripts/build_builtin_scenarios.py``).
"""
