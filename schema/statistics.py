"""`reportStatistics`: the command center's numbers over a time window, for staff and partners.

Who reads what (resolvers.permissions.statistics_agency_scope): city admins and dispatchers every
agency; officers and agency admins their own agency (the agency filter is forced to it); partners
holding the `stats:read` scope and the command center's display key the city's aggregates. The
league table ranks every agency for all of them: it is the public leaderboard of units.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import strawberry

from models import IntakeChannel, ReportStatus, ResolutionOutcome
from resolvers import public_statistics, statistics
from resolvers.identity import PrincipalKind
from resolvers.permissions import statistics_agency_scope
from resolvers.timeline import utcnow
from schema.context import Info
from schema.directory import Agency
from schema.ids import optional_global_id

HOUR = 3600.0


@strawberry.type
class StatusCount:
    status: ReportStatus
    count: int


@strawberry.type
class OutcomeCount:
    outcome: ResolutionOutcome
    count: int


@strawberry.type(description="Jumlah laporan dari satu jalur masuk. / The reports of one intake channel.")
class ChannelCount:
    channel: IntakeChannel
    count: int


@strawberry.type(description="Figures over the reports filed in the window")
class ReportFigures:
    filed: int
    by_status: list[StatusCount]
    by_outcome: list[OutcomeCount] = strawberry.field(
        description="How closed reports were closed: confirmed fixes apart from auto-closes and disputes"
    )
    by_channel: list[ChannelCount] = strawberry.field(
        description="Laporan menurut jalur masuk (aplikasi, telepon, SMS, WhatsApp, loket, media sosial). / "
        "Reports by the channel they came through."
    )
    acknowledged: int
    acknowledged_within_target: int
    resolved: int
    resolved_within_target: int = strawberry.field(
        description="Resolved by the due time, not counting those closed despite the reporter's dispute"
    )
    resolved_within_target_share: float | None = strawberry.field(description="0..1 of `resolved`")
    median_hours_to_acknowledge: float | None
    median_hours_to_resolve: float | None
    ratings: int
    average_rating: float | None
    open_overdue: int = strawberry.field(
        description="Late now, for acknowledgement or resolution (as `Report.isOverdue`)"
    )

    @classmethod
    def from_figures(cls, f: statistics.Figures) -> ReportFigures:
        return cls(
            filed=f.filed,
            by_status=[StatusCount(status=s, count=f.by_status.get(s, 0)) for s in ReportStatus],
            by_outcome=[OutcomeCount(outcome=o, count=f.by_outcome.get(o, 0)) for o in ResolutionOutcome],
            by_channel=[ChannelCount(channel=c, count=f.by_channel.get(c, 0)) for c in IntakeChannel],
            acknowledged=f.acknowledged,
            acknowledged_within_target=f.acknowledged_within_target,
            resolved=f.resolved,
            resolved_within_target=f.resolved_within_target,
            resolved_within_target_share=f.resolved_within_target / f.resolved if f.resolved else None,
            median_hours_to_acknowledge=_hours(f.median_seconds_to_acknowledge),
            median_hours_to_resolve=_hours(f.median_seconds_to_resolve),
            ratings=f.ratings,
            average_rating=f.average_rating,
            open_overdue=f.open_overdue,
        )


def _hours(seconds: float | None) -> float | None:
    return None if seconds is None else seconds / HOUR


@strawberry.type(description="One day of the city's calendar (Asia/Makassar for Kupang)")
class DailyFigures:
    day: date
    filed: int
    resolved: int = strawberry.field(description="Resolutions made that day")


@strawberry.type
class AgencyStanding:
    rank: int
    agency: Agency
    figures: ReportFigures


@strawberry.type(description="The command center's numbers over a window of filing times")
class ReportStatistics:
    since: datetime
    until: datetime
    scope: strawberry.Private[statistics.Scope]
    league_scope: strawberry.Private[statistics.Scope]

    @strawberry.field
    async def figures(self, info: Info) -> ReportFigures:
        return ReportFigures.from_figures(await statistics.totals(self.scope, now=utcnow()))

    @strawberry.field(description="Every day of the window, in the city's timezone")
    async def daily(self, info: Info) -> list[DailyFigures]:
        days = await statistics.daily_series(self.scope, info.context.timezone)
        return [DailyFigures(day=d.day, filed=d.filed, resolved=d.resolved) for d in days]

    @strawberry.field(description="Every agency ranked by its share resolved within target, then speed")
    async def league(self, info: Info) -> list[AgencyStanding]:
        return await _league(info, await statistics.figures_by(self.league_scope, "agency_id", now=utcnow()))


async def _league(info: Info, by_agency: dict[int, statistics.Figures]) -> list[AgencyStanding]:
    """Every agency (those without reports too), ranked."""
    agencies = await info.context.loaders.agency.load_many(await statistics.agency_ids())
    standings = [
        (row, ReportFigures.from_figures(by_agency.get(row["id"], statistics.Figures())))
        for row in agencies
        if row
    ]
    standings.sort(key=lambda pair: _league_key(pair[1], pair[0]["code"]))
    return [
        AgencyStanding(rank=rank, agency=Agency.from_row(row), figures=figures)
        for rank, (row, figures) in enumerate(standings, start=1)
    ]


@strawberry.type(
    description="Angka kota untuk siapa saja, tanpa data pribadi: laporan yang masuk dalam N hari "
    "terakhir. Dihitung paling sering sekali semenit. / The city's figures for anyone, without personal "
    "data: the reports filed in the last N days. Computed at most once a minute."
)
class PublicStatistics:
    since: datetime
    until: datetime = strawberry.field(
        description="Saat angka dihitung (paling lama semenit lalu). / When they were computed (at most a "
        "minute ago)."
    )
    figures: ReportFigures
    daily: list[DailyFigures] = strawberry.field(
        description="Setiap hari dalam rentang, menurut zona waktu kota. / Every day, in the city's timezone."
    )
    by_agency: strawberry.Private[dict[int, statistics.Figures]]

    @strawberry.field(
        description="Peringkat dinas menurut bagian laporan yang selesai tepat waktu. / Agencies ranked by "
        "their share resolved within target, then speed."
    )
    async def league(self, info: Info) -> list[AgencyStanding]:
        return await _league(info, self.by_agency)


def _league_key(figures: ReportFigures, code: str) -> tuple[float, float, int, str]:
    share = figures.resolved_within_target_share
    median = figures.median_hours_to_resolve
    return (
        -(share if share is not None else -1.0),
        median if median is not None else float("inf"),
        -figures.filed,
        code,
    )


@strawberry.type
class StatisticsQuery:
    @strawberry.field(
        description="Statistics of the reports filed in [since, until) (UTC, at most 366 days), optionally "
        "of one agency, category or area (a kecamatan with its kelurahan). Staff and partners with "
        "stats:read only; officers and agency admins see their own agency."
    )
    async def report_statistics(
        self,
        info: Info,
        since: datetime,
        until: datetime,
        agency_id: strawberry.ID | None = None,
        category_id: strawberry.ID | None = None,
        area_id: strawberry.ID | None = None,
    ) -> ReportStatistics:
        principal = info.context.principal
        agency = statistics_agency_scope(principal, optional_global_id(agency_id, "Agency", "agencyId"))
        window = statistics.Window(since, until)
        window.check()
        area = optional_global_id(area_id, "Area", "areaId")
        league_scope = statistics.Scope(
            window=window,
            category_id=optional_global_id(category_id, "Category", "categoryId"),
            area_ids=await statistics.area_with_children(area) if area is not None else (),
        )
        policy = info.context.cache_policy
        if principal.kind in {PrincipalKind.PARTNER, PrincipalKind.DISPLAY}:
            policy.cacheable = False  # keys share the anonymous visibility, which may not read these
        policy.expires_at(utcnow() + timedelta(minutes=1))  # `openOverdue` moves with the clock
        return ReportStatistics(
            since=since,
            until=until,
            scope=statistics.Scope(
                window=window,
                agency_id=agency,
                category_id=league_scope.category_id,
                area_ids=league_scope.area_ids,
            ),
            league_scope=league_scope,
        )

    @strawberry.field(
        description="Angka transparansi kota untuk siapa saja (tanpa masuk): laporan yang masuk dalam `days` "
        "hari terakhir (1..366), menurut status, hasil, jalur, waktu tanggap dan selesai, per hari dan per "
        "dinas. Tanpa data pribadi; dihitung paling sering sekali semenit. / The city's transparency "
        "figures for anyone (no sign-in): the reports filed in the last `days` days, by status, outcome, "
        "channel, times to respond and resolve, per day and per agency. No personal data; computed at most "
        "once a minute."
    )
    async def public_statistics(self, info: Info, days: int = 30) -> PublicStatistics:
        city = await public_statistics.city_figures(days, info.context.timezone, now=utcnow())
        info.context.cache_policy.expires_at(city.until + public_statistics.FRESH_FOR)
        return PublicStatistics(
            since=city.since,
            until=city.until,
            figures=ReportFigures.from_figures(city.totals),
            daily=[DailyFigures(day=d.day, filed=d.filed, resolved=d.resolved) for d in city.daily],
            by_agency=city.by_agency,
        )
