"""The dashboard over real HTTP (uvicorn on loopback): every page of a node that has signed the
agreement with its peer, declared the built-in postures, notified an event, recorded an
assessment and exchanged its log, answers 200 with its content; unknown logs and entries are
404 HTML pages; a token-protected dashboard refuses requests without its cookie; a client that
is not on loopback is refused; no page points outside the node.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from glasnost.exchange.node import Node
from glasnost.scenario.builtin import builtin_scenario
from glasnost.service.app import ServiceSettings, create_app
from glasnost.service.dashboard import COOKIE
from glasnost.service.sync import sync_once
from glasnost.treaty import actions, bodies
from glasnost.treaty.agreement import builtin_agreement
from glasnost.treaty.bodies import Ref
from glasnost.treaty.confirmation import scenario_from_declarations, scenario_sha256
from glasnost.treaty.logs import views_of_node
from glasnost.treaty.postures import declaration_from_scenario

from .conftest import serve
from .nodes import init_node, make_party

PAGES = ("/", "/logs", "/logs/US", "/logs/RU", "/logs/US/0", "/logs/RU/1", "/obligations",
         "/declarations", "/reductions")  # fmt: skip
"""Every page but /assessments, whose first visit runs an assessment (seconds): one test
visits it, so that the assessment runs in one test process only."""
AGREEMENT = builtin_agreement()


@dataclass(frozen=True)
class Nodes:
    """The US node served at ``url`` (no token), and both nodes' objects."""

    url: str
    us: Node
    ru: Node
    folder: Path


def _sync(ru: Node, url: str) -> None:
    """Russia pulls and cosigns the US log and pushes its own for the US to cosign."""
    sync_once(ru, url)


RESULT_CLAIMED = "ab" * 32
"""The result digest of the logged assessment: not what the dashboard recomputes."""


def _declaration_refs(us: Node, ru: Node) -> list[Ref]:
    """The baselines: US#2 (after propose and sign) and RU#1 (after sign)."""
    return [
        Ref(party="US", seq=2, hash=us.own.entry(2).hash),
        Ref(party="RU", seq=1, hash=ru.own.entry(1).hash),
    ]


def _assessment(us: Node, ru: Node) -> bodies.Assessment:
    """An assessment of both declarations with the true scenario digest and a result digest
    that the recomputation will not reproduce (written by hand: no assessment run needed)."""
    views = views_of_node(us)
    inputs = {"US": views["US"].entries[2], "RU": views["RU"].entries[1]}
    scenario = scenario_from_declarations(AGREEMENT, inputs)
    return bodies.Assessment(
        scenario_sha256=scenario_sha256(scenario),
        result_sha256=RESULT_CLAIMED,
        software="glasnost test",
        verdict="pass",
    )


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Nodes]:
    folder = tmp_path_factory.mktemp("dashboard")
    us_party, ru_party = make_party("US", folder), make_party("RU", folder)
    us_db = init_node(folder / "us.db", us_party, ru_party)
    ru_db = init_node(folder / "ru.db", ru_party, us_party)
    us = Node.open(str(us_db), key=us_party.key)
    ru = Node.open(str(ru_db), key=ru_party.key)
    app = create_app(us, ServiceSettings(agreement=AGREEMENT))
    try:
        with serve(app) as url:
            proposal = us.write("propose", actions.propose(AGREEMENT))
            _sync(ru, url)
            ref = Ref(party="US", seq=proposal.seq, hash=proposal.hash)
            us.write("sign", actions.sign(AGREEMENT), refs=[ref])
            ru.write("sign", actions.sign(AGREEMENT), refs=[ref])
            _sync(ru, url)
            scenario = builtin_scenario("us-ru")
            for node in (us, ru):
                node.write("declaration", declaration_from_scenario(scenario, node.party))
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            us.write(
                "notification",
                {
                    "event_type": "interceptor_test",
                    "phase": "pre_event",
                    "window_start": (now + dt.timedelta(days=20)).isoformat(),
                    "window_end": (now + dt.timedelta(days=21)).isoformat(),
                    "details": "intercept test over the Pacific",
                },
            )
            _sync(ru, url)
            us.write("assessment", _assessment(us, ru), refs=_declaration_refs(us, ru))
            _sync(ru, url)
            yield Nodes(url, us, ru, folder)
    finally:
        us.engine.dispose()
        ru.engine.dispose()


@pytest.fixture(scope="module")
def client(nodes: Nodes) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=nodes.url, timeout=120.0) as http:
        yield http


def page(client: httpx.Client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.text[:2000])
    assert response.headers["content-type"].startswith("text/html")
    assert "Traceback" not in response.text
    return response.text


