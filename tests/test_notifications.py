"""Notifications that reach a closed app: a followed report's news lands in the follower's inbox
(live, through `myNotifications`) and goes out by email over a real SMTP server process, once per
event, after the change has returned, held by quiet hours, off when the follower says so, and
retried with backoff while the mail server is down."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, time, timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest

from models import Delivery, DeliveryStatus, EventKind, Notification, NotificationPreference, Role, User
from realtime.bus import MemoryBus
from realtime.deliveries import DeliveryPolicy, consume_once, deliver_due
from realtime.delivery_runner import DeliveryRunner, running_deliveries
from realtime.notices import NoticeRelay, board, on_notified
from resolvers import mail
from resolvers.identity import Principal, principal_for_user
from resolvers.notification_consumer import NotificationsConsumer
from resolvers.notification_preferences import CITY_TIME_ZONE, QuietHours
from resolvers.notification_senders import EmailSender
from resolvers.notifications import NOTIFYING_EVENTS, SILENT_EVENTS
from resolvers.passwords import hash_password
from schema import schema
from schema.context import Context
from schema.live import FollowHub
from tests.casework_api import change, move
from tests.conftest import Database
from tests.graphql import SIGNER, citizen, file_report, gql, run, staff
from tests.live_in_process import live_feed
from tests.server_process import free_port
from tests.smtp_server import SmtpServer, smtp_server

LINK_BASE = "https://sigap.kupang.test"
SENDER = "Sigap Kupang <no-reply@kupang.test>"
SENDERS = {"email": EmailSender()}
POLICY = DeliveryPolicy(send_timeout=5.0, retry_base=10.0, rng=random.Random(13))

INBOX = """query($first: Int!, $after: String, $unread: Boolean!) { me {
  unreadNotificationCount
  notifications(first: $first, after: $after, unreadOnly: $unread) {
    edges { cursor node { id kind title titleEn body readAt report { code } } }
    pageInfo { hasNextPage endCursor } } } }"""
PREFERENCES = """mutation($i: UpdateNotificationPreferencesInput!) {
  updateNotificationPreferences(input: $i) {
  preferences { channels { group channels } quietHours { start end timeZone } }
  errors { code field message messageEn } } }"""
MARK_READ = """mutation($i: MarkNotificationsReadInput!) { markNotificationsRead(input: $i) {
  unreadNotificationCount errors { code field } } }"""
DELETE_ACCOUNT = "mutation($p: String!) { deleteAccount(input: {password: $p}) { deleted errors { code } } }"
LIVE = "subscription { myNotifications { id kind title report { code } } }"


# -- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def smtp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    """One SMTP server process for the module's tests; each test starts from an empty mailbox."""
    with smtp_server(tmp_path_factory.mktemp("smtp")) as server:
        yield server


@pytest.fixture
def mailing(smtp: SmtpServer) -> Iterator[SmtpServer]:
    smtp.clear()
    mail.configure(smtp.url, SENDER)
    try:
        yield smtp
    finally:
        mail.configure(None, "")


@pytest.fixture
async def consumer(db: Database) -> NotificationsConsumer:
    """The notifications consumer, its cursor made: a new consumer starts at the newest event."""
    notifications = NotificationsConsumer(LINK_BASE, channels=SENDERS)
    await consume_once(notifications)
    return notifications


async def consume_all(consumer: NotificationsConsumer) -> None:
    while await consume_once(consumer):
        pass


async def deliver_all(now: datetime | None = None) -> int:
    """Send what is due until nothing is (one delivery per user and round: they go in order)."""
    total = 0
    while sent := await deliver_due(SENDERS, policy=POLICY, now=now):
        total += sent
    return total


def text_of(message: Message) -> str:
    return message.get_payload(decode=True).decode().replace("\r\n", "\n")  # type: ignore[union-attr]


async def inbox(
    principal: Principal, *, first: int = 20, after: str | None = None, unread: bool = False
) -> Any:
    return (await gql(INBOX, {"first": first, "after": after, "unread": unread}, principal=principal))["me"]


