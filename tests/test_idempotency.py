"""Idempotency keys: a retried filing creates one report and gets the same answer; the same key
with another body is refused; keys belong to one client and expire; racing twins file once."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta
from typing import Any

import pytest

from models import EventKind, IdempotencyKey, Report, ReportEvent
from resolvers import idempotency, rate_limits
from resolvers.identity import Principal
from resolvers.timeline import utcnow
from schema.ids import from_global_id
from tests.abuse import abusive
from tests.conftest import Database
from tests.graphql import filing, run

FILE = """mutation File($input: FileReportInput!) {
  fileReport(input: $input) { report { id code title } trackingToken errors { code field retryAfter } } }"""

PHONE = Principal(client="device:phone-1")
OTHER_PHONE = Principal(client="device:phone-2")


async def file(principal: Principal = PHONE, **overrides: Any) -> dict[str, Any]:
    result = await run(FILE, {"input": filing(**overrides)}, principal=principal)
    assert result.errors is None, result.errors
    return dict(result.data["fileReport"])


async def reports_filed() -> int:
    return await Report.all().count()


async def test_a_retried_filing_creates_one_report_and_gets_the_same_answer(db: Database) -> None:
    key = str(uuid.uuid4())

    first = await file(idempotencyKey=key)
    retries = [await file(idempotencyKey=key) for _ in range(3)]

    assert first["errors"] == []
    assert first["trackingToken"]  # an anonymous filer's way back to the report...
    assert all(retry == first for retry in retries)  # ...which a retry whose answer was lost gets too
    assert await reports_filed() == 1
    assert await ReportEvent.filter(kind=EventKind.FILED).count() == 1


async def test_the_same_key_with_another_body_is_refused_and_writes_nothing(db: Database) -> None:
    key = str(uuid.uuid4())
    await file(idempotencyKey=key, title="Sampah di pasar")

    reused = await file(idempotencyKey=abusive(key), title="Lampu mati di jalan")

    assert reused["report"] is None
    assert reused["errors"] == [
        {"code": "IDEMPOTENCY_KEY_REUSED", "field": "idempotencyKey", "retryAfter": None}
    ]
    assert await reports_filed() == 1


async def test_keys_belong_to_one_client(db: Database) -> None:
    key = str(uuid.uuid4())

    mine = await file(PHONE, idempotencyKey=key)
    theirs = await file(OTHER_PHONE, idempotencyKey=key)

    assert mine["report"]["code"] != theirs["report"]["code"]
    assert await reports_filed() == 2


async def test_an_expired_key_files_anew_and_is_replaced(db: Database) -> None:
    key = str(uuid.uuid4())
    first = await file(idempotencyKey=key)
    await IdempotencyKey.filter(key=key).update(expires_at=utcnow() - timedelta(seconds=1))

    again = await file(idempotencyKey=key)

    assert again["report"]["code"] != first["report"]["code"]
    rows = await IdempotencyKey.filter(key=key)
    assert len(rows) == 1
    assert rows[0].report_id == from_global_id(again["report"]["id"], "Report")
    assert rows[0].expires_at > utcnow()


async def test_expired_keys_are_purged(db: Database) -> None:
    await file(idempotencyKey="stays")
    await file(idempotencyKey="goes")
    await IdempotencyKey.filter(key="goes").update(expires_at=utcnow() - timedelta(hours=1))

    assert await idempotency.purge_expired() == 1
    assert [row.key for row in await IdempotencyKey.all()] == ["stays"]


@pytest.mark.parametrize(
    "key", ["", "   ", "k" * 101, "line\nbreak", "bell\x07key"]
)  # NUL: see test_coded_refusals
async def test_malformed_keys_are_typed_errors_and_write_nothing(db: Database, key: str) -> None:
    answer = await file(idempotencyKey=abusive(key))

    assert answer["report"] is None
    assert answer["errors"][0]["code"] == "INVALID_INPUT"
    assert answer["errors"][0]["field"] == "idempotencyKey"
    assert await reports_filed() == 0


async def test_replays_are_not_counted_against_the_filing_rate(db: Database) -> None:
    rate_limits.configure(None, {"file_report": "2/minute"})
    key = str(uuid.uuid4())
    first = await file(idempotencyKey=key)

    replays = [await file(idempotencyKey=key) for _ in range(5)]
    second = await file(idempotencyKey=str(uuid.uuid4()))
    third = await file(idempotencyKey=str(uuid.uuid4()))

    assert all(replay == first for replay in replays)
    assert second["errors"] == []
    assert third["errors"][0]["code"] == "RATE_LIMITED"
    assert await reports_filed() == 2


async def test_concurrent_twins_with_one_key_leave_one_report(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    key = str(uuid.uuid4())

    with caplog.at_level(logging.INFO, logger="sigap.filing"):
        answers = await asyncio.gather(*(file(idempotencyKey=abusive(key)) for _ in range(20)))

    codes = {answer["report"]["code"] for answer in answers}
    assert len(codes) == 1
    assert all(answer["errors"] == [] for answer in answers)
    assert await reports_filed() == 1
    assert await IdempotencyKey.all().count() == 1
    # The twins really raced: some passed the lookup before the first committed, and were
    # answered from the unique key row written in the winner's transaction.
    assert any("filed first" in record.getMessage() for record in caplog.records)


async def test_the_replayed_tracking_token_opens_the_report(db: Database) -> None:
    key = str(uuid.uuid4())
    await file(idempotencyKey=key, contactName="Rina", contactPhone="0812 3456 7111")

    replayed = await file(idempotencyKey=key, contactName="Rina", contactPhone="0812 3456 7111")
    mine = await run(
        "query($t: String!) { report(trackingToken: $t) { reporterContact { name } } }",
        {"t": replayed["trackingToken"]},
    )

    assert mine.data == {"report": {"reporterContact": {"name": "Rina"}}}


async def test_a_key_that_expires_while_it_blocks_a_retry_still_answers_with_its_report(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = str(uuid.uuid4())
    first = await file(idempotencyKey=key)
    # A lookup whose clock is past the key's expiry (another process's clock, or the key's last
    # moment) misses the row that still blocks the retry's insert.
    after_expiry = utcnow() + idempotency.KEY_LIFETIME + timedelta(minutes=1)
    monkeypatch.setattr(idempotency, "utcnow", lambda: after_expiry)

    again = await file(idempotencyKey=abusive(key))

    assert again["errors"] == []
    assert again["report"]["code"] == first["report"]["code"]
    assert await reports_filed() == 1
