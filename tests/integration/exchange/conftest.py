"""Shared fixtures of the exchange integration tests: parties with keys, and a migrated store
on SQLite and (when ``GLASNOST_TEST_POSTGRES_URL`` is set) PostgreSQL, each test in its own
schema."""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from glasnost.exchange.entries import SignedEntry, sign_entry
from glasnost.exchange.keys import Administration, PartyKeys, PrivateKey
from glasnost.exchange.store import make_engine, migrate
from glasnost.treaty.bodies import NotificationEntry

POSTGRES_ENV = "GLASNOST_TEST_POSTGRES_URL"
START = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Party:
    keys: PartyKeys
    key: PrivateKey
    seed: bytes

    @property
    def key_id(self) -> str:
        return self.keys.key_id(self.keys.administrations[0])

    def entry(
        self, seq: int, *, details: str = "one flight test", party: str | None = None
    ) -> SignedEntry:
        """A signed notification, created ``seq`` seconds after START."""
        envelope = NotificationEntry.model_validate(
            {
                "party": party or self.keys.party,
                "seq": seq,
                "created_at": START + dt.timedelta(seconds=seq),
                "body": {
                    "event_type": "interceptor_test",
                    "phase": "pre_event",
                    "window_start": "2025-04-01T00:00:00Z",
                    "window_end": "2025-04-03T00:00:00Z",
                    "details": details,
                },
            }
        )
        return sign_entry(envelope, self.key, self.key_id)

    def entries(self, start: int, end: int) -> list[SignedEntry]:
        return [self.entry(seq) for seq in range(start, end)]


def make_party(name: str) -> Party:
    seed = secrets.token_bytes(32)
    key = PrivateKey.from_seed(seed)
    adm = Administration(
        party=name,
        id=f"{name.lower()}-1",
        name=f"{name} administration",
        public_key=key.public_key.to_base64(),
        valid_from=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
    )
    keys = PartyKeys(party=name, key_name=f"glasnost.example/{name}", administrations=(adm,))
    return Party(keys, key, seed)


@pytest.fixture(scope="module")
def us() -> Party:
    return make_party("US")


@pytest.fixture(scope="module")
def ru() -> Party:
    return make_party("RU")


@contextmanager
def store_engine(kind: str, folder: Path) -> Iterator[sa.Engine]:
    """A migrated, empty store: a SQLite file in ``folder``, or (``kind`` "postgresql") a fresh
    schema in the PostgreSQL database of ``GLASNOST_TEST_POSTGRES_URL`` (skipped without it)."""
    if kind == "sqlite":
        eng = make_engine(folder / "store.db")
        migrate(eng)
        try:
            yield eng
        finally:
            eng.dispose()
        return
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"PostgreSQL: set {POSTGRES_ENV} (e.g. postgresql+psycopg://...) to run")
    schema = f"test_{secrets.token_hex(6)}"
    admin = make_engine(url)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    base = sa.make_url(url)
    eng = make_engine(
        base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    )
    try:
        migrate(eng)
        yield eng
    finally:
        eng.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def downgrade(engine: sa.Engine, revision: str) -> None:
    """Take the store's schema back to ``revision`` (Alembic)."""
    config = Config()
    config.set_main_option("script_location", "glasnost.exchange:migrations")
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


@pytest.fixture
def postgres_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    """A migrated, empty store in a fresh PostgreSQL schema (for what only PostgreSQL has)."""
    with store_engine("postgresql", tmp_path) as eng:
        yield eng


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A migrated, empty store: a SQLite file, or a fresh schema in the PostgreSQL database."""
    with store_engine(request.param, tmp_path) as eng:
        yield eng
