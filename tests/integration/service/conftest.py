"""Serving an ASGI app over real HTTP: uvicorn on 127.0.0.1, in a background thread.

``serve(app)`` is a context manager that yields the base URL (``http://127.0.0.1:<port>``);
the ``live_server_factory`` fixture starts any number of servers and stops them after the test.
Other service tests import :func:`serve` (``from tests.integration.service.conftest import
serve``) or use the fixture. ``pair`` (two nodes that follow each other) and ``servers``
(``glasnost serve`` processes) are the fixtures of the tests that run real nodes.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from .nodes import NodeServer, Party
from .test_nodes import Pair, StartServer, make_pair

STARTUP_TIMEOUT_S = 10.0
SHUTDOWN_TIMEOUT_S = 10.0


@contextmanager
def serve(app: Callable[..., Any], **options: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free port of 127.0.0.1 until the block ends.

    The listening socket is bound here (port 0, so the system picks a free port) and handed to
    uvicorn, so there is no race for the port. ``options`` go to :class:`uvicorn.Config`
    (``lifespan="off"`` for an app without lifespan support, for instance). Logging stays with
    pytest (uvicorn does not reconfigure it); uvicorn's warnings and errors show in the test's
    captured log.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        settings: dict[str, Any] = {
            "log_level": "warning",
            "log_config": None,
            "access_log": False,
            "loop": "asyncio",
            "http": "h11",
            "ws": "none",
            "lifespan": "auto",
            "timeout_graceful_shutdown": SHUTDOWN_TIMEOUT_S / 2,
            **options,
        }
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, **settings))
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name=f"uvicorn-{port}", daemon=True
        )
        thread.start()
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while not server.started:
                if not thread.is_alive():
                    raise RuntimeError(f"uvicorn on port {port} stopped before it started")
                if time.monotonic() > deadline:
                    raise TimeoutError(f"uvicorn on port {port}: not started after 10 s")
                time.sleep(0.005)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(SHUTDOWN_TIMEOUT_S)
            if thread.is_alive():
                raise RuntimeError(f"uvicorn on port {port} did not stop")
    finally:
        sock.close()


@pytest.fixture
def live_server_factory() -> Iterator[Callable[..., str]]:
    """``start(app, **options) -> base URL``: servers live until the end of the test."""
    with ExitStack() as stack:

        def start(app: Callable[..., Any], **options: Any) -> str:
            return stack.enter_context(serve(app, **options))

        yield start


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    return make_pair(tmp_path)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[StartServer]:
    """``start(db, party, port=None, args=()) -> NodeServer``, each stopped after the test."""
    with ExitStack() as stack:

        def start(
            db: Path, party: Party, *, port: int | None = None, args: Sequence[str] = ()
        ) -> NodeServer:
            server = NodeServer(db, party, tmp_path, port=port, args=args)
            stack.callback(server.stop)
            return server.start()

        yield start
