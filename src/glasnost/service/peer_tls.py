"""How a node connects to its peers over HTTPS (the client side of TLS between nodes).

A peer's node serves HTTPS with its operator's certificate (``glasnost serve --tls-cert``);
with ``--tls-client-ca`` it also requires every client to present a certificate of that CA
(mutual TLS). A node that syncs with it then needs two things, both here:

- the CA that signs the peer's certificate (``ca``; the system's trusted CAs when None), so
  that the peer is verified (its certificate must name the host of its URL);
- its own client certificate chain and key (``cert``, ``key``; PEM), presented to the peer.

:meth:`PeerTLS.context` loads the files once, at start, and names the option of a file that is
missing or does not load.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from glasnost.errors import InputError

__all__ = ["PeerTLS"]


@dataclass(frozen=True)
class PeerTLS:
    """The TLS files a node's sync client uses (each None when not given)."""

    ca: Path | None = None
    """CA certificate(s) (PEM) that sign the peers' server certificates (``--tls-peer-ca``)."""
    cert: Path | None = None
    """The client certificate chain (PEM) presented to peers (``--tls-client-cert``)."""
    key: Path | None = None
    """The client certificate's private key (PEM) (``--tls-client-key``)."""

    def __post_init__(self) -> None:
        if (self.cert is None) != (self.key is None):
            raise InputError("--tls-client-cert and --tls-client-key go together")

    @property
    def given(self) -> bool:
        """Whether any file is given (else the client uses the system's defaults)."""
        return any(path is not None for path in (self.ca, self.cert, self.key))

    def context(self) -> ssl.SSLContext:
        """An SSL context for connections to peers: verifies their certificates (against
        ``ca``, or the system's CAs) and presents the client certificate when given."""
        for option, path in (
            ("--tls-peer-ca", self.ca),
            ("--tls-client-cert", self.cert),
            ("--tls-client-key", self.key),
        ):
            if path is not None and not path.is_file():
                raise InputError(f"{path} is not a file", where=option)
        try:
            context = ssl.create_default_context(cafile=None if self.ca is None else str(self.ca))
        except ssl.SSLError as exc:
            raise InputError(f"{self.ca}: {exc.reason or exc}", where="--tls-peer-ca") from None
        if self.cert is not None and self.key is not None:
            try:
                context.load_cert_chain(str(self.cert), str(self.key))
            except ssl.SSLError as exc:
                raise InputError(
                    f"{self.cert} / {self.key}: {exc.reason or exc}",
                    where="--tls-client-cert/--tls-client-key",
                ) from None
        return context
