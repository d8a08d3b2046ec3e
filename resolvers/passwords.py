"""Password hashing with Argon2id (argon2-cffi's defaults follow RFC 9106's recommendations).

Hashing takes tens of milliseconds of CPU and 64 MiB: it runs on a small thread pool (argon2's C
code releases the GIL), never on the event loop, so that a sign-in flood does not stall every other
request. The work waiting for the pool is bounded: past `MAX_WAITING` jobs, more are refused at once
with RATE_LIMITED (retry in a second) instead of queueing without end.
"""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from resolvers.errors import ErrorCode, fail

MIN_LENGTH = 10
MAX_LENGTH = 256  # hashing cost grows with length: refuse megabyte "passwords"

# Each hash holds 64 MiB while it runs: a few at a time, whatever the number of cores.
WORKERS = max(1, min(4, (os.cpu_count() or 1) - 1))
MAX_WAITING = 8 * WORKERS  # a second or so of work at most: later sign-ins are refused, not queued


@functools.cache
def _password_hasher() -> PasswordHasher:
    """RFC 9106's defaults (about 0.2 s of CPU and 64 MiB a hash), except for the test suite: with
    SIGAP_TEST_PASSWORD_HASHING=1 and outside production, Argon2id at its smallest cost, the same
    code path without a fifth of a second per sign-in across hundreds of them."""
    if os.environ.get("SIGAP_TEST_PASSWORD_HASHING") == "1" and os.environ.get("SIGAP_ENV") != "production":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="argon2")
_in_flight = 0  # jobs running or waiting for the pool; only touched on the event loop's thread

T = TypeVar("T")


async def _off_the_loop(work: Callable[[], T]) -> T:
    global _in_flight
    if _in_flight >= WORKERS + MAX_WAITING:
        raise fail(
            ErrorCode.RATE_LIMITED,
            "Server sedang sibuk; coba lagi sebentar lagi",
            "The server is busy; try again in a moment",
            retry_after=1,
        )
    _in_flight += 1
    try:
        return await asyncio.get_running_loop().run_in_executor(_pool, work)
    finally:
        _in_flight -= 1


async def hash_password(password: str) -> str:
    return await _off_the_loop(lambda: _password_hasher().hash(password))


async def verify_password(password_hash: str | None, password: str) -> bool:
    if len(password) > MAX_LENGTH:
        return False
    return await _off_the_loop(lambda: _verify(password_hash, password))


@functools.cache
def _dummy_hash() -> str:
    """Verifying against this when the account does not exist keeps timing the same either way.
    Made on first use, not at import: every process (each CLI command too) would pay a hash."""
    return _password_hasher().hash("no such account, same work")


def _verify(password_hash: str | None, password: str) -> bool:
    try:
        return (
            _password_hasher().verify(password_hash or _dummy_hash(), password) and password_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _password_hasher().check_needs_rehash(password_hash)
