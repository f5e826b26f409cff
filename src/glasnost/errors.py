"""glasnost's exceptions: one tree, every error says what, where and why.

::

    GlasnostError                 base: ``where`` names the place, ``str()`` is "<where>: <what>"
    ├── InputError                input that cannot be used
    │   ├── DocumentError         a YAML/JSON document (key record, agreement, declaration)
    │   │   └── ScenarioError     a scenario file, built-in name or --set override
    │   ├── DerivationError       missile figures no stack of the template can match
    │   └── UnknownMissileError   no missile type of that id (also a KeyError)
    ├── PhysicsError              a computation that has no answer for these inputs
    │   ├── GroundContactError    a boost that ends below the surface (also an ArithmeticError)
    │   ├── NoImpactError         a flight that does not come back down (also an ArithmeticError)
    │   ├── TargetingError        inputs that cannot describe a targeting problem
    │   └── OutOfRangeError       a target the missile cannot reach with the requested shape
    ├── ExchangeError             the ledger: entries, keys, proofs, checkpoints, store, bundles
    │   └── ...                   (tree in :mod:`glasnost.exchange.errors`)
    ├── TreatyError               the agreement's workflow
    │   └── ConfirmationError     a confirmation that cannot proceed
    ├── SyncError                 a sync with a peer that could not complete
    │   └── PeerConflict          the peer's state moved under the request (HTTP 409)
    ├── AuthError                 a request not authenticated (401) or not allowed (403)
    └── NodeAnswerError           the own running node refused a request or cannot be reached

Each class is defined beside the code that raises it and keeps the builtin base it had
(``ValueError``, ``KeyError``, ``ArithmeticError``), so ``except ValueError`` still works where
it did. The command line has one handler for the whole tree
(:class:`glasnost.cli.common.GlasnostGroup`), the HTTP API one status table
(:data:`glasnost.service.errors.STATUS`).
"""

from __future__ import annotations

__all__ = ["GlasnostError", "InputError", "PhysicsError", "TreatyError"]


class GlasnostError(Exception):
    """Base of every glasnost error. ``where`` names the place (a file, a field, an entry, a
    note line, a peer); ``str()`` is ``"<where>: <what and why>"``."""

    def __init__(self, message: str = "", *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class InputError(GlasnostError):
    """Input that cannot be used: a document, a name, an option value."""


class PhysicsError(GlasnostError):
    """A computation that has no answer for these inputs (not a bug: say which input)."""


class TreatyError(GlasnostError):
    """The agreement's workflow cannot proceed."""
