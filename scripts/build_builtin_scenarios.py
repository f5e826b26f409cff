"""Write the built-in scenarios' data files from the open-source catalog.

    .venv/bin/python scripts/build_builtin_scenarios.py          # write them
    .venv/bin/python scripts/build_builtin_scenarios.py --check  # exit 1 when one is stale

Each scenario of :data:`glasnost.scenario.builtin.BUILTIN_NAMES` is built by
:func:`glasnost.scenario.from_catalog.build_scenario` and written, as YAML with its header, to
``src/glasnost/scenario/data/builtin/<name>.yaml`` (what ``--scenario NAME`` loads); those that
have an example are written to ``examples/<name>.yaml`` too (the same text).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from glasnost.scenario.builtin import BUILTIN_NAMES, header
from glasnost.scenario.from_catalog import build_scenario
from glasnost.scenario.loading import scenario_to_yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "glasnost" / "scenario" / "data" / "builtin"
EXAMPLES = ("us-ru", "us-ru-ir")


def texts() -> dict[Path, str]:
    """Each file to write and its text."""
    out: dict[Path, str] = {}
    for name in BUILTIN_NAMES:
        text = scenario_to_yaml(build_scenario(name), header=header(name))
        out[DATA / f"{name}.yaml"] = text
        if name in EXAMPLES:
            out[ROOT / "examples" / f"{name}.yaml"] = text
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that they are current")
    args = parser.parse_args()
    stale = []
    for path, text in texts().items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == text:
            continue
        stale.append(path.relative_to(ROOT))
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
