"""The numeric core's modules import each other without cycles (issue 11, part 6)."""

from __future__ import annotations

import grimp
import pytest

pytestmark = pytest.mark.unit


def test_targeting_and_max_range_do_not_import_each_other() -> None:
    graph = grimp.build_graph("glasnost")
    # max_range uses targeting's result type (from physics.targeted), never targeting itself.
    assert (
        graph.find_shortest_chain("glasnost.physics.max_range", "glasnost.physics.targeting")
        is None
    )
    assert (
        graph.find_shortest_chain("glasnost.physics.targeting", "glasnost.physics.max_range")
        is None
    )


def test_physics_has_no_import_cycle() -> None:
    graph = grimp.build_graph("glasnost")
    modules = sorted(m for m in graph.modules if m.startswith("glasnost.physics."))
    cycles = [
        (a, b)
        for a in modules
        for b in graph.find_modules_directly_imported_by(a)
        if b.startswith("glasnost.physics.") and graph.chain_exists(b, a)
    ]
    assert cycles == []
