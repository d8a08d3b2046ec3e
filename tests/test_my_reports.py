"""My reports: a signed-in citizen's filed, followed and supported reports, with the usual
filters and pages, and the updates they have not seen yet."""

from __future__ import annotations

from typing import Any

import pytest

from models import EventKind, Role
from resolvers.identity import Principal
from resolvers.my_reports import NOT_UPDATES, UPDATE_KINDS
from schema.context import Context
from schema.subgraphs import build_subgraph
from tests.casework_api import change, move
from tests.conftest import Database
from tests.graphql import citizen, file_report, gql, run, staff

MY_REPORTS = """query($relation: ReportRelation!, $first: Int!, $after: String, $filter: ReportFilter) {
  me { reports(relation: $relation, first: $first, after: $after, filter: $filter) {
    totalCount edges { node { title status unreadUpdates } } pageInfo { hasNextPage endCursor } } } }"""
UNREAD = "query($id: ID!) { report(id: $id) { unreadUpdates } }"
MARK_SEEN = """mutation($id: ID!) { markReportSeen(input: {id: $id}) {
  report { unreadUpdates } errors { code field message messageEn } } }"""


async def _titles(principal: Principal, relation: str, **variables: Any) -> list[str]:
    data = await gql(MY_REPORTS, {"relation": relation, "first": 20, **variables}, principal=principal)
    return [edge["node"]["title"] for edge in data["me"]["reports"]["edges"]]


async def _unread(report_id: str, principal: Principal) -> int | None:
    return (await gql(UNREAD, {"id": report_id}, principal=principal))["report"]["unreadUpdates"]


async def test_filed_followed_and_supported_are_listed_apart(db: Database) -> None:
    rina, budi = await citizen("Rina"), await citizen("Budi")
    mine = [await file_report(rina, title=f"Sampah {n}") for n in range(2)]
    others = [await file_report(budi, title=f"Lampu mati {n}", categoryCode="LAMPU_RAMBU") for n in range(3)]
    assert (await change("followReport", rina, id=others[0]["id"]))["errors"] == []
    assert (await change("supportReport", rina, id=others[1]["id"]))["errors"] == []

    assert sorted(await _titles(rina, "FILED")) == sorted(r["title"] for r in mine)
    assert await _titles(rina, "FOLLOWED") == ["Lampu mati 0"]
    assert await _titles(rina, "SUPPORTED") == ["Lampu mati 1"]
    assert sorted(await _titles(budi, "FILED")) == ["Lampu mati 0", "Lampu mati 1", "Lampu mati 2"]
    assert await _titles(budi, "FOLLOWED") == []
    assert await _titles(budi, "SUPPORTED") == []


async def test_the_usual_filters_and_pages_apply(db: Database) -> None:
    rina = await citizen("Rina")
    filed = [await file_report(rina, title=f"Sampah {n}") for n in range(3)]
    await move(filed[0]["id"], ["ACKNOWLEDGED"], await staff(Role.OFFICER, "DLH"))

    acknowledged = await _titles(rina, "FILED", filter={"statuses": ["ACKNOWLEDGED"]})
    first = await gql(MY_REPORTS, {"relation": "FILED", "first": 2}, principal=rina)
    page = first["me"]["reports"]
    rest = await _titles(rina, "FILED", first=2, after=page["pageInfo"]["endCursor"])

    assert acknowledged == ["Sampah 0"]
    assert page["totalCount"] == 3
    assert page["pageInfo"]["hasNextPage"] is True
    assert len(page["edges"]) + len(rest) == 3
    assert {e["node"]["title"] for e in page["edges"]} | set(rest) == {"Sampah 0", "Sampah 1", "Sampah 2"}


async def test_unread_updates_count_what_others_did_until_marked_seen(db: Database) -> None:
    rina, officer = await citizen("Rina"), await staff(Role.OFFICER, "DLH")
    report = await file_report(rina)
    assert await _unread(report["id"], rina) == 0  # filing is her own doing

    await move(report["id"], ["ACKNOWLEDGED", "IN_PROGRESS"], officer)
    assert (await change("addComment", officer, id=report["id"], body="Truk datang besok"))["errors"] == []
    assert (await change("addInternalNote", officer, id=report["id"], body="Sopir cuti"))["errors"] == []
    assert (await change("addComment", rina, id=report["id"], body="Terima kasih"))["errors"] == []
    assert await _unread(report["id"], rina) == 3  # two moves and the officer's comment

    seen = (await gql(MARK_SEEN, {"id": report["id"]}, principal=rina))["markReportSeen"]
    assert seen == {"report": {"unreadUpdates": 0}, "errors": []}
    listed = await gql(MY_REPORTS, {"relation": "FILED", "first": 5}, principal=rina)
    assert listed["me"]["reports"]["edges"][0]["node"]["unreadUpdates"] == 0

    assert (await change("addComment", officer, id=report["id"], body="Sudah diangkut"))["errors"] == []
    assert await _unread(report["id"], rina) == 1
    assert await _unread(report["id"], officer) == 1  # Rina's thanks; his own moves and comments are not news
    assert await _unread(report["id"], Principal(client="ip:1")) is None  # nobody to count for


