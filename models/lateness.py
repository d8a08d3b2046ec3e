"""When a report is late: the one rule behind `isOverdue`, `lateFor`, the `overdue` filter and
every overdue count (directory counts, statistics).

A report is late while it still owes a target whose time has passed: the acknowledge target
while it is SUBMITTED (nobody has looked at it yet), the resolve target while it is open at all.
Past both, it is late for RESOLVE, the final promise to the citizen.
"""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import Q

from models.enums import EscalationTarget, ReportStatus
from models.lifecycle import OPEN_STATUSES

# The only status that still owes the acknowledge target.
AWAITING_ACKNOWLEDGEMENT = ReportStatus.SUBMITTED
_OPEN_SQL = ", ".join(f"'{s.value}'" for s in sorted(OPEN_STATUSES))

# The same rule as a SQL condition over the `reports` table, with the time as `{now}`.
LATE_SQL = (
    f"((status IN ({_OPEN_SQL}) AND due_at < {{now}}) "
    f"OR (status = '{AWAITING_ACKNOWLEDGEMENT.value}' AND acknowledge_due_at < {{now}}))"
)


def late_for(
    status: ReportStatus, acknowledge_due_at: datetime, due_at: datetime, now: datetime
) -> EscalationTarget | None:
    """The target a report is late for at `now`, or None when it is not late."""
    if status not in OPEN_STATUSES:
        return None
    if due_at < now:
        return EscalationTarget.RESOLVE
    if status == AWAITING_ACKNOWLEDGEMENT and acknowledge_due_at < now:
        return EscalationTarget.ACKNOWLEDGE
    return None


def next_turn(
    status: ReportStatus, acknowledge_due_at: datetime, due_at: datetime, now: datetime
) -> datetime | None:
    """When `late_for` changes its answer by the clock alone; None if it never will."""
    if status not in OPEN_STATUSES:
        return None
    deadlines = [due_at]
    if status == AWAITING_ACKNOWLEDGEMENT:
        deadlines.append(acknowledge_due_at)
    upcoming = [moment for moment in deadlines if moment >= now]
    return min(upcoming, default=None)


def late_condition(now: datetime) -> Q:
    """Reports late at `now`, as an ORM filter."""
    return Q(status__in=[s.value for s in OPEN_STATUSES], due_at__lt=now) | Q(
        status=AWAITING_ACKNOWLEDGEMENT.value, acknowledge_due_at__lt=now
    )


def turning_condition(now: datetime) -> tuple[Q, Q]:
    """Open reports whose resolve target, and SUBMITTED ones whose acknowledge target, is still
    ahead at `now`: the earliest of those deadlines is when an overdue count next changes."""
    return (
        Q(status__in=[s.value for s in OPEN_STATUSES], due_at__gte=now),
        Q(status=AWAITING_ACKNOWLEDGEMENT.value, acknowledge_due_at__gte=now),
    )