async def followed_report() -> tuple[Principal, Principal, Principal, dict[str, Any]]:
    """Rina's report, followed by Budi, and an officer of the agency handling it."""
    rina, budi, officer = await citizen("Rina"), await citizen("Budi"), await staff(Role.OFFICER, "DLH")
    report = await file_report(rina)
    assert (await change("followReport", budi, id=report["id"]))["errors"] == []
    return rina, budi, officer, report


@contextlib.asynccontextmanager
async def live_inbox(principal: Principal) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
    """`myNotifications` for `principal`, with this process's notices relayed over a bus as
    `sigap serve` does; yields once the subscription waits for news."""
    assert principal.user is not None
    bus = MemoryBus()
    relay = NoticeRelay(bus)
    relaying = asyncio.create_task(relay.run())
    received: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    async with live_feed() as hub:
        context = Context(principal=principal, tokens=SIGNER, live=FollowHub(hub))
        stream = await schema.subscribe(LIVE, context_value=context)
        assert not hasattr(stream, "errors"), stream

        async def collect() -> None:
            async for result in stream:  # type: ignore[union-attr]
                assert not result.errors, result.errors
                received.put_nowait(result.data["myNotifications"])

        collecting = asyncio.create_task(collect())
        try:
            while not board.watching(principal.user.id):  # subscribed: news from now on reaches it
                if collecting.done():
                    collecting.result()
                await asyncio.sleep(0.005)
            with on_notified(relay.announced):
                yield received
        finally:
            for task in (collecting, relaying):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await bus.close()


# -- what notifies ---------------------------------------------------------------------------------


def test_every_event_kind_is_decided() -> None:
    assert set(EventKind) == NOTIFYING_EVENTS | SILENT_EVENTS
    assert not NOTIFYING_EVENTS & SILENT_EVENTS


def test_quiet_hours_over_midnight_end_the_next_morning() -> None:
    quiet = QuietHours(time(22, 0), time(6, 0))

    def wita(day: int, hour: int) -> datetime:
        return datetime(2026, 12, day, hour, 30, tzinfo=CITY_TIME_ZONE).astimezone(UTC)

    assert quiet.holds_until(wita(1, 23)) == datetime(2026, 12, 2, 6, 0, tzinfo=CITY_TIME_ZONE)
    assert quiet.holds_until(wita(2, 5)) == datetime(2026, 12, 2, 6, 0, tzinfo=CITY_TIME_ZONE)
    assert quiet.holds_until(wita(2, 7)) is None
    assert QuietHours(time(13, 0), time(15, 0)).holds_until(wita(2, 14)) == datetime(
        2026, 12, 2, 15, 0, tzinfo=CITY_TIME_ZONE
    )


# -- the way out: email, inbox, live ---------------------------------------------------------------


async def test_a_staff_status_change_reaches_followers_by_email_in_the_inbox_and_live(
    db: Database, mailing: SmtpServer, consumer: NotificationsConsumer
) -> None:
    _, budi, officer, report = await followed_report()
    code = report["code"]

    async with live_inbox(budi) as live:
        await move(report["id"], ["ACKNOWLEDGED"], officer)
        assert mailing.messages() == []  # the change sent nothing itself
        await consume_all(consumer)
        pushed = await asyncio.wait_for(live.get(), timeout=10)
    sent = await deliver_all()

    [message] = mailing.to("budi@warga.test")
    body = text_of(message)
    budis = await inbox(budi)
    [edge] = budis["notifications"]["edges"]
    assert sent == 2  # the reporter and the follower; the officer did it
    assert message["From"] == SENDER
    assert message["Subject"] == f"Laporan {code} diterima dinas"
    assert code in body
    assert f"{LINK_BASE}/reports/{code}" in body
    assert len(mailing.to("rina@warga.test")) == 1
    assert edge["node"]["kind"] == "ACKNOWLEDGED"
    assert edge["node"]["report"] == {"code": code}
    assert edge["node"]["titleEn"] == f"Report {code} acknowledged"
    assert budis["unreadNotificationCount"] == 1
    assert pushed == {
        "id": edge["node"]["id"],
        "kind": "ACKNOWLEDGED",
        "title": message["Subject"],
        "report": {"code": code},
    }
    assert (await inbox(officer))["notifications"]["edges"] == []

    read = (await gql(MARK_READ, {"i": {"ids": [edge["node"]["id"]]}}, principal=budi))[
        "markNotificationsRead"
    ]
    assert read == {"unreadNotificationCount": 0, "errors": []}
    assert (await inbox(budi, unread=True))["notifications"]["edges"] == []