def text_of(html: str) -> str:
    """The page's text, tags removed and white space collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# --- every page -----------------------------------------------------------------------------


def test_every_page_names_party_and_agreement_and_links_every_page(client: httpx.Client) -> None:
    for path in PAGES:
        html = page(client, path)
        title = re.search(r"<title>(.*?)</title>", html, re.S)
        assert title is not None
        assert "US node" in title.group(1), path
        assert AGREEMENT.id in title.group(1), path
        heading = re.search(r"<h1>(.*?)</h1>", html, re.S)
        assert heading is not None
        assert "United States of America (US) node" in text_of(heading.group(1)), path
        assert AGREEMENT.title in text_of(heading.group(1)), path
        for link in ("/", "/logs", "/obligations", "/declarations", "/assessments", "/reductions"):
            assert f'href="{link}"' in html, (path, link)


def test_agreement_page_shows_state_per_party_and_timeline(client: httpx.Client) -> None:
    text = text_of(page(client, "/"))
    assert re.search(r"State in force", text)
    assert re.search(r"US United States of America in force", text)
    assert re.search(r"RU Russian Federation in force", text)
    assert "proposed 'Executive Agreement" in text
    assert "signed by administration us-2020" in text
    assert "signed by administration ru-2020" in text
    assert "No lifecycle findings" in text


def test_logs_page_shows_both_logs_and_verifies_on_request(client: httpx.Client) -> None:
    text = text_of(page(client, "/logs"))
    assert "own log" in text
    assert "mirror log" in text
    assert "not verified" in text
    assert "glasnost/RU" in text
    assert "glasnost/US" in text
    # one wording of the deadline, the agreement's: hours after the entry was written
    assert "hours of being written" in text
    assert "of its receipt" not in text
    verified = page(client, "/logs?verify=1")
    assert verified.count('class="badge ok">verified</span>') >= 2
    assert "FAILED" not in verified
    # the replay is kept for the log's size: a later plain visit shows it
    assert "OK" in text_of(page(client, "/logs"))


def test_log_page_lists_entries_with_receipt(client: httpx.Client, nodes: Nodes) -> None:
    text = text_of(page(client, "/logs/US"))
    for kind in ("propose", "sign", "declaration", "notification", "assessment"):
        assert kind in text
    assert "intercept test over the Pacific" in text
    assert "interceptor sites" in text
    assert nodes.us.own.entry(2).hash[:12] in text
    assert "UTC" in text
    assert re.search(r"verdict (no threat|threat), result", text)


def test_entry_page_shows_json_signature_and_verified_proof(
    client: httpx.Client, nodes: Nodes
) -> None:
    html = page(client, "/logs/US/2")
    text = text_of(html)
    signed = nodes.us.own.entry(2)
    assert signed.hash in text
    assert signed.key_id in text
    assert "administration us-2020" in text
    assert '"type": "declaration"' in unescape(html)
    assert "Inclusion proof verified" in text
    assert "latest checkpoint" in text


def test_obligations_page(client: httpx.Client) -> None:
    text = text_of(page(client, "/obligations"))
    assert "baseline declaration" in text
    assert "pre-event notification of interceptor_test" in text
    assert "Met" in text
    assert "Not yet due" in text
    assert "Acknowledgements" in text
    assert "hours of being written" in text


def test_declarations_page_maps_and_lists_the_declared_sites(client: httpx.Client) -> None:
    html = page(client, "/declarations")
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]{1000,}"', html)
    text = text_of(html)
    scenario = builtin_scenario("us-ru")
    for party in ("US", "RU"):
        for site in scenario.on(scenario.date).party(party).interceptor_sites:
            assert site.id in text
    assert "first declaration" in text
    assert "baseline" in text


def test_assessments_page_recomputes_the_logged_assessment(
    client: httpx.Client, nodes: Nodes
) -> None:
    html = page(client, "/assessments")
    text = text_of(html)
    assert "US node" in text
    assert_links_inside(html, nodes.url, "/assessments")
    assert "US#4" in text  # the assessment entry
    assert "pending" in text  # Russia has not answered it
    assert "Latest assessment" in text
    assert text.count("as logged") == 1  # the scenario digest is reproduced here ...
    assert f"differs from the logged {RESULT_CLAIMED[:12]}" in text  # ... the result is not
    assert "deployed_warheads_defeatable_fraction" in text
    # the entries table and the card name the verdict alike (threat / no threat, not fail)
    table = html[html.index('<table id="assessment-entries">') :]
    table = table[: table.index("</table>")]
    verdicts = re.findall(r'<span class="badge [^"]*">(threat|no threat|fail|pass)</span>', table)
    assert verdicts
    assert set(verdicts) <= {"threat", "no threat"}
    card = re.search(r'Verdict</span> <span class="badge [^"]*">([^<]*)</span>', html)
    assert card is not None
    assert card.group(1) in ("threat", "no threat")
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) == 4  # map + heat map x2
    again = client.get("/assessments")  # kept by the scenario digest: not computed again
    assert again.elapsed.total_seconds() < 2.0


def test_reductions_page_draws_a_chart_per_category(client: httpx.Client) -> None:
    html = page(client, "/reductions")
    charts = re.findall(r'<svg [^>]*data-category="(\w+)"', html)
    assert charts == ["deployed_launchers", "deployed_warheads", "total_launchers"]
    assert "1,550" in text_of(html)  # the deployed-warhead limit
    for category in charts:  # a line per party that declared, and the reduction schedule
        for name in ("declared-US", "declared-RU", "limit"):
            assert f'<g id="{category}-{name}"' in html, (category, name)
    assert "<script" not in html


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "words"),
    [
        ("/logs/XX", 404, "keeps no log of 'XX'"),
        ("/logs/US/999", 404, "there is no entry 999"),
        ("/logs/US?page=99", 404, "page(s)"),
        ("/nowhere", 404, "no such page"),
        ("/logs/US/minus-one", 400, "seq"),
        ("/logs/US?page=0", 400, "page"),
    ],
)
def test_errors_are_html_pages(client: httpx.Client, path: str, status: int, words: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert words in unescape(response.text)
    assert "Traceback" not in response.text
    assert '<nav aria-label="Dashboard">' in response.text


def test_api_errors_stay_json(client: httpx.Client) -> None:
    response = client.get("/v1/logs")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    missing = client.get("/v1/nowhere")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found"}


# --- access -----------------------------------------------------------------------------------


def test_refuses_a_client_not_on_loopback(client: httpx.Client) -> None:
    # uvicorn trusts X-Forwarded-For from 127.0.0.1 (a reverse proxy on the node's machine)
    response = client.get("/", headers={"X-Forwarded-For": "203.0.113.7"})
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "own machine only" in response.text
    assert AGREEMENT.title not in response.text  # nothing about the node is shown
    static = client.get("/static/dashboard.css", headers={"X-Forwarded-For": "203.0.113.7"})
    assert static.status_code == 403


def test_token_mode_needs_the_cookie(nodes: Nodes) -> None:
    app = create_app(nodes.us, ServiceSettings(agreement=AGREEMENT, dashboard_token="t0ken-42"))
    with serve(app) as url, httpx.Client(base_url=url, timeout=60.0) as http:
        assert http.get("/").status_code == 403
        assert http.get("/logs").status_code == 403
        assert http.get("/?token=wrong").status_code == 403
        assert COOKIE not in http.cookies
        opened = http.get("/?token=t0ken-42", follow_redirects=False)
        assert opened.status_code == 303
        assert opened.headers["location"] == "/"
        cookie = opened.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        assert "t0ken-42" not in cookie
        for path in ("/", "/logs", "/logs/US/0", "/static/dashboard.css"):
            assert http.get(path).status_code == 200, path
        assert http.get("/v1/health").status_code == 200  # the API does not use the cookie
        http.cookies.clear()
        assert http.get("/logs").status_code == 403


# --- nothing from elsewhere -------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data") and value:
                self.urls.append(value)


def assert_links_inside(html: str, base: str, path: str) -> None:
    """Every src/href of the page is relative, same-origin, or a data: URI."""
    origin = urlsplit(base)
    parser = _Links()
    parser.feed(html)
    assert parser.urls, path
    for url in parser.urls:
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue
        assert not url.startswith("//"), (path, url)
        assert parts.scheme in ("", origin.scheme), (path, url)
        assert parts.netloc in ("", origin.netloc), (path, url)


def test_no_page_references_another_host(client: httpx.Client, nodes: Nodes) -> None:
    for path in (*PAGES, "/logs?verify=1", "/nowhere"):
        assert_links_inside(client.get(path).text, nodes.url, path)
    css = client.get("/static/dashboard.css").text
    assert "url(" not in css
    assert "@import" not in css


def test_a_new_node_answers_every_page(tmp_path: Path) -> None:
    """A node just initialised, following nobody, with an empty log: every page says so."""
    party = make_party("US", tmp_path)
    node = Node.open(str(init_node(tmp_path / "new.db", party)), key=party.key)
    try:
        app = create_app(node, ServiceSettings())
        with serve(app) as url, httpx.Client(base_url=url, timeout=60.0) as http:
            for path in (*PAGES[:3], "/obligations", "/declarations", "/assessments"):
                response = http.get(path)
                assert response.status_code == 200, (path, response.text[:1000])
            assert "not proposed" in http.get("/").text
            assert "no entry yet" in http.get("/logs/US").text
            assert "no declaration with a posture" in http.get("/assessments").text
            assert "nothing to map" in http.get("/declarations").text
            assert http.get("/logs/US/0").status_code == 404
            assert http.get("/logs/RU").status_code == 404
            charts = http.get("/reductions")
            assert charts.status_code == 200
            assert charts.text.count("<svg ") == 3
    finally:
        node.engine.dispose()


def test_pages_show_what_was_written_since_the_last_page(tmp_path: Path) -> None:
    """The parsed logs are cached between pages, but a new entry shows on the next page."""
    party = make_party("US", tmp_path)
    node = Node.open(str(init_node(tmp_path / "new.db", party)), key=party.key)
    try:
        app = create_app(node, ServiceSettings())
        with serve(app) as url, httpx.Client(base_url=url, timeout=60.0) as http:
            assert "no entry yet" in http.get("/logs/US").text
            assert "no entry yet" in http.get("/logs/US").text  # from the cache
            node.write("propose", actions.propose(AGREEMENT))
            page = http.get("/logs/US").text
            assert "no entry yet" not in page
            assert "propose" in page
            assert "proposed" in http.get("/").text
    finally:
        node.engine.dispose()
