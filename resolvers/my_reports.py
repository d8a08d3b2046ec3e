"""A signed-in citizen's own reports: those they filed, follow or support, and what happened on
each since they last looked (a per-user marker per report)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from tortoise.expressions import Q, Subquery

from models import EventKind, ModerationState, Report, ReportEvent, ReportFollower, ReportSeen, ReportSupport
from resolvers.errors import ErrorCode, fail
from resolvers.identity import Principal
from resolvers.raw_sql import default_connection, fetch
from resolvers.timeline import utcnow


class ReportRelation(StrEnum):
    FILED = "FILED"
    FOLLOWED = "FOLLOWED"
    SUPPORTED = "SUPPORTED"


@dataclass(frozen=True)
class RelatedTo:
    """Reports with this relation to this user."""

    user_id: int
    relation: ReportRelation

    def condition(self) -> Q:
        if self.relation is ReportRelation.FILED:
            return Q(reporter_id=self.user_id)
        model = ReportFollower if self.relation is ReportRelation.FOLLOWED else ReportSupport
        return Q(id__in=Subquery(model.filter(user_id=self.user_id).values("report_id")))


# What a citizen is told about: the city's work on the report and its conversation. Engagement
# (support, following), ratings, escalations (a staff matter) and place changes are not updates;
# internal notes are never shown. Every kind is on one side (tests/test_my_reports.py checks).
UPDATE_KINDS = frozenset(
    {
        EventKind.STATUS_CHANGED,
        EventKind.ASSIGNED,
        EventKind.REROUTED,
        EventKind.COMMENTED,
        EventKind.DUPLICATE_MERGED,
        EventKind.PHOTO_ADDED,
        EventKind.PHOTO_REMOVED,
    }
)
NOT_UPDATES = frozenset(
    {
        EventKind.FILED,
        EventKind.INTERNAL_NOTE,
        EventKind.SUPPORTED,
        EventKind.FOLLOWED,
        EventKind.UNFOLLOWED,
        EventKind.ESCALATED,
        EventKind.RATED,
        EventKind.PLACE_CHANGED,
        EventKind.MODERATED,  # what changed shows in the report itself
    }
)


_KINDS_SQL = ", ".join(f"'{kind.value}'" for kind in sorted(UPDATE_KINDS))
# The events of `e` that are news to user {user}: updates after their marker, not their own doing.
# The SQL text is ours (enum values and placeholders), never input.
_UNREAD_FROM = (
    "FROM report_events e "
    "LEFT JOIN report_seen s ON s.report_id = e.report_id AND s.user_id = {user} "
    f"WHERE e.kind IN ({_KINDS_SQL}) AND e.is_internal = {{internal}} "
    "AND e.id > COALESCE(s.last_event_id, 0) AND (e.actor_id IS NULL OR e.actor_id <> {user}) "
    # a comment a moderator hid is no news to anyone it is hidden from (resolvers.privacy)
    f"AND COALESCE(e.moderation, '') <> '{ModerationState.HIDDEN.value}'"
)


async def unread_counts(pairs: Sequence[tuple[int, int]]) -> list[int]:
    """Updates on each (report, user) pair after the user's marker and not made by the user;
    batched for a DataLoader: one query per user (in practice one per request)."""
    counts: dict[tuple[int, int], int] = {}
    for user_id in sorted({u for _, u in pairs}):
        report_ids = sorted({r for r, u in pairs if u == user_id})
        placeholders = ", ".join(f"{{r{n}}}" for n in range(len(report_ids)))
        rows = await fetch(
            default_connection(),
            f"SELECT e.report_id AS report_id, COUNT(*) AS n {_UNREAD_FROM} "
            f"AND e.report_id IN ({placeholders}) GROUP BY e.report_id",
            user=user_id,
            internal=False,
            **{f"r{n}": report_id for n, report_id in enumerate(report_ids)},
        )
        counts.update({(int(row["report_id"]), user_id): int(row["n"]) for row in rows})
    return [counts.get(pair, 0) for pair in pairs]


async def unread_total(user_id: int) -> int:
    """News on every report the user follows: those they filed (unless they muted it) and those
    they follow. Supporting is not following."""
    rows = await fetch(
        default_connection(),
        f"SELECT COUNT(*) AS n {_UNREAD_FROM} AND e.report_id IN ("  # noqa: S608
        "SELECT id FROM reports WHERE reporter_id = {user} AND reporter_follows = {follows} "
        "UNION SELECT report_id FROM report_followers WHERE user_id = {user})",
        user=user_id,
        internal=False,
        follows=True,
    )
    return int(rows[0]["n"]) if rows else 0


async def mark_seen(report_id: int, principal: Principal) -> Report:
    """Move the caller's marker to the report's newest event: nothing is unread after this."""
    user = principal.user
    if user is None:
        raise fail(ErrorCode.UNAUTHENTICATED, "Masuk terlebih dahulu", "Sign in first")
    report = await Report.filter(id=report_id).first()
    if report is None:
        raise fail(ErrorCode.NOT_FOUND, "Laporan tidak ditemukan", "Report not found", "id")
    newest = await ReportEvent.filter(report_id=report_id).order_by("-id").first()
    latest = newest.id if newest else 0
    now = utcnow()
    marker, created = await ReportSeen.get_or_create(
        report_id=report_id, user_id=user.id, defaults={"last_event_id": latest, "seen_at": now}
    )
    if not created and marker.last_event_id < latest:  # never backwards: a late request keeps the newer
        marker.last_event_id, marker.seen_at = latest, now
        await marker.save(update_fields=["last_event_id", "seen_at"])
    return report