async def test_only_staff_comments_and_status_news_notify_and_each_channel_can_be_off(
    db: Database, mailing: SmtpServer, consumer: NotificationsConsumer
) -> None:
    rina, budi, officer, report = await followed_report()
    code = report["code"]
    off = {"i": {"channels": [{"group": "STATUS", "channels": []}]}}
    chosen = (await gql(PREFERENCES, off, principal=budi))["updateNotificationPreferences"]

    await move(report["id"], ["ACKNOWLEDGED"], officer)
    assert (await change("addComment", officer, id=report["id"], body="Truk datang besok"))["errors"] == []
    assert (await change("addInternalNote", officer, id=report["id"], body="Sopir cuti"))["errors"] == []
    assert (await change("addComment", rina, id=report["id"], body="Terima kasih"))["errors"] == []
    await consume_all(consumer)
    await deliver_all()

    assert chosen["errors"] == []
    assert chosen["preferences"]["channels"] == [
        {"group": "STATUS", "channels": []},
        {"group": "COMMENTS", "channels": ["EMAIL", "WEB_PUSH"]},
    ]
    assert [m["Subject"] for m in mailing.to("budi@warga.test")] == [f"Petugas menanggapi laporan {code}"]
    assert "Truk datang besok" in text_of(mailing.to("budi@warga.test")[0])
    assert [m["Subject"] for m in mailing.to("rina@warga.test")] == [
        f"Laporan {code} diterima dinas",
        f"Petugas menanggapi laporan {code}",
    ]
    kinds = [e["node"]["kind"] for e in (await inbox(budi))["notifications"]["edges"]]
    assert kinds == ["STAFF_COMMENT", "ACKNOWLEDGED"]  # the inbox has everything, newest first
    assert [e["node"]["kind"] for e in (await inbox(officer))["notifications"]["edges"]] == []


async def test_web_push_is_planned_for_its_sender_with_what_a_device_shows(db: Database) -> None:
    """The Web Push sender (another module) gets target = user id and the payload it shows."""
    rina, officer = await citizen("Rina"), await staff(Role.OFFICER, "DLH")
    report = await file_report(rina)
    pushing = NotificationsConsumer(LINK_BASE, channels={"web_push"})
    await consume_once(pushing)

    await move(report["id"], ["ACKNOWLEDGED"], officer)
    await consume_all(pushing)
    [push] = await Delivery.filter(channel="web_push")
    event_id = push.payload["event_id"]

    assert push.target == str(rina.user.id if rina.user else None)
    assert push.payload == {
        "title": f"Laporan {report['code']} diterima dinas",
        "body": report["title"],
        "url": f"{LINK_BASE}/reports/{report['code']}",
        "report_code": report["code"],
        "event_id": event_id,
    }
    assert push.event_id == event_id
    assert await Delivery.filter(channel="email").count() == 0  # no sender of its own here


async def test_quiet_hours_hold_deliveries_until_they_end_but_not_the_inbox(
    db: Database, mailing: SmtpServer, consumer: NotificationsConsumer
) -> None:
    rina, officer = await citizen("Rina"), await staff(Role.OFFICER, "DLH")
    report = await file_report(rina)
    local = datetime.now(CITY_TIME_ZONE).replace(second=0, microsecond=0)
    start, end = (
        (local - timedelta(hours=1)).strftime("%H:%M"),
        (local + timedelta(hours=1)).strftime("%H:%M"),
    )
    quiet = {"i": {"quietHours": {"start": start, "end": end}}}
    chosen = (await gql(PREFERENCES, quiet, principal=rina))["updateNotificationPreferences"]

    await move(report["id"], ["ACKNOWLEDGED"], officer)
    await consume_all(consumer)
    ends = (local + timedelta(hours=1)).astimezone(UTC)
    during = await deliver_all()
    just_before = await deliver_all(now=ends - timedelta(minutes=1))
    after = await deliver_all(now=ends)

    assert chosen["preferences"]["quietHours"] == {"start": start, "end": end, "timeZone": "Asia/Makassar"}
    assert (await inbox(rina))["unreadNotificationCount"] == 1
    assert (during, just_before, after) == (0, 0, 1)
    assert len(mailing.to("rina@warga.test")) == 1