async def test_markers_are_per_user(db: Database) -> None:
    rina, budi, officer = await citizen("Rina"), await citizen("Budi"), await staff(Role.OFFICER, "DLH")
    report = await file_report(rina)
    assert (await change("followReport", budi, id=report["id"]))["errors"] == []
    await move(report["id"], ["ACKNOWLEDGED"], officer)

    await gql(MARK_SEEN, {"id": report["id"]}, principal=budi)

    assert await _unread(report["id"], budi) == 0
    assert await _unread(report["id"], rina) == 1


@pytest.mark.parametrize(
    ("who", "report_id", "code", "field"),
    [
        ("anonymous", "filed", "UNAUTHENTICATED", None),
        ("citizen", "UmVwb3J0Ojk5OTk5", "NOT_FOUND", "id"),  # Report:99999
        ("citizen", "QWdlbmN5OjE=", "INVALID_ID", "id"),  # an Agency's ID
    ],
)
async def test_marking_seen_refuses_what_it_cannot_do(
    db: Database, who: str, report_id: str, code: str, field: str | None
) -> None:
    filed = await file_report()
    principal = await citizen() if who == "citizen" else Principal(client="ip:1")

    payload = (
        await gql(MARK_SEEN, {"id": filed["id"] if report_id == "filed" else report_id}, principal=principal)
    )["markReportSeen"]

    assert payload["report"] is None
    assert [(e["code"], e["field"]) for e in payload["errors"]] == [(code, field)]
    assert payload["errors"][0]["messageEn"] != payload["errors"][0]["message"]


async def test_me_is_nobody_else_through_the_reports_subgraph(db: Database) -> None:
    rina, budi = await citizen("Rina"), await citizen("Budi")
    await file_report(rina)
    me = (await gql("{ me { id } }", principal=rina))["me"]["id"]
    entities = """query($r: [_Any!]!) { _entities(representations: $r) {
      ... on Me { reports(relation: FILED) { totalCount } } } }"""
    reports_subgraph = build_subgraph("reports")

    async def as_caller(principal: Principal) -> Any:
        result = await reports_subgraph.execute(
            entities,
            variable_values={"r": [{"__typename": "Me", "id": me}]},
            context_value=Context(principal=principal),
        )
        assert result.errors is None, result.errors
        return result.data

    assert await as_caller(rina) == {"_entities": [{"reports": {"totalCount": 1}}]}
    assert await as_caller(budi) == {"_entities": [None]}


def test_every_event_kind_is_an_update_or_not() -> None:
    assert set(EventKind) == UPDATE_KINDS | NOT_UPDATES
    assert not UPDATE_KINDS & NOT_UPDATES


async def test_anonymous_has_no_me(db: Database) -> None:
    result = await run(MY_REPORTS, {"relation": "FILED", "first": 5})

    assert result.errors is None
    assert result.data == {"me": None}


async def test_the_badge_counts_news_on_every_report_i_follow(db: Database) -> None:
    rina, budi, officer = await citizen("Rina"), await citizen("Budi"), await staff(Role.OFFICER, "DLH")
    mine = await file_report(rina, title="Milik Rina")
    muted = await file_report(rina, title="Dibisukan")
    followed = await file_report(budi, title="Diikuti Rina")
    supported = await file_report(budi, title="Didukung Rina")
    assert (await change("unfollowReport", rina, id=muted["id"]))["errors"] == []
    assert (await change("followReport", rina, id=followed["id"]))["errors"] == []
    assert (await change("supportReport", rina, id=supported["id"]))["errors"] == []
    for report in (mine, muted, followed, supported):
        await move(report["id"], ["ACKNOWLEDGED"], officer)
    badge = "{ me { unreadUpdates } }"

    assert (await gql(badge, principal=rina))["me"]["unreadUpdates"] == 2  # filed and followed
    await gql(MARK_SEEN, {"id": followed["id"]}, principal=rina)
    assert (await gql(badge, principal=rina))["me"]["unreadUpdates"] == 1
    assert (await gql(badge, principal=budi))["me"]["unreadUpdates"] == 2  # his two filings
