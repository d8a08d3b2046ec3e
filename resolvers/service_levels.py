"""The periodic work on service levels: escalate reports that missed a target, and close resolved
reports whose reporter did not answer within the confirmation window.

Each change happens exactly once however many processes run the jobs at the same moment: every
batch is one conditional `UPDATE ... WHERE <still due> RETURNING id`, and the events are written
for the returned rows only, in the same transaction. On PostgreSQL a second, concurrent UPDATE
waits for the first one's row locks and then re-checks its WHERE against the committed row, which
no longer matches (the mark is set, the status moved); SQLite runs one writer at a time. The same
guard makes a job safe against a user's change to the same report (those lock the row too).

Every batch is one unit of work (resolvers.report_change): its events are written under the
commit-order lock and announced after commit, as a user's change's are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models import EscalationTarget, EventKind, ReportStatus, ResolutionOutcome
from models.lifecycle import CONFIRMATION_WINDOW, OPEN_STATUSES
from resolvers.raw_sql import fetch
from resolvers.report_change import ReportState, report_change
from resolvers.timeline import iso_8601, utcnow

BATCH = 500
_OPEN = ", ".join(f"'{status.value}'" for status in sorted(OPEN_STATUSES))
_STATE = "agency_id, category_id, area_id, status"  # what the events' as-of columns need

# target -> (the column marking it escalated, its due column, the statuses still owing it)
_TARGETS: dict[EscalationTarget, tuple[str, str, str]] = {
    EscalationTarget.ACKNOWLEDGE: ("acknowledge_escalated_at", "acknowledge_due_at", "'SUBMITTED'"),
    EscalationTarget.RESOLVE: ("due_escalated_at", "due_at", _OPEN),
}


@dataclass(frozen=True)
class JobRun:
    escalated: dict[EscalationTarget, int]
    auto_closed: int

    def __str__(self) -> str:
        parts = [f"escalated {n} past their {t.value.lower()} target" for t, n in self.escalated.items()]
        return ", ".join([*parts, f"closed {self.auto_closed} unanswered resolutions"])


async def run_periodic_jobs(now: datetime | None = None) -> JobRun:
    now = now or utcnow()
    escalated = {target: await escalate_overdue(target, now) for target in EscalationTarget}
    return JobRun(escalated=escalated, auto_closed=await close_unanswered_resolutions(now))


async def escalate_overdue(target: EscalationTarget, now: datetime) -> int:
    """Mark open reports past the target and write one ESCALATED event for each, once ever."""
    mark, due, statuses = _TARGETS[target]
    still_due = f"{mark} IS NULL AND status IN ({statuses}) AND {due} < {{now}}"
    total = 0
    while True:
        async with report_change() as change:
            rows = await fetch(
                change.connection,
                f"UPDATE reports SET {mark} = {{now}} WHERE {still_due} AND id IN "
                f"(SELECT id FROM reports WHERE {still_due} ORDER BY id LIMIT {BATCH}) "
                f"RETURNING id, {due} AS due, {_STATE}",
                now=now,
            )
            for row in rows:  # the UPDATE locked them; the status did not change
                state = _state(row, row["status"])
                await change.record_state(
                    row["id"],
                    EventKind.ESCALATED,
                    before=state,
                    after=state,
                    at=now,
                    data={"target": target.value, "dueAt": iso_8601(row["due"])},
                )
        total += len(rows)
        if len(rows) < BATCH:
            return total


async def close_unanswered_resolutions(now: datetime) -> int:
    """RESOLVED for longer than the window without the reporter's answer: CLOSED, with an outcome
    that keeps "nobody answered" apart from "disputed, then closed" and from a confirmed fix."""
    cutoff = now - CONFIRMATION_WINDOW
    still_due = f"status = '{ReportStatus.RESOLVED.value}' AND resolved_at < {{cutoff}}"
    outcome = (
        f"CASE WHEN dispute_count > 0 THEN '{ResolutionOutcome.CLOSED_DESPITE_DISPUTE.value}' "
        f"ELSE '{ResolutionOutcome.AUTO_CLOSED.value}' END"
    )
    total = 0
    while True:
        async with report_change() as change:
            rows = await fetch(
                change.connection,
                f"UPDATE reports SET status = '{ReportStatus.CLOSED.value}', closed_at = {{now}}, "
                f"updated_at = {{now}}, resolution_outcome = {outcome} WHERE {still_due} AND id IN "
                f"(SELECT id FROM reports WHERE {still_due} ORDER BY id LIMIT {BATCH}) "
                f"RETURNING id, resolution_outcome, {_STATE}",
                now=now,
                cutoff=cutoff,
            )
            for row in rows:
                await change.record_state(
                    row["id"],
                    EventKind.STATUS_CHANGED,
                    before=_state(row, ReportStatus.RESOLVED),
                    after=_state(row, ReportStatus.CLOSED),
                    at=now,
                    from_status=ReportStatus.RESOLVED,
                    to_status=ReportStatus.CLOSED,
                    data={"automatic": True, "outcome": row["resolution_outcome"]},
                )
        total += len(rows)
        if len(rows) < BATCH:
            return total


def _state(row: dict[str, Any], status: ReportStatus | str) -> ReportState:
    return ReportState(row["agency_id"], row["category_id"], row["area_id"], ReportStatus(status))
