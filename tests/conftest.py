"""Fixtures: a migrated database per backend (SQLite and PostgreSQL), emptied and seeded per test."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser
from tortoise.backends.base.executor import EXECUTOR_CACHE

from models.seed import load_seed
from resolvers import rate_limits
from server.database import apply_migrations, connect, disconnect
from tests import abuse
from tests.browser import chromium_browser
from tests.databases import (
    create_postgres_database,
    drop_postgres_database,
    empty_tables,
    migrated_sqlite_url,
)

# Fails the run if a process a test started outlives it.
pytest_plugins = ["tests.leftover_processes", "tests.mailbox"]  # the latter: the `mail_log` fixture


@dataclass
class Database:
    backend: str
    url: str


@pytest.fixture(scope="session")
async def migrated_databases() -> AsyncIterator[dict[str, str]]:
    """Each backend's database URL, made (a copy of the migrated template) once per test process
    (the run, or each pytest-xdist worker) on first use, and kept while tests switch between backends."""
    urls: dict[str, str] = {}
    yield urls
    if "postgres" in urls:
        await drop_postgres_database(urls["postgres"])


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def database(
    request: pytest.FixtureRequest,
    migrated_databases: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Database]:
    """A migrated database of one backend, connected for the tests that use it. Under xdist a
    worker switches backend once per module it runs: each switch reconnects, never re-migrates."""
    backend: str = request.param
    url = migrated_databases.get(backend)
    if url is None:
        if backend == "postgres":
            url = await create_postgres_database(migrated=True)
        else:
            url = migrated_sqlite_url(tmp_path_factory.mktemp("sqlite"))
        await apply_migrations(url)  # nothing left to apply on the template's copy: a check
        migrated_databases[backend] = url
    # Tortoise caches SQL per connection name; both backends are "default" in one process.
    EXECUTOR_CACHE.clear()
    await connect(url)
    try:
        yield Database(backend, url)
    finally:
        await disconnect()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's headless Chromium (a failure in CI, a skip elsewhere when it is missing)."""
    async with chromium_browser() as launched:
        yield launched


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


# Argon2id at its smallest cost in this process and the servers it starts (not in those started
# with SIGAP_ENV=production): resolvers/passwords.py. Hundreds of sign-ins cost 0.2 s of CPU each
# at the production cost, which tests of the limits and flows around passwords do not need.
os.environ.setdefault("SIGAP_TEST_PASSWORD_HASHING", "1")

# The processes the tests start (about a hundred servers, workers and CLI runs a run) keep the
# bytecode they compile (in __pycache__, ignored by git): where the shell sets
# PYTHONDONTWRITEBYTECODE, as this project's machines do, each of them would otherwise compile
# every Sigap module from source again, ~0.2 s of CPU a start.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

# Seconds each test module took in earlier runs, so that xdist hands out the longest modules first
# instead of starting one last and leaving a worker finishing alone. A fresh clone (CI) has no
# pytest cache: it orders by tests/module_seconds.json, committed from a quiet full run
# (`make test-order`); this machine's own runs (.pytest_cache/) refine it. A module neither knows
# (a new one) goes first, since it may be long.
MODULE_SECONDS = "sigap/module-seconds"
COMMITTED_MODULE_SECONDS = Path(__file__).with_name("module_seconds.json")
_module_seconds: dict[str, float] = {}


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _known_module_seconds(config: pytest.Config) -> dict[str, float]:
    committed = json.loads(COMMITTED_MODULE_SECONDS.read_text()) if COMMITTED_MODULE_SECONDS.exists() else {}
    cache = getattr(config, "cache", None)
    return {**committed, **(cache.get(MODULE_SECONDS, {}) if cache is not None else {})}


def pytest_configure(config: pytest.Config) -> None:
    if _known_module_seconds(config) and hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False  # keep our order rather than xdist's (by test count)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under xdist, each worker collects the same order: modules longest first, by earlier runs."""
    seconds = _known_module_seconds(config)
    if seconds and hasattr(config, "workerinput"):
        items.sort(key=lambda item: -seconds.get(_module(item.nodeid), float("inf")))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _module_seconds[_module(report.nodeid)] = (
        _module_seconds.get(_module(report.nodeid), 0.0) + report.duration
    )


def pytest_sessionfinish(session: pytest.Session) -> None:
    """An xdist worker hands its counts to the controller, which prints the sum and keeps how long
    each module took for the next run's order."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["abuse"] = dict(abuse.SENT)
    elif getattr(session.config, "cache", None) is not None and _module_seconds:
        session.config.cache.set(MODULE_SECONDS, {**_known_module_seconds(session.config), **_module_seconds})


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: object) -> None:
    abuse.SENT.update(getattr(node, "workeroutput", {}).get("abuse", {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.write_line(abuse.summary())
