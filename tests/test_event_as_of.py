"""Each event carries the report's agency, category, area and status as the event found and left
them, in the API (timeline and live feed alike): a re-routed report's earlier events still say
where it was when they happened."""

from __future__ import annotations

from models import Category, Role
from schema.ids import to_global_id
from tests.casework_api import move
from tests.conftest import Database
from tests.graphql import file_report, gql, staff

STATE = "status agency { code } category { code }"
TIMELINE = f"""query($id: ID!) {{ report(id: $id) {{
  timeline {{ kind before {{ {STATE} }} after {{ {STATE} }} }} }} }}"""
REROUTE = "mutation($i: RerouteReportInput!) { rerouteReport(input: $i) { errors { code } } }"


def state(status: str, agency: str, category: str) -> dict[str, object]:
    return {"status": status, "agency": {"code": agency}, "category": {"code": category}}


async def test_events_keep_the_state_they_were_made_in(db: Database) -> None:
    dispatcher = await staff(Role.DISPATCHER, None, "Dispatcher")
    report_id = (await file_report(categoryCode="SAMPAH"))["id"]
    await move(report_id, ["ACKNOWLEDGED"], dispatcher)
    pkl = await Category.get(code="PKL_LIAR")
    await gql(
        REROUTE,
        {"i": {"id": report_id, "categoryId": to_global_id("Category", pkl.id), "reason": "salah dinas"}},
        principal=dispatcher,
    )

    timeline = (await gql(TIMELINE, {"id": report_id}, principal=dispatcher))["report"]["timeline"]

    assert timeline == [
        {"kind": "FILED", "before": None, "after": state("SUBMITTED", "DLH", "SAMPAH")},
        {
            "kind": "STATUS_CHANGED",
            "before": state("SUBMITTED", "DLH", "SAMPAH"),
            "after": state("ACKNOWLEDGED", "DLH", "SAMPAH"),
        },
        {
            "kind": "REROUTED",
            "before": state("ACKNOWLEDGED", "DLH", "SAMPAH"),
            "after": state("ACKNOWLEDGED", "SATPOLPP", "PKL_LIAR"),
        },
    ]
