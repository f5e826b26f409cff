"""The dashboard in a real browser (Debian's Chromium driven by Playwright): two nodes set up
with the CLI as a party's staff would (keys, nodes, the agreement proposed and signed, the
built-in postures declared, an event notified, logs synced), each served by ``glasnost serve``
in its own process; then every page is opened through the navigation bar and checked for its
key content, with no console error and no request to another host. A full-page screenshot of
each page goes to ``$GLASNOST_ARTIFACTS/screenshots`` (default ``test-artifacts/`` in the
repository), for people to look at.

The browser is ``$GLASNOST_CHROMIUM`` or ``/usr/bin/chromium`` (never one downloaded by
Playwright). Without it the test is skipped, except in CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from typer.testing import CliRunner

from glasnost.cli import app
from glasnost.exchange.keys import PartyKeys, read_private_key
from glasnost.scenario.builtin import builtin_scenario
from tests.browser.conftest import CHROMIUM_ARGS
from tests.integration.service.nodes import NodeServer, Party

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "browser-test-token-7c1e"
PAGE_TIMEOUT_MS = 90_000  # the first visit of /assessments runs the assessment (seconds)

runner = CliRunner(
    env={
        "COLUMNS": "200",
        "GLASNOST_DB": None,
        "GLASNOST_KEY": None,
        "GLASNOST_AGREEMENT": None,
        "GLASNOST_DASHBOARD_TOKEN": None,
    }
)


def screenshots() -> Path:
    folder = Path(os.environ.get("GLASNOST_ARTIFACTS", ROOT / "test-artifacts")) / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def cli(*args: str | Path) -> Any:
    """Run a glasnost command in-process with --json; it must succeed."""
    result = runner.invoke(app, [str(a) for a in args] + ["--json"])
    assert result.exit_code == 0, f"glasnost {' '.join(map(str, args))}\n{result.output}"
    return json.loads(result.stdout) if result.stdout.strip() else None


def cli_plain(*args: str | Path) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 0, f"glasnost {' '.join(map(str, args))}\n{result.output}"
    return result.output


@dataclass(frozen=True)
class Side:
    """A party's files: key, key record, node database."""

    party: str
    folder: Path

    @property
    def key(self) -> Path:
        return self.folder / f"{self.party.lower()}.key"

    @property
    def record(self) -> Path:
        return self.folder / f"{self.party.lower()}.json"

    @property
    def db(self) -> Path:
        return self.folder / f"{self.party.lower()}.db"

    def opts(self) -> tuple[str | Path, ...]:
        return ("--db", self.db, "--key", self.key)

    def as_party(self) -> Party:
        keys = PartyKeys.model_validate_json(self.record.read_text())
        return Party(keys, read_private_key(self.key), self.key)


@dataclass
class Nodes:
    us: NodeServer
    ru: NodeServer
    declared: dict[str, int] = field(default_factory=dict)


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[Nodes]:
    """Both nodes set up through the CLI and served; the US dashboard needs the token."""
    folder = tmp_path_factory.mktemp("browser")
    us, ru = Side("US", folder), Side("RU", folder)
    for side in (us, ru):
        cli("keys", "generate", "--party", side.party, "--out", side.key)
        cli("node", "init", "--party", side.party, *side.opts())
        cli_plain("node", "keys", "--db", side.db, "--out", side.record)
    cli("node", "follow", ru.record, "--db", us.db)
    cli("node", "follow", us.record, "--db", ru.db)
    with ExitStack() as stack:
        servers = []
        for side, args in ((us, ["--dashboard-token", TOKEN]), (ru, [])):
            server = NodeServer(
                side.db, side.as_party(), folder, args=["--agreement", "us-ru", *args]
            )
            stack.callback(server.stop)
            servers.append(server.start())
        us_server, ru_server = servers

        def sync() -> None:
            cli("sync", *ru.opts(), "--peer", us_server.url)

        cli("agreement", "propose", *us.opts())
        sync()
        for side in (us, ru):
            cli("agreement", "sign", *side.opts())
        sync()
        declared = {
            side.party: cli("declare", *side.opts(), "--scenario", "us-ru")["seq"]
            for side in (us, ru)
        }
        start = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=30)
        cli(
            "notify", *us.opts(), "--event", "interceptor_test",
            "--window-start", start.isoformat(),
            "--window-end", (start + dt.timedelta(days=1)).isoformat(),
            "--details", "flight test of a ground-based interceptor",
        )  # fmt: skip
        sync()
        yield Nodes(us_server, ru_server, declared)


