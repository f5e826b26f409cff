"""One exception tree (glasnost.errors): every error of the project is a GlasnostError of the
branch its docstring draws, keeps its builtin base, and says where it happened."""

from __future__ import annotations

import pytest

from glasnost.common.documents import DocumentError, Issue
from glasnost.demo.missile_flight import OutOfRangeError
from glasnost.errors import GlasnostError, InputError, PhysicsError, TreatyError
from glasnost.exchange.errors import EquivocationError, ExchangeError, LogNotFound
from glasnost.exchange.replication import PeerConflict, SyncError
from glasnost.physics.coast import NoImpactError
from glasnost.physics.targeting import TargetingError
from glasnost.physics.trajectory import GroundContactError
from glasnost.scenario.derive import DerivationError
from glasnost.scenario.loading import ScenarioError
from glasnost.scenario.missiles import UnknownMissileError
from glasnost.service.auth import AuthError
from glasnost.service.client import NodeAnswerError
from glasnost.treaty.confirmation import ConfirmationError


@pytest.mark.parametrize(
    ("error", "branch", "builtin"),
    [
        (DocumentError, InputError, ValueError),
        (ScenarioError, InputError, ValueError),
        (DerivationError, InputError, ValueError),
        (UnknownMissileError, InputError, KeyError),
        (GroundContactError, PhysicsError, ArithmeticError),
        (NoImpactError, PhysicsError, ArithmeticError),
        (TargetingError, PhysicsError, ValueError),
        (OutOfRangeError, PhysicsError, ValueError),
        (ExchangeError, GlasnostError, ValueError),
        (EquivocationError, ExchangeError, ValueError),
        (LogNotFound, ExchangeError, LookupError),
        (ConfirmationError, TreatyError, ValueError),
        (PeerConflict, SyncError, Exception),
        (AuthError, GlasnostError, Exception),
        (NodeAnswerError, GlasnostError, Exception),
    ],
)
def test_every_error_is_in_the_tree_and_keeps_its_builtin_base(
    error: type[Exception], branch: type[Exception], builtin: type[Exception]
) -> None:
    assert issubclass(error, branch)
    assert issubclass(error, GlasnostError)
    assert issubclass(error, builtin)


def test_errors_carry_where_they_happened() -> None:
    exc = TargetingError("no solution", where="row 3")
    assert (exc.where, exc.message, str(exc)) == ("row 3", "no solution", "row 3: no solution")
    derived = DerivationError("range_km", "beyond every stack")
    assert (derived.where, str(derived)) == ("range_km", "range_km: beyond every stack")
    document = DocumentError("keys.yaml", [Issue("party", "required field missing", 2)])
    assert document.where == "keys.yaml"
    assert str(document) == "keys.yaml: party: required field missing (line 2)"
    assert AuthError(401, "missing header").status == 401
