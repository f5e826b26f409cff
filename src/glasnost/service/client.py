"""A party's client of its own running node: it asks the node who it is (``/v1/health``),
signs every request with the party's key (``glasnost-request/v1``) and writes entries through
``POST /v1/submissions``, so that the serving node stays the one writer of its log
(decision 0014)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from glasnost.errors import GlasnostError
from glasnost.exchange.entries import Ref, SignedEntry
from glasnost.exchange.keys import PrivateKey, key_id
from glasnost.service.auth import RequestSigner

__all__ = ["NodeAnswerError", "NodeClient"]


class NodeAnswerError(GlasnostError):
    """The own node could not be reached, or answered a request with an error (its detail)."""


class NodeClient:
    """Signed requests to a party's own node at ``url`` (close it, or use it as a context)."""

    def __init__(self, url: str, key: PrivateKey, *, timeout_s: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.http = httpx.Client(base_url=self.url, timeout=timeout_s)
        try:
            health = self._request("GET", "/v1/health").json()
            party, origin = health.get("party"), health.get("origin")
            if not isinstance(party, str) or not isinstance(origin, str):
                raise NodeAnswerError("/v1/health names no party and log origin", where=self.url)
            self.party: str = party
            self.http.auth = RequestSigner(
                party, key_id(origin, key.public_key), key, audience=origin
            )
        except BaseException:
            self.http.close()
            raise

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> NodeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, method: str, path: str, **options: Any) -> httpx.Response:
        """The node's answer; :class:`NodeAnswerError` for an error answer or none."""
        try:
            response = self.http.request(method, path, **options)
        except httpx.HTTPError as exc:
            raise NodeAnswerError(f"cannot reach the node ({exc})", where=self.url) from None
        if response.is_success:
            return response
        try:
            detail = response.json().get("detail", response.text)
        except ValueError:
            detail = response.text
        raise NodeAnswerError(
            f"{response.status_code} {detail}", where=f"{method} {self.url}{path}"
        )

    def submit(
        self, entry_type: str, body: dict[str, Any], refs: Sequence[Ref] = ()
    ) -> dict[str, Any]:
        """Have the node write an entry into its own log; its answer (seq, hash, signed entry)
        once the entry is committed."""
        submission = {
            "type": entry_type,
            "refs": [r.model_dump(mode="json") for r in refs],
            "body": body,
        }
        answer: dict[str, Any] = self._request("POST", "/v1/submissions", json=submission).json()
        return answer

    def entry_hash(self, party: str, seq: int) -> str:
        """The hash of entry ``seq`` of ``party``'s log as the node holds it (for a ref)."""
        page = self._request(
            "GET", "/v1/entries", params={"log": party, "start": seq, "end": seq + 1}
        ).json()
        if not page["entries"]:
            raise NodeAnswerError(f"the node holds no entry {party}:{seq}", where=self.url)
        return SignedEntry.from_json(page["entries"][0]).hash
