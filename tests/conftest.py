"""Fixtures: a migrated database per backend (SQLite and PostgreSQL), emptied and seeded per test."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
from tortoise.backends.base.executor import EXECUTOR_CACHE

from models.seed import load_seed
from resolvers import rate_limits
from server.database import apply_migrations, connect, disconnect
from tests import abuse
from tests.databases import create_postgres_database, drop_postgres_database, empty_tables, sqlite_url

# Fails the run if a process a test started outlives it.
pytest_plugins = ["tests.leftover_processes"]


@dataclass
class Database:
    backend: str
    url: str


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Database]:
    """A migrated database of one backend, connected for the tests that use it."""
    backend: str = request.param
    if backend == "postgres":
        url = await create_postgres_database()
    else:
        url = sqlite_url(tmp_path_factory.mktemp("sqlite"))
    # Tortoise caches SQL per connection name; both backends are "default" in one process.
    EXECUTOR_CACHE.clear()
    await apply_migrations(url)
    await connect(url)
    try:
        yield Database(backend, url)
    finally:
        await disconnect()
        if backend == "postgres":
            await drop_postgres_database(url)


@pytest.fixture
async def db(database: Database) -> Database:
    """The database, emptied and loaded with Kupang's launch directory."""
    await empty_tables(database.backend)
    await load_seed()
    return database


@pytest.fixture
async def resolving_without_photos(db: Database) -> None:
    """Categories resolvable without an AFTER photo, for tests about something else than the
    proof-of-fix rule (test_photos.py tests that rule)."""
    from models import Category

    await Category.all().update(requires_after_photo=False)


@dataclass
class QueryLog:
    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.statements)

    def clear(self) -> None:
        self.statements.clear()


class _Recorder(logging.Handler):
    def __init__(self, log: QueryLog) -> None:
        super().__init__(logging.DEBUG)
        self.log = log

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "%s: %s" and record.args:
            self.log.statements.append(str(record.args[0]))


@pytest.fixture
def sql_queries() -> Iterator[QueryLog]:
    """Records every SQL statement Tortoise sends while the test runs."""
    log = QueryLog()
    logger = logging.getLogger("tortoise.db_client")
    handler = _Recorder(log)
    old_level, old_propagate = logger.level, logger.propagate
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    logger.addHandler(handler)
    try:
        yield log
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


@pytest.fixture(autouse=True)
async def fresh_rate_limits() -> AsyncIterator[None]:
    """Every test starts with nothing counted against any client (in-process counters), and with
    room to file the reports it needs as one client; rate-limit tests configure their own."""
    rate_limits.configure(None, {"file_report": "1000/minute", "file_report_per_address": "1000/minute"})
    yield
    await rate_limits.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(abuse.summary())
