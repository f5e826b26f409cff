"""The API documentation pages on an isolated network: ``glasnost serve`` in its own process,
Chromium with every request to another host than the node blocked (as on a treaty network);
Swagger UI (``/v1/docs``) renders the node's OpenAPI document from the assets the package
ships, with no console error and no request to another host."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from tests.browser.conftest import CHROMIUM_ARGS
from tests.integration.service.nodes import NodeServer, init_node, make_party


def test_api_docs_render_with_the_network_blocked(tmp_path: Path, chromium: str) -> None:
    from playwright.sync_api import Route, expect, sync_playwright

    us = make_party("US", tmp_path)
    server = NodeServer(init_node(tmp_path / "us.db", us), us, tmp_path).start()
    blocked: list[str] = []
    errors: list[str] = []

    def network(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:  # the outside world is unreachable
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=CHROMIUM_ARGS, headless=True
            )
            try:
                context = browser.new_context()
                context.set_default_timeout(30_000)
                context.route("**/*", network)
                page = context.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda exc: errors.append(str(exc)))

                page.goto(f"{server.url}/v1/docs")
                expect(page.locator(".swagger-ui .info .title")).to_contain_text("glasnost node US")
                expect(page.locator(".opblock-summary-path", has_text="/v1/health")).to_be_visible()
                page.locator(".opblock-summary-path", has_text="/v1/health").click()
                expect(page.get_by_text("Liveness and identity").first).to_be_visible()
            finally:
                browser.close()
    finally:
        server.stop()
    assert blocked == [], "requests to other hosts"
    assert errors == [], "console errors"
