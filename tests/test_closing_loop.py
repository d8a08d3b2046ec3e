"""The reporter confirms or disputes a resolution within 7 days and rates it; unanswered
resolutions close by themselves, each with an outcome that tells a fix from a non-answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import Report, Role
from resolvers.identity import ANONYMOUS
from resolvers.service_levels import run_periodic_jobs
from resolvers.timeline import utcnow
from schema.ids import from_global_id
from tests.casework_api import TO_RESOLVED, change, event_kinds, move
from tests.conftest import Database
from tests.graphql import citizen, gql, staff

pytestmark = pytest.mark.usefixtures("resolving_without_photos")  # the proof-of-fix rule: test_photos.py


async def _resolved(reporter: object = None) -> tuple[str, str | None]:
    """A resolved report: (id, tracking token when filed anonymously)."""
    principal = reporter if reporter is not None else ANONYMOUS
    data = await gql(
        """mutation($i: FileReportInput!) { fileReport(input: $i) { report { id } trackingToken } }""",
        {"i": {"title": "Lampu mati", "description": "Lampu jalan mati", "categoryCode": "SAMPAH",
               "location": {"lat": -10.17, "lon": 123.607}}},
        principal=principal,  # type: ignore[arg-type]
    )  # fmt: skip
    report_id = data["fileReport"]["report"]["id"]
    await move(report_id, TO_RESOLVED, await staff(Role.OFFICER, "DLH", f"Petugas {report_id}"))
    return report_id, data["fileReport"]["trackingToken"]


async def test_reporter_confirms_and_rates_the_fix(db: Database) -> None:
    reporter = await citizen("Ani")
    report_id, _ = await _resolved(reporter)

    payload = await change(
        "confirmResolution", reporter, id=report_id, rating=5, ratingComment="Cepat sekali, terima kasih"
    )

    assert payload["errors"] == []
    assert payload["report"]["status"] == "CLOSED"
    assert payload["report"]["resolutionOutcome"] == "CONFIRMED"
    assert payload["report"]["rating"] == 5
    assert payload["event"]["data"] == {"byReporter": True, "outcome": "CONFIRMED"}
    assert (await event_kinds(report_id))[-2:] == ["STATUS_CHANGED", "RATED"]
    comment = "query($id: ID!) { report(id: $id) { ratingComment } }"
    assert (await gql(comment, {"id": report_id}, principal=reporter))["report"]["ratingComment"] == (
        "Cepat sekali, terima kasih"
    )
    assert (await gql(comment, {"id": report_id}, principal=await citizen("Budi")))["report"][
        "ratingComment"
    ] is None


async def test_anonymous_filer_disputes_with_the_token(db: Database) -> None:
    report_id, token = await _resolved()

    payload = await change(
        "disputeResolution", ANONYMOUS, id=report_id, reason="Sampah masih ada", rating=1, trackingToken=token
    )

    assert payload["errors"] == []
    assert payload["report"]["status"] == "IN_PROGRESS"
    assert payload["report"]["disputeCount"] == 1
    assert payload["event"]["note"] == "Sampah masih ada"
    assert (payload["event"]["fromStatus"], payload["event"]["toStatus"]) == ("RESOLVED", "IN_PROGRESS")


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("other citizen", "FORBIDDEN"),
        ("officer", "FORBIDDEN"),
        ("anonymous", "UNAUTHENTICATED"),
        ("wrong token", "INVALID_TOKEN"),
        ("not resolved", "ILLEGAL_TRANSITION"),
        ("after 7 days", "WINDOW_CLOSED"),
        ("rating 6", "INVALID_INPUT"),
        ("dispute without reason", "REQUIRED"),
    ],
)
async def test_refused_answers_change_nothing(db: Database, case: str, code: str) -> None:
    reporter = await citizen("Ani")
    report_id, _ = await _resolved(reporter)
    pk = from_global_id(report_id, "Report")
    if case == "not resolved":
        await move(report_id, ["IN_PROGRESS"], await staff(Role.DISPATCHER, "DLH", "D"))
    if case == "after 7 days":
        await Report.filter(id=pk).update(resolved_at=utcnow() - timedelta(days=7, minutes=1))
    principal = {
        "other citizen": await citizen("Budi"),
        "officer": await staff(Role.OFFICER, "DLH", "Maria"),
        "anonymous": ANONYMOUS,
    }.get(case, reporter)
    extra = {"trackingToken": "x" * 43} if case == "wrong token" else {}
    if case == "rating 6":
        extra["rating"] = 6
    before = (await Report.get(id=pk).values(), await event_kinds(report_id))

    if case == "dispute without reason":
        payload = await change("disputeResolution", principal, id=report_id, reason=" ")
    else:
        payload = await change("confirmResolution", principal, id=report_id, **extra)

    assert [e["code"] for e in payload["errors"]] == [code]
    assert (await Report.get(id=pk).values(), await event_kinds(report_id)) == before


async def test_unanswered_resolutions_close_by_themselves_with_their_outcome(db: Database) -> None:
    reporter = await citizen("Ani")
    quiet, _ = await _resolved(reporter)
    disputed, _ = await _resolved(reporter)
    fresh, _ = await _resolved(reporter)
    await change("disputeResolution", reporter, id=disputed, reason="Belum beres")
    await move(disputed, ["RESOLVED"], await staff(Role.OFFICER, "DLH", "Maria"))
    eight_days_ago = utcnow() - timedelta(days=8)
    for report_id in (quiet, disputed):
        await Report.filter(id=from_global_id(report_id, "Report")).update(resolved_at=eight_days_ago)

    run = await run_periodic_jobs()
    again = await run_periodic_jobs()

    assert (run.auto_closed, again.auto_closed) == (2, 0)
    outcomes = {
        report_id: (await Report.get(id=from_global_id(report_id, "Report"))).resolution_outcome
        for report_id in (quiet, disputed, fresh)
    }
    assert outcomes == {quiet: "AUTO_CLOSED", disputed: "CLOSED_DESPITE_DISPUTE", fresh: None}
    timeline = await gql(
        "query($id: ID!) { report(id: $id) { status timeline { kind toStatus data } } }", {"id": quiet}
    )
    assert timeline["report"]["status"] == "CLOSED"
    assert timeline["report"]["timeline"][-1] == {
        "kind": "STATUS_CHANGED", "toStatus": "CLOSED", "data": {"automatic": True, "outcome": "AUTO_CLOSED"},
    }  # fmt: skip
    late = await change("confirmResolution", reporter, id=quiet)
    assert [e["code"] for e in late["errors"]] == ["ILLEGAL_TRANSITION"]


async def test_staff_closing_a_resolution_is_not_a_confirmed_fix(db: Database) -> None:
    report_id, _ = await _resolved(await citizen("Ani"))

    await move(report_id, ["CLOSED"], await staff(Role.OFFICER, "DLH", "Maria"))

    assert (await Report.get(id=from_global_id(report_id, "Report"))).resolution_outcome == "CLOSED_BY_STAFF"
