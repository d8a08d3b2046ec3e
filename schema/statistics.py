"""`reportStatistics`: the command center's numbers over a time window, for staff and partners.

Who reads what (resolvers.permissions.statistics_agency_scope): city admins and dispatchers every
agency; officers and agency admins their own agency (the agency filter is forced to it); partners
holding the `stats:read` scope and the command center's display key the city's aggregates. The
league table ranks every agency for all of them: it is the public leaderboard of units.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

import strawberry

from models import IntakeChannel, ReportStatus, ResolutionOutcome
from resolvers import public_statistics, statistics
from resolvers.directory_queries import MAX_AGENCIES
from resolvers.identity import PrincipalKind
from resolvers.permissions import statistics_agency_scope
from resolvers.timeline import utcnow
from schema.context import Info
from schema.directory import Agency
from schema.ids import optional_global_id
from schema.query_cost import list_size

HOUR = 3600.0


@strawberry.type(description="Jumlah laporan per status / How many reports have one status")
class StatusCount:
    status: ReportStatus = strawberry.field(description="Status / Status")
    count: int = strawberry.field(description="Jumlah laporan / Number of reports")


@strawberry.type(description="Jumlah laporan per cara penutupan / How many reports closed one way")
class OutcomeCount:
    outcome: ResolutionOutcome = strawberry.field(description="Cara penutupan / How they were closed")
    count: int = strawberry.field(description="Jumlah laporan / Number of reports")


@strawberry.type(description="Jumlah laporan dari satu jalur masuk. / The reports of one intake channel.")
class ChannelCount:
    channel: IntakeChannel = strawberry.field(description="Jalur masuk / The intake channel")
    count: int = strawberry.field(description="Jumlah laporan / Number of reports")


@strawberry.type(description="Figures over the reports filed in the window")
class ReportFigures:
    filed: int = strawberry.field(description="Laporan masuk / Reports filed")
    by_status: list[StatusCount] = strawberry.field(
        description="Jumlah per status terkini / Count per current status",
        metadata=list_size(len(ReportStatus)),
    )
    by_outcome: list[OutcomeCount] = strawberry.field(
        description="How closed reports were closed: confirmed fixes apart from auto-closes and disputes",
        metadata=list_size(len(ResolutionOutcome)),
    )
    by_channel: list[ChannelCount] = strawberry.field(
        description="Laporan menurut jalur masuk (aplikasi, telepon, SMS, WhatsApp, loket, media sosial). / "
        "Reports by the channel they came through.",
        metadata=list_size(len(IntakeChannel)),
    )
    acknowledged: int = strawberry.field(description="Laporan yang diterima dinas / Reports acknowledged")
    acknowledged_within_target: int = strawberry.field(
        description="Diterima tepat waktu / Acknowledged by the target time"
    )
    resolved: int = strawberry.field(description="Laporan yang selesai / Reports resolved")
    resolved_within_target: int = strawberry.field(
        description="Resolved by the due time, not counting those closed despite the reporter's dispute"
    )
    resolved_within_target_share: float | None = strawberry.field(description="0..1 of `resolved`")
    median_hours_to_acknowledge: float | None = strawberry.field(
        description="Median jam sampai diterima; null tanpa data / "
        "Median hours to acknowledge; null without data"
    )
    median_hours_to_resolve: float | None = strawberry.field(
        description="Median jam sampai selesai; null tanpa data / Median hours to resolve; null without data"
    )
    ratings: int = strawberry.field(description="Jumlah penilaian pelapor / Number of reporter ratings")
    average_rating: float | None = strawberry.field(
        description="Rata-rata penilaian 1..5; null tanpa penilaian / "
        "Average rating 1..5; null without ratings"
    )
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
    day: date = strawberry.field(description="Tanggal (zona waktu kota) / The date (city time zone)")
    filed: int = strawberry.field(description="Laporan masuk hari itu / Reports filed that day")
    resolved: int = strawberry.field(description="Resolutions made that day")


@strawberry.type(description="Peringkat satu dinas dalam statistik / One agency's place in the statistics")
class AgencyStanding:
    rank: int = strawberry.field(description="Peringkat, mulai 1 / Rank, from 1")
    agency: Agency = strawberry.field(description="Dinas / The agency")
    figures: ReportFigures = strawberry.field(description="Angka dinas ini / This agency's figures")


@strawberry.type(description="The command center's numbers over a window of filing times")
class ReportStatistics:
    since: datetime = strawberry.field(description="Awal rentang / Start of the period")
    until: datetime = strawberry.field(description="Akhir rentang / End of the period")
    scope: strawberry.Private[statistics.Scope]
    league_scope: strawberry.Private[statistics.Scope]

    @strawberry.field(description="Angka seluruh rentang / Figures for the whole period")
    async def figures(self, info: Info) -> ReportFigures:
        return ReportFigures.from_figures(await statistics.totals(self.scope, now=utcnow()))

    @strawberry.field(
        description="Every day of the window, in the city's timezone",
        metadata=list_size(statistics.MAX_WINDOW.days + 2),  # a window's days, partial ones included
    )
    async def daily(self, info: Info) -> list[DailyFigures]:
        days = await statistics.daily_series(self.scope, info.context.timezone)
        return [DailyFigures(day=d.day, filed=d.filed, resolved=d.resolved) for d in days]

    @strawberry.field(
        description="Every agency ranked by its share resolved within target, then speed",
        metadata=list_size(MAX_AGENCIES),
    )
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
    since: datetime = strawberry.field(description="Awal rentang / Start of the window")
    until: datetime = strawberry.field(
        description="Saat angka dihitung (paling lama semenit lalu). / When they were computed (at most a "
        "minute ago)."
    )
    figures: ReportFigures = strawberry.field(description="Angka seluruh kota / The city's figures")
    daily: list[DailyFigures] = strawberry.field(
        description="Setiap hari dalam rentang, menurut zona waktu kota. / Every day, in the city's timezone",
        metadata=list_size(public_statistics.MAX_DAYS + 2),  # a window's days, partial ones included
    )
    by_agency: strawberry.Private[dict[int, statistics.Figures]]

    @strawberry.field(
        description="Peringkat dinas menurut bagian laporan yang selesai tepat waktu. / Agencies ranked by "
        "their share resolved within target, then speed.",
        metadata=list_size(MAX_AGENCIES),
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
        since: Annotated[
            datetime,
            strawberry.argument(description="Awal rentang (termasuk) / Start of the period (inclusive)"),
        ],
        until: Annotated[
            datetime,
            strawberry.argument(description="Akhir rentang (tidak termasuk) / End of the period (exclusive)"),
        ],
        agency_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Satu dinas saja / One agency only")
        ] = None,
        category_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Satu kategori saja / One category only")
        ] = None,
        area_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Satu wilayah saja / One area only")
        ] = None,
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
    async def public_statistics(
        self,
        info: Info,
        days: Annotated[
            int,
            strawberry.argument(description="Berapa hari terakhir (1..366) / How many recent days (1..366)"),
        ] = 30,
    ) -> PublicStatistics:
        city = await public_statistics.city_figures(days, info.context.timezone, now=utcnow())
        info.context.cache_policy.expires_at(city.until + public_statistics.FRESH_FOR)
        return PublicStatistics(
            since=city.since,
            until=city.until,
            figures=ReportFigures.from_figures(city.totals),
            daily=[DailyFigures(day=d.day, filed=d.filed, resolved=d.resolved) for d in city.daily],
            by_agency=city.by_agency,
        )
