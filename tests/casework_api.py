"""The casework operations as tests call them, and the moves that bring a report to a status."""

from __future__ import annotations

from typing import Any

from models import ReportEvent
from resolvers.identity import Principal
from schema.ids import from_global_id
from tests.graphql import UPDATE_STATUS, gql

CHANGE_FIELDS = (
    "report { id status resolutionOutcome disputeCount rating supportCount } "
    "event { id kind note data isInternal fromStatus toStatus } errors { code field }"
)


def _mutation(name: str, input_type: str) -> str:
    return f"mutation($i: {input_type}!) {{ {name}(input: $i) {{ {CHANGE_FIELDS} }} }}"


MUTATIONS = {
    "addComment": "AddCommentInput",
    "addInternalNote": "AddInternalNoteInput",
    "followReport": "FollowReportInput",
    "unfollowReport": "FollowReportInput",
    "supportReport": "SupportReportInput",
    "confirmResolution": "ResolutionAnswerInput",
    "disputeResolution": "DisputeResolutionInput",
    "moderateContent": "ModerateContentInput",
}


async def change(name: str, principal: Principal | None = None, **input: Any) -> dict[str, Any]:
    """Run one casework mutation; returns its payload (report, event, errors)."""
    data = await gql(_mutation(name, MUTATIONS[name]), {"i": input}, principal=principal)
    return data[name]


async def move(report_id: str, statuses: list[str], principal: Principal, **extra: Any) -> None:
    for status in statuses:
        payload = (
            await gql(
                UPDATE_STATUS, {"input": {"id": report_id, "status": status, **extra}}, principal=principal
            )
        )["updateReportStatus"]
        assert payload["errors"] == [], payload["errors"]


TO_RESOLVED = ["ACKNOWLEDGED", "IN_PROGRESS", "RESOLVED"]


async def event_kinds(report_id: str) -> list[str]:
    pk = from_global_id(report_id, "Report")
    return [e.kind.value for e in await ReportEvent.filter(report_id=pk).order_by("id")]
