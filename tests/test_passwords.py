"""Password hashing (issue 11, item 6): off the event loop, and a flood is refused, not queued."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from resolvers import passwords
from resolvers.errors import DomainError

PASSWORD = "kata-sandi-yang-panjang"


@pytest.fixture(autouse=True)
def production_cost(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """These tests are about the real cost of a hash: not the suite's cheap one (tests/conftest.py)."""
    monkeypatch.delenv("SIGAP_TEST_PASSWORD_HASHING", raising=False)
    passwords._password_hasher.cache_clear()
    yield
    passwords._password_hasher.cache_clear()


async def test_the_event_loop_keeps_running_while_a_password_is_hashed() -> None:
    stored = await passwords.hash_password(PASSWORD)
    checking = asyncio.create_task(passwords.verify_password(stored, PASSWORD))
    turns = 0
    while not checking.done():
        turns += 1
        await asyncio.wait({checking}, timeout=0.001)  # hand the loop over; other requests run here

    assert checking.result() is True
    assert turns > 1, "the hash ran on the event loop: nothing else could run meanwhile"


async def test_hashes_past_the_bound_are_refused_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "MAX_WAITING", 1)
    admitted = passwords.WORKERS + 1
    attempts = [passwords.verify_password(None, f"tebakan-{n}-salah") for n in range(admitted + 5)]

    answers = await asyncio.gather(*attempts, return_exceptions=True)

    assert answers[:admitted] == [False] * admitted
    refused = answers[admitted:]
    assert all(isinstance(a, DomainError) for a in refused), refused
    assert {(e.errors[0].code, e.errors[0].retry_after) for e in refused} == {("RATE_LIMITED", 1)}  # type: ignore[union-attr]
    assert await passwords.verify_password(None, "setelah-banjir") is False  # room again afterwards
