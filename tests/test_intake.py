"""Call-center and walk-in intake: staff file for a caller through the channel the report came in,
the caller's contact stays as private as any reporter's, and statistics count by channel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models import IntakeChannel, Report, ReportEvent, Role
from resolvers.identity import ANONYMOUS, Principal, PrincipalKind
from resolvers.timeline import utcnow
from tests.conftest import Database
from tests.graphql import FILE_REPORT, citizen, filing, gql, staff

FILE = FILE_REPORT.replace("report {", "trackingToken report { channel reporterContact { name phone } ")
CONTACT = "query($id: ID!) { report(id: $id) { reporterContact { name phone } } }"
BY_TOKEN = "query($t: String!) { report(trackingToken: $t) { channel reporterContact { name phone } } }"
STAFF_CHANNELS = [c.value for c in IntakeChannel if c is not IntakeChannel.APP]
PARTNER = Principal(
    kind=PrincipalKind.PARTNER, api_key_id=1, scopes=frozenset({"reports:file"}), client="k:1"
)


async def _take_down(operator: Principal, channel: str, **overrides: Any) -> dict[str, Any]:
    variables = filing(
        channel=channel, contactName="Bapak Yohanis", contactPhone="0812 3456 7890", **overrides
    )
    payload = (await gql(FILE, {"input": variables}, principal=operator))["fileReport"]
    assert payload["errors"] == [], payload["errors"]
    return dict(payload)


@pytest.mark.parametrize("channel", STAFF_CHANNELS)
async def test_staff_file_for_a_caller_through_the_channel(db: Database, channel: str) -> None:
    dispatcher = await staff(Role.DISPATCHER, None, "Operator")

    payload = await _take_down(dispatcher, channel)
    report = payload["report"]

    assert report["channel"] == channel
    assert report["reporterContact"] == {"name": "Bapak Yohanis", "phone": "+6281234567890"}
    assert payload["trackingToken"]  # to pass on to the caller
    stored = await Report.get()
    assert stored.reporter_id is None  # the caller's report, not the operator's
    filed = await ReportEvent.get()
    assert filed.actor_id == dispatcher.user.id  # type: ignore[union-attr]
    assert filed.data == {"agencyId": stored.agency_id, "areaId": stored.area_id, "channel": channel}
    caller_view = await gql(BY_TOKEN, {"t": payload["trackingToken"]})
    assert caller_view["report"] == {
        "channel": channel,
        "reporterContact": {"name": "Bapak Yohanis", "phone": "+6281234567890"},
    }


async def test_the_callers_contact_is_as_private_as_any_reporters(db: Database) -> None:
    dispatcher = await staff(Role.DISPATCHER, None, "Operator")
    report = (await _take_down(dispatcher, "PHONE"))["report"]  # trash: DLH's
    readers = {
        "anonymous": (ANONYMOUS, None),
        "a citizen": (await citizen("Ani"), None),
        "an officer of another agency": (await staff(Role.OFFICER, "DISHUB"), None),
        "an officer of the handling agency": (await staff(Role.OFFICER, "DLH"), "+6281234567890"),
        "the operator, later": (dispatcher, None),  # as for any report: the handling agency's only
    }

    for who, (principal, phone) in readers.items():
        contact = (await gql(CONTACT, {"id": report["id"]}, principal=principal))["report"]["reporterContact"]
        assert (contact or {}).get("phone") == phone, who


@pytest.mark.parametrize("who", ["anonymous", "citizen", "display key", "partner without reports:file"])
async def test_only_staff_and_filing_partners_take_reports_down(db: Database, who: str) -> None:
    callers = {
        "anonymous": ANONYMOUS,
        "citizen": await citizen("Ani"),
        "display key": Principal(kind=PrincipalKind.DISPLAY, api_key_id=2, client="k:2"),
        "partner without reports:file": Principal(kind=PrincipalKind.PARTNER, api_key_id=3, client="k:3"),
    }

    payload = (await gql(FILE, {"input": filing(channel="WHATSAPP")}, principal=callers[who]))["fileReport"]

    assert payload["report"] is None
    assert [e["code"] for e in payload["errors"]] in (["FORBIDDEN"], ["UNAUTHENTICATED"])
    assert await Report.all().count() == 0


async def test_a_partners_whatsapp_bot_files_through_its_channel(db: Database) -> None:
    payload = await _take_down(PARTNER, "WHATSAPP")

    assert payload["report"]["channel"] == "WHATSAPP"


async def test_citizens_file_through_the_app_as_before(db: Database) -> None:
    rina = await citizen("Rina")

    payload = (await gql(FILE, {"input": filing()}, principal=rina))["fileReport"]

    assert payload["report"]["channel"] == "APP"
    assert (await Report.get()).reporter_id == rina.user.id  # type: ignore[union-attr]


async def test_reports_and_statistics_by_channel(db: Database) -> None:
    dispatcher = await staff(Role.DISPATCHER, None, "Operator")
    for channel in ["APP", "PHONE", "PHONE", "WALK_IN"]:
        await _take_down(dispatcher, channel)
    now = utcnow()
    window = {
        "since": (now - timedelta(hours=1)).isoformat(),
        "until": (now + timedelta(hours=1)).isoformat(),
    }

    phoned = await gql("{ reports(filter: {channels: [PHONE, WALK_IN]}) { totalCount } }")
    stats = await gql(
        """query($since: DateTime!, $until: DateTime!) { reportStatistics(since: $since, until: $until) {
          figures { filed byChannel { channel count } }
          league { agency { code } figures { byChannel { channel count } } } } }""",
        window,
        principal=dispatcher,
    )

    assert phoned["reports"]["totalCount"] == 3
    figures = stats["reportStatistics"]["figures"]
    assert figures["filed"] == 4
    assert {c["channel"]: c["count"] for c in figures["byChannel"]} == {
        "APP": 1, "PHONE": 2, "SMS": 0, "WHATSAPP": 0, "WALK_IN": 1, "SOCIAL_MEDIA": 0,
    }  # fmt: skip
    dlh = next(s for s in stats["reportStatistics"]["league"] if s["agency"]["code"] == "DLH")
    assert sum(c["count"] for c in dlh["figures"]["byChannel"]) == 4
