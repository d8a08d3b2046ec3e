"""The per-request context: who is asking (the principal), the service area, per-request DataLoaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader

from models import User
from resolvers import (
    directory_queries,
    engagement_queries,
    my_reports,
    photo_queries,
    report_counts,
    report_queries,
)
from resolvers.identity import ANONYMOUS, Principal
from resolvers.photo_storage import PhotoStorage
from resolvers.photo_urls import PhotoUrls
from resolvers.service_area import ServiceArea, kupang_service_area
from resolvers.tokens import TokenSigner
from schema.live import LiveFeed, NoLiveFeed

if TYPE_CHECKING:
    from schema.operation_limits import Admission

K = TypeVar("K")
V = TypeVar("V")


def _loader(fetch: Callable[[Sequence[K]], Awaitable[Sequence[V]]]) -> DataLoader[K, V]:
    async def load(keys: list[K]) -> Sequence[V]:
        return await fetch(keys)

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    """One DataLoader per (model, key); made per request so nothing leaks between callers."""

    agency: DataLoader[int, Any] = field(default_factory=lambda: _loader(directory_queries.agencies_by_id))
    category: DataLoader[int, Any] = field(
        default_factory=lambda: _loader(directory_queries.categories_by_id)
    )
    area: DataLoader[int, Any] = field(default_factory=lambda: _loader(directory_queries.areas_by_id))
    user: DataLoader[int, Any] = field(default_factory=lambda: _loader(directory_queries.users_by_id))
    report: DataLoader[int, Any] = field(default_factory=lambda: _loader(report_queries.reports_by_id))
    events: DataLoader[int, Any] = field(default_factory=lambda: _loader(report_queries.events_by_report))
    photos: DataLoader[int, Any] = field(default_factory=lambda: _loader(photo_queries.photos_by_report))
    agency_report_counts: DataLoader[int, report_counts.ReportCounts] = field(
        default_factory=lambda: _loader(report_counts.counts_by_agency)
    )
    category_report_counts: DataLoader[int, report_counts.ReportCounts] = field(
        default_factory=lambda: _loader(report_counts.counts_by_category)
    )
    area_report_counts: DataLoader[int, report_counts.ReportCounts] = field(
        default_factory=lambda: _loader(report_counts.counts_by_area)
    )
    support_count: DataLoader[int, int] = field(
        default_factory=lambda: _loader(engagement_queries.support_counts)
    )
    supported_by: DataLoader[tuple[int, int], bool] = field(
        default_factory=lambda: _loader(engagement_queries.supported_by)
    )
    followed_by: DataLoader[tuple[int, int], bool] = field(
        default_factory=lambda: _loader(engagement_queries.followed_by)
    )
    unread_updates: DataLoader[tuple[int, int], int] = field(
        default_factory=lambda: _loader(my_reports.unread_counts)
    )
    _known: dict[str, dict[int, Any]] = field(default_factory=dict)

    async def prefetch(self, kind: str, ids: Iterable[int]) -> None:
        """Load rows in one batch and keep them for `now_or_later`, so that list items can
        resolve these fields synchronously: no task and no gather per item."""
        wanted = sorted(set(ids))
        rows = await getattr(self, kind).load_many(wanted)
        self._known.setdefault(kind, {}).update(zip(wanted, rows, strict=True))

    def known_rows(self, kind: str) -> list[Any]:
        return [row for row in self._known.get(kind, {}).values() if row is not None]

    def now_or_later(self, kind: str, pk: int, convert: Callable[[Any], V]) -> V | Awaitable[V]:
        """The converted row: at once if prefetched, else an awaitable through the DataLoader."""
        row = self._known.get(kind, {}).get(pk)
        if row is not None:
            return convert(row)
        loader: DataLoader[int, Any] = getattr(self, kind)

        async def later() -> V:
            return convert(await loader.load(pk))

        return later()


@dataclass
class CachePolicy:
    """What the answer being computed depends on, besides the query and the data.

    Resolvers of time-dependent fields lower `valid_until`; resolvers whose answer depends on
    anything else (the clock in a filter, the caller) clear `cacheable`.
    """

    cacheable: bool = True
    valid_until: datetime | None = None

    def expires_at(self, moment: datetime) -> None:
        if self.valid_until is None or moment < self.valid_until:
            self.valid_until = moment


@dataclass
class Context:
    request: Any = None
    response: Any = None
    principal: Principal = ANONYMOUS
    service_area: ServiceArea = field(default_factory=kupang_service_area)
    timezone: str = "Asia/Makassar"  # the city's calendar, for daily figures
    loaders: Loaders = field(default_factory=Loaders)
    cache_policy: CachePolicy = field(default_factory=CachePolicy)
    tokens: TokenSigner | None = None
    photo_storage: PhotoStorage | None = None  # unset: requests carrying photos fail
    photo_urls: PhotoUrls = field(default_factory=PhotoUrls)
    # Reports whose anonymous filer proved their tracking token in this request.
    tracked_report_ids: set[int] = field(default_factory=set)
    live: LiveFeed = field(default_factory=NoLiveFeed)
    # The request came from Sigap's gateway (its GATEWAY_TOKEN): in production only the gateway
    # may call a subgraph's federation fields, `_service` and `_entities`.
    via_gateway: bool = False
    # Set once the operation is admitted (schema.operation_limits): its cost and the budget left.
    admission: Admission | None = None
    # Work to do only for admitted operations, just before they execute (no SQL for refused ones).
    on_admitted: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def viewer(self) -> User | None:
        return self.principal.user

    @property
    def visibility(self) -> str:
        """Answers are cached, and live executions shared, per visibility."""
        return self.principal.visibility


Info = strawberry.Info[Context, None]
