"""The assessments page over HTTP when the latest assessment records a sweep: with the node's
sweeps folder it shows the sweep found by its summary digest, without it it says the node holds
none; and a declared posture the page's interceptor model cannot reach (a burnout speed no
derived stack attains) is named on the page rather than answered with a 500."""

from __future__ import annotations

from pathlib import Path

import httpx

from glasnost.service.app import ServiceSettings, create_app
from glasnost.sweep.confirmation import Cluster, SweepSpec, sweep_recording
from glasnost.treaty.confirmation import confirm_request
from tests.integration.treaty.conftest import new_pair
from tests.integration.treaty.test_sweep_confirmation import declare_mini

from .conftest import serve

SPEC = SweepSpec(
    vary=("assessment.launch_delay_s=[60, 600]",), declared=True, method="grid", levels=2
)


def test_the_recorded_sweep_is_shown_when_the_node_keeps_it(tmp_path: Path) -> None:
    pair = new_pair(tmp_path)
    mini = declare_mini(pair)  # GBI declared at 7.5 +- 0.3 km/s
    sweeps = tmp_path / "sweeps"
    confirm_request(
        pair.us.node,
        pair.agreement,
        at=pair.clock.now,
        settings=mini.assessment,
        sweep=sweep_recording(SPEC, sweeps / "first", Cluster(workers=1, chunk_size=2)),
    )
    for folder, expected in ((sweeps, "P(no threat) = "), (None, "holds no sweep with this")):
        app = create_app(pair.us.node, ServiceSettings(sweeps=folder))
        with serve(app) as url, httpx.Client(base_url=url, timeout=120.0) as http:
            response = http.get("/assessments")
        assert response.status_code == 200, response.text[:2000]
        text = " ".join(response.text.split())
        assert 'id="latest-sweep"' in text
        assert "grid plan, 4 samples, seed 0" in text
        assert expected in text
        # the page's own recomputation uses the built-in settings (the flyout model): no
        # interceptor stack of that model reaches the declared 7.5 km/s, and the page says so
        assert "It cannot be assessed: gbi: the declared burnout speed 7.50 km/s" in text
