"""The dashboard's sweep view in a real browser (Chromium driven by Playwright): the US records
an assessment of both declarations with a sweep (42 Sobol' samples of its interceptor's burnout
velocity and the launch delay, on Dask), Russia reruns it and confirms; the US node, served by
``glasnost serve --sweeps``, shows on its assessments page the sweep's plan, the probability of
"no threat", the inputs ranked by their influence on the verdict and the sweep's pictures, with
no console error and no request to another host.

The postures are those of the two-party test scenario (each sample well under a second), so the
sweeps are real but quick.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from glasnost.exchange.keys import write_private_key
from glasnost.sweep.confirmation import Cluster, SweepSpec, sweep_checking, sweep_recording
from glasnost.sweep.store import SUMMARY
from glasnost.treaty.confirmation import confirm_check, confirm_request
from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.test_dashboard import PAGE_TIMEOUT_MS, Watch, screenshots
from tests.integration.service.nodes import NodeServer, Party
from tests.integration.treaty.conftest import new_pair
from tests.integration.treaty.test_sweep_confirmation import declare_mini, exchange

VELOCITY = "interceptor_types.gbi.burnout_velocity_kms"
SPEC = SweepSpec(
    vary=(f"{VELOCITY}=uniform(4.5, 6.5)", "assessment.launch_delay_s=uniform(60, 600)"),
    method="sobol",
    samples=42,  # RBD-FAST's least (glasnost.sweep.analysis.MIN_RBD_SAMPLES)
    seed=3,
)
CLUSTER = Cluster(workers=2, chunk_size=10)


@dataclass(frozen=True)
class Served:
    us: NodeServer
    summary: dict[str, object]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("sweep-browser")
    pair = new_pair(folder)
    mini = declare_mini(pair, velocity_kms=6.5)  # a stack the page's flyout model can derive
    sweeps = folder / "us-sweeps"
    confirm_request(
        pair.us.node,
        pair.agreement,
        at=pair.clock.now,
        settings=mini.assessment,
        sweep=sweep_recording(SPEC, sweeps / "declared-2026", CLUSTER),
    )
    exchange(pair)
    answers = confirm_check(
        pair.ru.node,
        pair.agreement,
        at=pair.clock.now,
        settings=mini.assessment,
        sweeps=sweep_checking(folder / "ru-sweeps", CLUSTER),
    )
    assert [json.loads(a.signed.entry)["type"] for a in answers] == ["confirmation"]
    exchange(pair)
    key_path = write_private_key(folder / "us.key", pair.us.keys[0])
    party = Party(pair.us.record, pair.us.keys[0], key_path)
    server = NodeServer(
        pair.us.path, party, folder, args=["--agreement", "us-ru", "--sweeps", str(sweeps)]
    )
    try:
        server.start()
        summary = json.loads((sweeps / "declared-2026" / SUMMARY).read_text())
        yield Served(server, summary)
    finally:
        server.stop()


def test_the_assessments_page_shows_the_confirmed_sweep(served: Served, chromium: str) -> None:
    from playwright.sync_api import Route, expect, sync_playwright

    watch = Watch()

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            watch.external.append(route.request.url)
            route.abort()

    summary = served.summary
    no_threat = summary["no_threat"]
    assert isinstance(no_threat, dict)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(viewport={"width": 1360, "height": 900})
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            context.route("**/*", guard)
            page = context.new_page()
            page.on("console", lambda m: watch.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: watch.errors.append(str(exc)))
            page.goto(f"{served.us.url}/assessments")

            entries = page.locator("#assessment-entries")
            expect(entries).to_contain_text(f"42 samples, P(no threat) {no_threat['p']:.1%}")
            expect(entries.locator(".badge", has_text="confirmed")).to_have_count(1)
            view = page.locator("#latest-sweep")
            expect(view).to_contain_text("sobol plan, 42 samples, seed 3")
            expect(view.locator("#sweep-inputs")).to_contain_text(VELOCITY)
            expect(view.locator("#sweep-verdict")).to_contain_text(
                f"P(no threat) = {no_threat['p']:.1%}"
            )
            expect(view.locator("#sweep-criteria")).to_contain_text(
                "land_interceptor_burnout_velocity_kms | US land-based interceptors"
            )
            # the inputs ranked by their first-order index for the verdict, as summarised
            ranking = summary["sensitivity"]["outputs"]["no_threat"]["ranking"]  # type: ignore[index]
            rows = view.locator("#sweep-ranking tbody tr")
            expect(rows).to_have_count(2)
            for k, r in enumerate(ranking):
                expect(rows.nth(k)).to_contain_text(r["input"])
                expect(rows.nth(k)).to_contain_text(f"{r['S1']:.3f}")
            images = view.locator("figure img")
            assert images.count() >= 2  # the verdict's tornado chart, a histogram at least
            for k in range(images.count()):
                assert images.nth(k).evaluate("img => img.naturalWidth") > 300
            expect(view.locator("figcaption").first).to_contain_text("What drives the verdict")
            page.screenshot(path=str(screenshots() / "assessments-sweep.png"), full_page=True)
            context.close()
        finally:
            browser.close()
    assert watch.external == [], "requests to other hosts"
    assert watch.errors == [], "console errors"
