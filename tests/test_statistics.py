"""The command center's numbers on a known set of reports: counts, medians, shares, ratings, the
daily series in Kupang's calendar, the league table, and who may read them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from models import Agency, Category, Report, ReportStatus, ResolutionOutcome, Role
from resolvers.identity import ANONYMOUS, Principal, PrincipalKind
from resolvers.public_code import new_public_code
from schema.ids import to_global_id
from tests.conftest import Database
from tests.graphql import citizen, gql, run, staff

T0 = datetime(2026, 3, 1, 0, 0, tzinfo=UTC)  # 08:00 on 1 March in Kupang (UTC+8)
H = timedelta(hours=1)
WINDOW = {"since": T0.isoformat(), "until": (T0 + timedelta(days=2)).isoformat()}

STATS = """query($since: DateTime!, $until: DateTime!, $agency: ID) {
  reportStatistics(since: $since, until: $until, agencyId: $agency) {
    figures { filed byStatus { status count } byOutcome { outcome count } acknowledged resolved
              resolvedWithinTarget resolvedWithinTargetShare medianHoursToAcknowledge medianHoursToResolve
              ratings averageRating openOverdue }
    daily { day filed resolved }
    league { rank agency { code } figures { filed resolvedWithinTargetShare medianHoursToResolve } }
  } }"""


async def _report(
    category_code: str,
    created: datetime,
    status: ReportStatus,
    *,
    acknowledged: timedelta | None = None,
    resolved: timedelta | None = None,
    outcome: ResolutionOutcome | None = None,
    rating: int | None = None,
) -> None:
    category = await Category.get(code=category_code)
    await Report.create(
        code=new_public_code(), title="Laporan", description="Isi", category=category,
        agency_id=category.agency_id, latitude=-10.17, longitude=123.607, public_latitude=-10.17,
        public_longitude=123.607, status=status, created_at=created, updated_at=created,
        acknowledged_at=created + acknowledged if acknowledged else None,
        resolved_at=created + resolved if resolved else None,
        acknowledge_due_at=created + timedelta(hours=category.response_hours),
        due_at=created + timedelta(hours=category.resolution_hours),
        resolution_outcome=outcome, rating=rating,
    )  # fmt: skip


@pytest.fixture
async def reports(db: Database) -> None:
    S, Out = ReportStatus, ResolutionOutcome
    # Trash (DLH): 24 h to acknowledge, 72 h to resolve. Congestion (DISHUB): 4 h to resolve.
    await _report(
        "SAMPAH", T0, S.CLOSED, acknowledged=1 * H, resolved=10 * H, outcome=Out.CONFIRMED, rating=5
    )
    await _report(
        "SAMPAH", T0 + H, S.CLOSED, acknowledged=3 * H, resolved=100 * H, outcome=Out.AUTO_CLOSED, rating=3
    )
    await _report("SAMPAH", T0 + 2 * H, S.IN_PROGRESS, acknowledged=2 * H)
    await _report("SAMPAH", T0 + 3 * H, S.SUBMITTED)
    await _report("KEMACETAN", T0, S.RESOLVED, acknowledged=H / 2, resolved=2 * H)
    await _report("PENGEMIS", T0 + 17 * H, S.SUBMITTED)  # 01:00 on 2 March in Kupang
    await _report("SAMPAH", T0 - H, S.SUBMITTED)  # before the window


async def _stats(principal: Principal, **variables: Any) -> dict[str, Any]:
    return (await gql(STATS, {**WINDOW, **variables}, principal=principal))["reportStatistics"]


def _nonzero(counts: list[dict[str, Any]], key: str) -> dict[str, int]:
    return {c[key]: c["count"] for c in counts if c["count"]}


async def test_city_figures(reports: None) -> None:
    stats = await _stats(await staff(Role.CITY_ADMIN, None, "Admin"))

    figures = stats["figures"]
    assert figures["filed"] == 6
    assert _nonzero(figures["byStatus"], "status") == {
        "CLOSED": 2,
        "IN_PROGRESS": 1,
        "SUBMITTED": 2,
        "RESOLVED": 1,
    }
    assert _nonzero(figures["byOutcome"], "outcome") == {"CONFIRMED": 1, "AUTO_CLOSED": 1}
    assert figures["acknowledged"] == 4
    assert figures["medianHoursToAcknowledge"] == pytest.approx(1.5)  # 0.5, 1, 2, 3
    assert figures["resolved"] == 3
    assert figures["medianHoursToResolve"] == pytest.approx(10)  # 2, 10, 100
    assert figures["resolvedWithinTarget"] == 2
    assert figures["resolvedWithinTargetShare"] == pytest.approx(2 / 3)
    assert (figures["ratings"], figures["averageRating"]) == (2, pytest.approx(4))
    assert figures["openOverdue"] == 3
    assert stats["daily"] == [
        {"day": "2026-03-01", "filed": 5, "resolved": 2},
        {"day": "2026-03-02", "filed": 1, "resolved": 0},
        {"day": "2026-03-03", "filed": 0, "resolved": 0},
    ]


async def test_league_ranks_agencies_by_share_within_target(reports: None) -> None:
    league = (await _stats(await staff(Role.DISPATCHER, "DLH", "Dispatcher")))["league"]

    assert [row["agency"]["code"] for row in league[:3]] == ["DISHUB", "DLH", "DINSOS"]
    assert [row["rank"] for row in league] == list(range(1, 8))
    assert league[0]["figures"] == pytest.approx(
        {"filed": 1, "resolvedWithinTargetShare": 1.0, "medianHoursToResolve": 2.0}
    )
    assert league[1]["figures"] == pytest.approx(
        {"filed": 4, "resolvedWithinTargetShare": 0.5, "medianHoursToResolve": 55.0}
    )


async def test_an_officer_reads_their_own_agency(reports: None) -> None:
    officer = await staff(Role.OFFICER, "DLH", "Yohanes")
    dishub = to_global_id("Agency", (await Agency.get(code="DISHUB")).id)

    figures = (await _stats(officer))["figures"]
    refused = await run(STATS, {**WINDOW, "agency": dishub}, principal=officer)

    assert figures["filed"] == 4
    assert figures["medianHoursToAcknowledge"] == pytest.approx(2)  # 1, 2, 3
    assert figures["medianHoursToResolve"] == pytest.approx(55)  # 10, 100
    assert refused.errors is not None
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"


PARTNER_STATS = Principal(
    kind=PrincipalKind.PARTNER, api_key_id=1, scopes=frozenset({"stats:read"}), client="k:1"
)
PARTNER_READ = Principal(
    kind=PrincipalKind.PARTNER, api_key_id=2, scopes=frozenset({"reports:read"}), client="k:2"
)
DISPLAY = Principal(kind=PrincipalKind.DISPLAY, api_key_id=3, scopes=frozenset(), client="k:3")


@pytest.mark.parametrize(
    ("who", "code"),
    [("partner with stats:read", None), ("display", None), ("partner without", "FORBIDDEN"),
     ("citizen", "FORBIDDEN"), ("anonymous", "UNAUTHENTICATED")],
)  # fmt: skip
async def test_who_reads_statistics(reports: None, who: str, code: str | None) -> None:
    principal = {
        "partner with stats:read": PARTNER_STATS,
        "display": DISPLAY,
        "partner without": PARTNER_READ,
        "anonymous": ANONYMOUS,
    }.get(who) or await citizen("Ani")

    result = await run(STATS, WINDOW, principal=principal)

    if code is None:
        assert result.errors is None
        assert result.data["reportStatistics"]["figures"]["filed"] == 6  # type: ignore[index]
    else:
        assert result.errors is not None
        assert result.errors[0].extensions["code"] == code


@pytest.mark.parametrize(
    "window",
    [{"since": "2026-03-02T00:00:00+00:00", "until": "2026-03-01T00:00:00+00:00"},
     {"since": "2025-01-01T00:00:00+00:00", "until": "2026-03-01T00:00:00+00:00"}],
)  # fmt: skip
async def test_bad_window_is_refused(db: Database, window: dict[str, str]) -> None:
    result = await run(STATS, window, principal=await staff(Role.CITY_ADMIN, None, "Admin"))
    assert result.errors is not None
    assert result.errors[0].extensions["code"] == "INVALID_WINDOW"
