"""Schemathesis against the node's OpenAPI document over real HTTP: no generated request,
valid or not, makes the node answer 5xx.

A US node in a temporary SQLite store (a few entries and a checkpoint of its own log, the
mirror of RU's log with entries, a checkpoint and the node's cosignature) is served by uvicorn;
the schema is loaded from ``/v1/openapi.json``. Every generated request is signed (scheme
``glasnost-request/v1``) so that it passes authentication and reaches its handler: once as
the node's own party (US) and once as the peer (RU). The requests' signatures are checked to
verify (no 401); every response must be no server error and conform to the schema, error
answers included (the document declares them: ``{"detail": "<message>"}``, and for 422 also
the validation error's list of problems).

``POST /v1/witness/add-checkpoint`` takes a text body (the C2SP request), which the document
describes as a string: it is fuzzed with arbitrary text.
"""

from __future__ import annotations

import base64
import secrets
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from glasnost.exchange.checkpoint import Checkpoint, sign_checkpoint
from glasnost.exchange.node import Node
from glasnost.service.app import ServiceSettings, create_app
from glasnost.service.auth import (
    AUDIENCE_HEADER,
    KEY_ID_HEADER,
    NONCE_HEADER,
    PARTY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signing_message,
)
from tests.integration.exchange.conftest import Party, make_party

from .conftest import serve

pytestmark = pytest.mark.integration

US = make_party("US")
RU = make_party("RU")
AUDIENCE = US.keys.key_name  # the node under test is US's: requests are signed for it

Operation: TypeAlias = schemathesis.APIOperation[Any, Any, Any, Any]
AnyCase: TypeAlias = schemathesis.Case[Operation]

API_OPERATIONS = (
    "GET /v1/health",
    "GET /v1/logs",
    "GET /v1/entries",
    "POST /v1/entries",
    "GET /v1/checkpoint",
    "GET /v1/proof/inclusion",
    "GET /v1/proof/consistency",
    "GET /v1/peers",
    "POST /v1/mirror/entries",
    "POST /v1/witness/add-checkpoint",
    "POST /v1/cosignatures",
)
"""The node API's operations: the document must describe each (it may describe more)."""

FUZZ_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
"""Bounded and reproducible: 40 examples per operation and phase, the same ones every run."""


class SignedRequests(requests.auth.AuthBase):
    """Signs a prepared request as ``party``: the target is the path and query as sent on the
    request line, the body hash is over the body bytes as sent."""

    def __init__(self, party: Party, audience: str) -> None:
        self.party = party
        self.audience = audience

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body
        if body is None:
            data = b""
        elif isinstance(body, bytes):
            data = body
        elif isinstance(body, str):
            # http.client sends a text body encoded as ISO-8859-1; send bytes to sign them
            try:
                data = body.encode("iso-8859-1")
            except UnicodeEncodeError:
                data = body.encode("utf-8")
            request.body = data
            request.prepare_content_length(data)
        else:
            raise TypeError(f"cannot sign a streamed body ({type(body).__name__})")
        timestamp = int(time.time())
        nonce = secrets.token_hex(16)
        method = request.method or "GET"
        message = signing_message(
            method,
            request.path_url,
            timestamp,
            nonce,
            self.party.keys.party,
            self.party.key_id,
            data,
            audience=self.audience,
        )
        request.headers[AUDIENCE_HEADER] = self.audience
        request.headers[PARTY_HEADER] = self.party.keys.party
        request.headers[KEY_ID_HEADER] = self.party.key_id
        request.headers[TIMESTAMP_HEADER] = str(timestamp)
        request.headers[NONCE_HEADER] = nonce
        request.headers[SIGNATURE_HEADER] = base64.b64encode(self.party.key.sign(message)).decode()
        return request


@dataclass(frozen=True)
class Service:
    """The served node: its base URL."""

    url: str


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """The US node with data in every table the routes read, served over real HTTP."""
    path: Path = tmp_path_factory.mktemp("fuzz") / "us.db"
    node = Node.init(str(path), US.keys, US.key)
    mirror = node.follow(RU.keys)
    for n in range(3):
        node.write(
            "notification",
            {
                "event_type": "interceptor_test",
                "phase": "pre_event",
                "window_start": "2025-04-01T00:00:00Z",
                "window_end": "2025-04-03T00:00:00Z",
                "details": f"flight test {n}",
            },
        )
    node.checkpoint()
    mirror.append(RU.entries(0, 4))
    ru_note = sign_checkpoint(Checkpoint(mirror.origin, 4, mirror.root(4)), RU.key)
    node.cosign(ru_note)
    app = create_app(node, ServiceSettings(rate_per_s=1e6, burst=10**6))
    with serve(app) as url:
        yield Service(url)
    node.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(service: Service) -> schemathesis.BaseSchema:
    """The node's OpenAPI document, as served."""
    return schemathesis.openapi.from_url(f"{service.url}/v1/openapi.json")


def check_case(case: AnyCase, url: str, party: Party, statuses: Counter[int]) -> None:
    """Send the case signed by ``party``; the signature must verify (no 401), the answer must
    be no server error and conform to the OpenAPI document (error answers included)."""
    response = case.call(base_url=url, auth=SignedRequests(party, AUDIENCE))
    statuses[response.status_code] += 1
    assert response.status_code != 401, f"the signature did not verify: {response.text}"
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


def has_inputs(operation: Operation) -> bool:
    """Whether the operation declares parameters or a body (something to make invalid)."""
    raw = operation.definition.raw
    return bool(raw.get("parameters") or raw.get("requestBody"))


def fuzz_operation(operation: Operation, url: str, party: Party, statuses: Counter[int]) -> None:
    """Valid and (where it has inputs) invalid requests of one operation,
    ``FUZZ_SETTINGS.max_examples`` of each."""
    modes = list(GenerationMode) if has_inputs(operation) else [GenerationMode.POSITIVE]
    for mode in modes:

        @FUZZ_SETTINGS
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: AnyCase) -> None:
            check_case(case, url, party, statuses)

        run()


@pytest.mark.parametrize("party", [US, RU], ids=["own-party", "peer"])
def test_no_server_error(
    api_schema: schemathesis.BaseSchema, service: Service, party: Party
) -> None:
    """Every operation of the schema, fuzzed with requests signed by ``party`` (the node's
    own party may write to its log; the peer may push to its mirror and cosign)."""
    failures: list[str] = []
    labels = []
    statuses: Counter[int] = Counter()
    for result in api_schema.get_all_operations():
        if not isinstance(result, Ok):
            pytest.fail(f"the OpenAPI document has an invalid operation: {result.err()}")
        operation = result.ok()
        labels.append(operation.label)
        try:
            fuzz_operation(operation, service.url, party, statuses)
        except (Exception, BaseExceptionGroup) as exc:  # report every failing operation
            failures.append(f"{operation.label}: {type(exc).__name__}: {exc}")
    assert not failures, "\n\n".join(failures)
    assert set(API_OPERATIONS) <= set(labels), labels
    # the requests reached the handlers: reads answered, writes judged on their content
    assert statuses[200] > 0, statuses
    assert sum(n for status, n in statuses.items() if status in (400, 403, 409, 422)) > 0
