"""Rate limits on filing and sign-in: per client (and per address), a clear typed error with the
time to wait, nothing written; counted in memory or in Redis, and failing open without Redis."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis

from models import Report
from resolvers import rate_limits
from resolvers.errors import DomainError
from resolvers.identity import Principal
from tests.abuse import abusive
from tests.conftest import Database, QueryLog
from tests.graphql import filing, run
from tests.redis_server import private_redis
from tests.server_process import free_port

FILE = """mutation File($input: FileReportInput!) {
  fileReport(input: $input) { report { code } errors { code retryAfter messageEn } } }"""


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with private_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


async def test_a_phone_filing_a_thousand_reports_a_minute_is_stopped(
    db: Database, sql_queries: QueryLog
) -> None:
    rate_limits.configure(None)  # the defaults a deployment runs with: 10 a minute, 100 an hour
    phone = Principal(client="device:flooding-phone")
    answers: Counter[str] = Counter()
    waits: set[int] = set()
    for n in range(1000):
        if n == 10:
            sql_queries.clear()
        result = await run(FILE, {"input": abusive(filing(title=f"Banjir {n}"))}, principal=phone)
        payload = result.data["fileReport"]
        if payload["errors"]:
            answers[payload["errors"][0]["code"]] += 1
            waits.add(payload["errors"][0]["retryAfter"])
        else:
            answers["FILED"] += 1
    refused_sql = sql_queries.count

    assert answers == {"FILED": 10, "RATE_LIMITED": 990}
    assert all(1 <= wait <= 60 for wait in waits), waits
    assert refused_sql == 0  # refused before validation, routing or any write
    assert await Report.all().count() == 10
    neighbour = await run(FILE, {"input": filing()}, principal=Principal(client="device:neighbour"))
    assert neighbour.data["fileReport"]["errors"] == []


async def test_sign_in_attempts_are_limited_per_client_and_per_address() -> None:
    rate_limits.configure(None, {"sign_in": "3/minute", "sign_in_per_address": "5/minute"})

    async def attempt(device: str, address: str) -> None:
        await rate_limits.check_all(("sign_in", device), ("sign_in_per_address", address))

    for _ in range(3):
        await attempt("device:phone-1", "ip:10.0.0.1")
    with pytest.raises(DomainError) as same:
        await attempt(abusive("device:phone-1"), "ip:10.0.0.1")
    await attempt("device:phone-2", "ip:10.0.0.1")
    await attempt("device:phone-3", "ip:10.0.0.1")
    with pytest.raises(DomainError):  # a new device id per attempt: the address is still the attacker
        await attempt("device:phone-4", "ip:10.0.0.1")
    await attempt("device:phone-4", "ip:10.0.0.2")

    error = same.value.errors[0]
    assert error.code == "RATE_LIMITED"
    assert error.retry_after is not None
    assert 1 <= error.retry_after <= 60


async def test_counts_live_in_redis_and_outlast_the_process(redis_url: str) -> None:
    prefix = f"sigap-test-{uuid.uuid4().hex[:8]}"
    rate_limits.configure(redis_url, {"sign_in": "2/minute"}, key_prefix=prefix)
    await rate_limits.check("sign_in", "ip:10.1.1.1")
    await rate_limits.check("sign_in", "ip:10.1.1.1")

    await rate_limits.close()
    rate_limits.configure(redis_url, {"sign_in": "2/minute"}, key_prefix=prefix)  # as a new process would

    with pytest.raises(DomainError):
        await rate_limits.check("sign_in", "ip:10.1.1.1")
    budget = await rate_limits.spend("ip:10.1.1.1", 5, 100)
    assert (budget.allowed, budget.remaining) == (True, 95)


async def test_budget_charges_made_at_once_are_each_counted_exactly(redis_url: str) -> None:
    """Charges of concurrent requests go to Redis together (resolvers.budget_charges), each still
    its own increment: a 100-point budget lets exactly 33 charges of 3 through, each told what it
    left, all with the same reset time within the hour."""
    rate_limits.configure(redis_url, key_prefix=f"sigap-test-{uuid.uuid4().hex[:8]}")
    started = datetime.now(UTC)
    charged = await asyncio.gather(*(rate_limits.spend("key:radio", 3, 100) for _ in range(40)))

    allowed = [budget for budget in charged if budget.allowed]
    assert len(allowed) == 33
    assert sorted(budget.remaining for budget in allowed) == list(range(1, 100, 3))
    assert {budget.remaining for budget in charged if not budget.allowed} == {0}
    assert len({budget.reset_at for budget in charged}) == 1
    assert started < charged[0].reset_at <= started + timedelta(hours=1, seconds=1)


async def test_budgets_are_still_counted_after_redis_forgets_its_scripts(redis_url: str) -> None:
    rate_limits.configure(redis_url, key_prefix=f"sigap-test-{uuid.uuid4().hex[:8]}")
    assert (await rate_limits.spend("key:radio", 5, 100)).remaining == 95
    async with Redis.from_url(redis_url) as redis:
        await redis.script_flush()  # as after a restart of Redis without persistence of scripts

    assert (await rate_limits.spend("key:radio", 5, 100)).remaining == 90


async def test_budgets_are_still_counted_after_redis_drops_the_connection(redis_url: str) -> None:
    rate_limits.configure(redis_url, key_prefix=f"sigap-test-{uuid.uuid4().hex[:8]}")
    assert (await rate_limits.spend("key:radio", 5, 100)).remaining == 95
    async with Redis.from_url(redis_url) as redis:
        await redis.client_kill_filter(_type="normal", skipme=True)  # as an idle timeout or a failover does

    assert (await rate_limits.spend("key:radio", 5, 100)).remaining == 90


def test_budget_charges_go_on_after_a_shutdown_in_a_new_event_loop(redis_url: str) -> None:
    """The charges' connection belongs to the loop that opened it: an app shut down (its lifespan
    closes the counters) and started again in another loop, as the tests and uvicorn's reload do,
    charges on a new connection instead of failing open."""
    rate_limits.configure(redis_url, key_prefix=f"sigap-test-{uuid.uuid4().hex[:8]}")

    async def charge_then_shut_down() -> int | None:
        remaining = (await rate_limits.spend("key:radio", 5, 100)).remaining
        await rate_limits.close()
        return remaining

    assert asyncio.run(charge_then_shut_down()) == 95
    assert asyncio.run(charge_then_shut_down()) == 90


async def test_without_redis_limits_fail_open_and_say_so(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    rate_limits.configure(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there

    with caplog.at_level(logging.WARNING, logger="sigap.limits"):
        await rate_limits.check("file_report", "ip:10.2.2.2")
        budget = await rate_limits.spend("ip:10.2.2.2", 1, 100)

    assert budget.allowed
    assert budget.remaining is None
    assert any("unreachable" in record.getMessage() for record in caplog.records)


async def test_phones_behind_one_carrier_address_are_limited_each_on_their_own(db: Database) -> None:
    rate_limits.configure(None, {"file_report": "2/minute", "file_report_per_address": "5/minute"})
    nat = "ip:36.85.1.1"  # one carrier-grade NAT address, many phones
    phones = [Principal(client=f"device:phone-{n}", address=nat) for n in range(4)]

    codes = []
    for phone in phones:
        for n in range(2):
            result = await run(FILE, {"input": filing(title=f"{phone.client} {n}")}, principal=phone)
            errors = result.data["fileReport"]["errors"]
            codes.append(errors[0]["code"] if errors else "FILED")

    # Each phone may file its own two, but all of them together at most five from one address:
    # one machine posing as many devices is still stopped.
    assert codes == ["FILED"] * 5 + ["RATE_LIMITED"] * 3
    assert await Report.all().count() == 5
