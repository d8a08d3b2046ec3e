"""The URLs of the tests' SQLite databases, and back to their files.

Every SQLite database a test or its servers use is opened with `synchronous=OFF` (Tortoise takes
pragmas from the URL's query): a commit no longer waits for the disk, so emptying and seeding the
tables before each test, a fresh `sigap migrate` and a test's own writes cost a third of their
time (~30 ms against ~100 ms a test). Only a crash of the machine could lose a commit, never one
of a process that a test stops or kills; and a test database is thrown away anyway.
"""

from __future__ import annotations

from pathlib import Path

_NO_DISK_WAITS = "?synchronous=OFF"


def sqlite_url_of(path: Path) -> str:
    return f"sqlite://{path}{_NO_DISK_WAITS}"


def sqlite_file_of(url: str) -> str:
    """The database file a SQLite URL names, for opening it with the sqlite3 module."""
    return url.removeprefix("sqlite://").split("?", 1)[0]