@dataclass
class Watch:
    """What a page did that it should not: console errors, requests to other hosts."""

    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)


def test_dashboard_pages_in_chromium(nodes: Nodes, chromium: str) -> None:
    from playwright.sync_api import Page, Route, expect, sync_playwright

    shots = screenshots()
    watch = Watch()

    def guard(route: Route) -> None:
        host = urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            watch.external.append(route.request.url)
            route.abort()

    def shoot(page: Page, name: str) -> None:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    def nav(page: Page, label: str, path: str) -> None:
        page.get_by_role("navigation").get_by_role("link", name=label, exact=True).click()
        page.wait_for_url(f"**{path}")
        expect(page.locator("h2").first).to_contain_text(label)
        expect(page.get_by_role("navigation").get_by_role("link", name=label)).to_have_attribute(
            "aria-current", "page"
        )

    sites = _declared_sites()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(viewport={"width": 1360, "height": 900})
            context.set_default_timeout(PAGE_TIMEOUT_MS)
            context.route("**/*", guard)
            page = context.new_page()
            page.on(
                "console",
                lambda msg: (
                    watch.errors.append(f"{page.url}: {msg.text}") if msg.type == "error" else None
                ),
            )
            page.on("pageerror", lambda exc: watch.errors.append(f"{page.url}: {exc}"))

            # the token opens the US dashboard (a cookie keeps it), and lands on the agreement
            forbidden = page.goto(f"{nodes.us.url}/logs")
            assert forbidden is not None
            assert forbidden.status == 403
            watch.errors.clear()  # the 403 is logged by the browser as a failed resource
            page.goto(f"{nodes.us.url}/?token={TOKEN}")
            assert urlsplit(page.url).path == "/"
            assert "token" not in page.url
            heading = page.locator("h1")
            expect(heading).to_contain_text("United States of America (US) node")
            expect(heading).to_contain_text("Missile-Defense Transparency")
            expect(page).to_have_title(re.compile(r"Agreement · US node · us-ru-mdt"))
            expect(page.locator("#agreement-state")).to_have_text("in force")
            expect(page.locator("#parties")).to_contain_text("RU")
            expect(page.locator("#timeline")).to_contain_text("signed by administration")
            shoot(page, "agreement")

            nav(page, "Logs", "/logs")
            expect(page.locator("#log-US")).to_contain_text("own log")
            expect(page.locator("#log-RU")).to_contain_text("mirror log")
            expect(page.locator("#log-RU")).to_contain_text("glasnost/US")  # US cosigned RU's
            page.get_by_role("link", name="Replay and verify every log now").click()
            expect(page.locator("#log-US .badge.ok", has_text="verified").first).to_be_visible()
            shoot(page, "logs")

            page.locator("#log-US h3 a").click()
            page.wait_for_url("**/logs/US")
            seq = nodes.declared["US"]
            row = page.locator("#entries tbody tr").nth(seq)
            expect(row).to_contain_text("declaration")
            expect(row).to_contain_text("baseline as of")
            expect(page.locator("#entries")).to_contain_text("flight test of a ground-based")
            shoot(page, "log-US")
            row.get_by_role("link", name=str(seq), exact=True).click()
            page.wait_for_url(f"**/logs/US/{seq}")
            expect(page.locator("#inclusion h3")).to_contain_text("verified")
            expect(page.locator("pre.json")).to_contain_text('"type": "declaration"')
            shoot(page, "entry-US")

            nav(page, "Obligations", "/obligations")
            met = page.locator("#obligations-met")
            expect(met).to_contain_text("baseline declaration")
            expect(met.locator(".badge.ok").first).to_have_text("met")
            expect(page.locator("#obligations-not-yet-due")).to_contain_text("interceptor_test")
            shoot(page, "obligations")

            nav(page, "Declarations", "/declarations")
            expect(page.locator("#map img")).to_be_visible()
            for party, ids in sites.items():
                section = page.locator(f"#declarations-{party}")
                for site_id in ids:
                    expect(section.locator("table.sites")).to_contain_text(site_id)
                expect(section.locator("table.history")).to_contain_text("first declaration")
            natural = page.locator("#map img").evaluate("img => img.naturalWidth")
            assert natural > 1000  # the map's PNG decoded
            shoot(page, "declarations")

            nav(page, "Assessments", "/assessments")
            expect(page.locator("#criteria")).to_contain_text("deployed_warheads_defeatable")
            images = page.locator("#latest-assessment figure img")
            expect(images).to_have_count(4)
            for k in range(4):
                assert images.nth(k).evaluate("img => img.naturalWidth") > 500
            shoot(page, "assessments")

            nav(page, "Reductions", "/reductions")
            charts = page.locator("#charts svg")
            expect(charts).to_have_count(3)
            for k, category in enumerate(
                ("deployed_launchers", "deployed_warheads", "total_launchers")
            ):
                chart = charts.nth(k)
                assert chart.get_attribute("data-category") == category
                expect(chart).to_be_visible()
                expect(chart).to_contain_text("limit")
                expect(chart).to_contain_text("US")
                expect(chart).to_contain_text("RU")
                # over time, not one point on empty axes: each party's declaration holds from
                # its date to today across much of the chart, then dotted (if unchanged) to the
                # chart's end, where the limit from its date on ends too (a level line is 0 px
                # high, so Playwright never calls it visible)
                width = chart.bounding_box()["width"]
                boxes = {}
                for name in ("declared-US", "declared-RU", "unchanged-US", "limit"):
                    line = chart.locator(f'[id="{category}-{name}"] path')
                    expect(line).to_have_count(1)
                    boxes[name] = line.bounding_box()
                for name in ("declared-US", "declared-RU"):
                    assert boxes[name]["width"] > 0.3 * width, (category, name, boxes, width)
                limit, unchanged = boxes["limit"], boxes["unchanged-US"]
                assert limit["width"] > 0.05 * width, (category, boxes, width)
                end = unchanged["x"] + unchanged["width"]
                assert abs(limit["x"] + limit["width"] - end) < 1.0, (category, boxes)
            expect(page.locator("#forces")).to_contain_text("no limit yet")
            shoot(page, "reductions")

            # printable: the navigation bar is left out on paper
            page.emulate_media(media="print")
            expect(page.get_by_role("navigation")).to_be_hidden()
            shoot(page, "reductions-print")
            page.emulate_media(media="screen")

            nav(page, "Agreement", "/")

            # the Russian node's dashboard needs no token on loopback and shows the same state
            page.goto(f"{nodes.ru.url}/")
            expect(page.locator("h1")).to_contain_text("Russian Federation (RU) node")
            expect(page.locator("#agreement-state")).to_have_text("in force")
            shoot(page, "ru-agreement")

            context.close()
        finally:
            browser.close()

    assert watch.external == [], "requests to other hosts"
    assert watch.errors == [], "console errors"


def _declared_sites() -> dict[str, list[str]]:
    """The interceptor site ids each party declares from the built-in scenario."""
    scenario = builtin_scenario("us-ru")
    on_date = scenario.on(scenario.date)
    return {p: [s.id for s in on_date.party(p).interceptor_sites] for p in ("US", "RU")}