async def test_each_event_notifies_once_with_two_consumers_running(
    db: Database, mailing: SmtpServer, consumer: NotificationsConsumer
) -> None:
    rina, officer = await citizen("Rina"), await staff(Role.OFFICER, "DLH")
    report = await file_report(rina)
    code = report["code"]
    other = NotificationsConsumer(LINK_BASE, channels=SENDERS)  # another process's: the same consumer name

    await move(report["id"], ["ACKNOWLEDGED", "IN_PROGRESS"], officer)
    await asyncio.gather(consume_all(consumer), consume_all(other))
    await asyncio.gather(deliver_all(), deliver_all())
    first = await inbox(rina, first=1)
    rest = await inbox(rina, first=1, after=first["notifications"]["pageInfo"]["endCursor"])

    assert [m["Subject"] for m in mailing.to("rina@warga.test")] == [
        f"Laporan {code} diterima dinas",
        f"Laporan {code} sedang dikerjakan",
    ]
    assert first["unreadNotificationCount"] == 2
    assert first["notifications"]["pageInfo"]["hasNextPage"] is True
    assert [e["node"]["kind"] for e in first["notifications"]["edges"]] == ["IN_PROGRESS"]
    assert [e["node"]["kind"] for e in rest["notifications"]["edges"]] == ["ACKNOWLEDGED"]
    assert rest["notifications"]["pageInfo"]["hasNextPage"] is False


async def test_a_mail_server_that_is_down_is_retried_with_backoff_until_it_is_up(
    db: Database, consumer: NotificationsConsumer, tmp_path: Path
) -> None:
    rina, officer = await citizen("Rina"), await staff(Role.OFFICER, "DLH")
    report = await file_report(rina)
    code = report["code"]
    port = free_port()  # nothing listens there yet
    mail.configure(f"smtp://127.0.0.1:{port}", SENDER)
    try:
        await move(report["id"], ["ACKNOWLEDGED"], officer)
        await consume_all(consumer)
        tried = await deliver_all()
        [waiting] = await Delivery.filter(channel="email")
        backing_off = await deliver_all()
        with smtp_server(tmp_path, port) as server:
            retried = await deliver_all(now=waiting.next_attempt_at)
            received = server.to("rina@warga.test")
    finally:
        mail.configure(None, "")
    await waiting.refresh_from_db()

    assert (tried, backing_off, retried) == (1, 0, 1)
    assert [m["Subject"] for m in received] == [f"Laporan {code} diterima dinas"]
    assert waiting.status is DeliveryStatus.DELIVERED
    assert waiting.attempts == 2


async def test_changes_return_while_the_mail_server_hangs(
    db: Database, consumer: NotificationsConsumer
) -> None:
    """The runner of `sigap serve` sends in the background: a mail server that accepts and never
    answers holds a delivery, never a change."""
    held: list[asyncio.StreamWriter] = []
    connected = asyncio.Event()

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # no greeting, ever
        connected.set()

    hole = await asyncio.start_server(hold, "127.0.0.1", 0)
    mail.configure(f"smtp://127.0.0.1:{hole.sockets[0].getsockname()[1]}", SENDER)
    rina, officer = await citizen("Rina"), await staff(Role.OFFICER, "DLH")
    runner = DeliveryRunner([consumer], SENDERS, policy=DeliveryPolicy(send_timeout=60), poll_seconds=60)
    try:
        async with running_deliveries(runner):
            report = await file_report(rina)
            await asyncio.wait_for(move(report["id"], ["ACKNOWLEDGED"], officer), timeout=5)
            await asyncio.wait_for(connected.wait(), timeout=10)  # the first mail is on its way, stuck
            # Returns all the same, well before the mail client's own timeout would free it.
            await asyncio.wait_for(move(report["id"], ["IN_PROGRESS"], officer), timeout=5)
            statuses = [
                (d.status, d.delivered_at) for d in await Delivery.filter(channel="email").order_by("id")
            ]
    finally:
        for writer in held:
            writer.close()
        hole.close()
        await hole.wait_closed()
        mail.configure(None, "")

    assert statuses[0] == (DeliveryStatus.PENDING, None)  # still in flight when the change returned


