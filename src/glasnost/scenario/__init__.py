"""Scenarios: the input of an assessment, its format and where it comes from.

- the scenario format (pydantic models, JSON Schema): :mod:`~glasnost.scenario.models` (the
  :class:`~glasnost.scenario.models.Scenario` and its cross-references) over
  :mod:`~glasnost.scenario.missile_types`, :mod:`~glasnost.scenario.interceptor_types`,
  :mod:`~glasnost.scenario.posture` (a party's sites, radars, bases, targets) and
  :mod:`~glasnost.scenario.settings` (the assessment settings and criteria), with what every
  entry shares (provenance, in-service windows) in :mod:`~glasnost.scenario.base`;
- :mod:`~glasnost.scenario.loading`: YAML/JSON files in and out, ``--set`` overrides, errors
  that name the file, the field and the reason;
- :mod:`~glasnost.scenario.missiles`: the catalog of offensive missile types (published facts
  and derived stacks), :mod:`~glasnost.scenario.derive`: stacks derived from published figures;
- :mod:`~glasnost.scenario.builtin`: the built-in scenarios (``us-ru``, ``us-ru-cn``,
  ``us-ru-ir``), data files shipped in the package; :mod:`~glasnost.scenario.from_catalog`:
  their generator from the open-source catalog (``scripts/build_builtin_scenarios.py``).
"""
