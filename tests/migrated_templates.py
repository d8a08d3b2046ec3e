"""Databases that start out migrated, copied from a template instead of migrated afresh.

Applying every migration to a new database costs a server process ~2 s of CPU (Tortoise rebuilds
its model state migration by migration); a copy of an already migrated database costs
milliseconds, and `sigap serve` then finds nothing left to apply. The template is built once by
`sigap migrate` (the command a deployment runs) and kept under a name made from the migrations'
and models' content, so a changed migration makes a new template and never a stale one. Tests of
migrating a fresh database (test_cli.py, test_migrations.py) make their databases without it.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import asyncpg

from tests.sqlite_urls import sqlite_url_of

REPO = Path(__file__).resolve().parent.parent
_TEMPLATE_PREFIX = "sigap_template_"


def migrations_fingerprint() -> str:
    """A digest of what decides the migrated schema: the models and their migrations."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "models").rglob("*.py")):
        digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def sigap_migrate(database_url: str) -> None:
    """`sigap migrate` in a process of its own: Tortoise's state in this process stays untouched."""
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "migrate"],
        cwd=REPO, env={**os.environ, "DATABASE_URL": database_url},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"sigap migrate failed on {database_url}:\n{done.stdout}{done.stderr}")


def sqlite_template() -> Path:
    """The migrated SQLite file, built on first use (written aside, then renamed into place, so
    parallel test processes never read a half-built one)."""
    folder = Path(tempfile.gettempdir()) / "sigap-test-templates"
    template = folder / f"{migrations_fingerprint()}.db"
    if not template.exists():
        folder.mkdir(exist_ok=True)
        building = Path(tempfile.mkdtemp(dir=folder)) / "building.db"
        try:
            sigap_migrate(sqlite_url_of(building))
            os.replace(building, template)
        finally:
            shutil.rmtree(building.parent, ignore_errors=True)
    return template


def migrated_sqlite_file(target: Path) -> Path:
    shutil.copyfile(sqlite_template(), target)
    return target


async def postgres_template(admin: asyncpg.Connection, admin_url: str) -> str:
    """The name of the migrated template database on the test server, built on first use under an
    advisory lock (parallel test processes build it once) and renamed into place when complete.
    Templates of other fingerprints are left alone: other checkouts may share this server.
    `admin` is a connection to the server's maintenance database, at `admin_url`."""
    name = _TEMPLATE_PREFIX + migrations_fingerprint()
    lock = int(migrations_fingerprint()[:15], 16)
    await admin.execute("SELECT pg_advisory_lock($1)", lock)
    try:
        if await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
            return name
        building = name + "_building"
        await admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{building}"')
        await asyncio.to_thread(sigap_migrate, admin_url.rsplit("/", 1)[0] + f"/{building}")
        await admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        return name
    finally:
        await admin.execute("SELECT pg_advisory_unlock($1)", lock)