async def test_a_deleted_account_keeps_no_inbox_and_is_sent_nothing_more(
    db: Database, mailing: SmtpServer, consumer: NotificationsConsumer
) -> None:
    password = "kata-sandi-yang-panjang"
    user = await User.create(
        name="Maria", email="maria@warga.test", role=Role.CITIZEN, password_hash=await hash_password(password)
    )
    maria, officer = principal_for_user(user), await staff(Role.OFFICER, "DLH")
    report = await file_report(maria)
    assert (await gql(PREFERENCES, {"i": {"quietHoursOff": True}}, principal=maria))[
        "updateNotificationPreferences"
    ]["errors"] == []
    await move(report["id"], ["ACKNOWLEDGED"], officer)
    await consume_all(consumer)  # the mail is planned, not yet sent

    deleted = (await gql(DELETE_ACCOUNT, {"p": password}, principal=maria))["deleteAccount"]
    sent = await deliver_all()

    assert deleted == {"deleted": True, "errors": []}
    assert sent == 0
    assert mailing.to("maria@warga.test") == []
    assert await Notification.filter(user_id=user.id).count() == 0
    assert await NotificationPreference.filter(user_id=user.id).count() == 0


# -- refusals -----------------------------------------------------------------------------------------


async def test_bad_preferences_and_marks_are_refused_and_change_nothing(db: Database) -> None:
    rina = await citizen("Rina")
    no_phone = principal_for_user(
        await User.create(name="Tanpa Telepon", role=Role.CITIZEN, email="tt@warga.test")
    )
    sms = {"i": {"channels": [{"group": "STATUS", "channels": ["SMS"]}]}}
    late = {"i": {"quietHours": {"start": "25:00", "end": "06:00"}}}
    same = {"i": {"quietHours": {"start": "06:00", "end": "06:00"}}}

    def refusal(data: dict[str, Any]) -> tuple[str, str | None]:
        [error] = data["updateNotificationPreferences"]["errors"]
        assert data["updateNotificationPreferences"]["preferences"] is None
        return error["code"], error["field"]

    assert refusal(await gql(PREFERENCES, sms, principal=no_phone)) == ("INVALID_INPUT", "channels")
    assert refusal(await gql(PREFERENCES, late, principal=rina)) == ("INVALID_INPUT", "quietHours.start")
    assert refusal(await gql(PREFERENCES, same, principal=rina)) == ("INVALID_INPUT", "quietHours.end")
    assert refusal(await gql(PREFERENCES, sms)) == ("UNAUTHENTICATED", None)
    mine = (await gql("{ me { notificationPreferences { quietHours { start } } } }", principal=rina))["me"]
    assert mine["notificationPreferences"]["quietHours"] is None

    both = (await gql(MARK_READ, {"i": {"ids": [], "all": True}}, principal=rina))["markNotificationsRead"]
    anonymous = (await gql(MARK_READ, {"i": {"all": True}}))["markNotificationsRead"]
    bad_page = await run(INBOX, {"first": 500, "unread": False}, principal=rina)
    assert both == {"unreadNotificationCount": None, "errors": [{"code": "INVALID_INPUT", "field": "ids"}]}
    assert anonymous["errors"] == [{"code": "UNAUTHENTICATED", "field": None}]
    assert bad_page.errors
    assert bad_page.errors[0].extensions["code"] == "INVALID_PAGE_SIZE"
