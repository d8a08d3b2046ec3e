"""The per-request context: who is asking (the principal), the service area, per-request DataLoaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

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
from resolvers.vapid import WebPushConfig
from schema.live import LiveFeed, NoLiveFeed

if TYPE_CHECKING:
    from schema.operation_limits import Admission

K = TypeVar("K")
V = TypeVar("V")


def _loader(fetch: Callable[[Sequence[K]], Awaitable[Sequence[V]]]) -> DataLoader[K, V]:
    async def load(keys: list[K]) -> Sequence[V]:
        return await fetch(keys)

    return DataLoader(load_fn=load)


class PerRequest(Generic[K, V]):
    """A `Loaders` attribute: this request's DataLoader over `fetch`, made on first use."""

    def __init__(self, fetch: Callable[[Sequence[K]], Awaitable[Sequence[V]]]) -> None:
        self.fetch = fetch

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, loaders: Loaders, owner: type | None = None) -> DataLoader[K, V]:
        loader = _loader(self.fetch)
        loaders.__dict__[self.name] = loader  # found before this descriptor from now on
        return loader


class Loaders:
    """One DataLoader per (model, key); made per request so nothing leaks between callers, and
    each only when first used (a read uses one or two: making all of them cost ~40 us a request)."""

    agency: PerRequest[int, Any] = PerRequest(directory_queries.agencies_by_id)
    category: PerRequest[int, Any] = PerRequest(directory_queries.categories_by_id)
    area: PerRequest[int, Any] = PerRequest(directory_queries.areas_by_id)
    user: PerRequest[int, Any] = PerRequest(directory_queries.users_by_id)
    report: PerRequest[int, Any] = PerRequest(report_queries.reports_by_id)
    events: PerRequest[int, Any] = PerRequest(report_queries.events_by_report)
    event: PerRequest[int, Any] = PerRequest(report_queries.events_by_id)
    photos: PerRequest[int, Any] = PerRequest(photo_queries.photos_by_report)
    photo: PerRequest[int, Any] = PerRequest(photo_queries.photos_by_id)
    agency_report_counts: PerRequest[int, report_counts.ReportCounts] = PerRequest(
        report_counts.counts_by_agency
    )
    category_report_counts: PerRequest[int, report_counts.ReportCounts] = PerRequest(
        report_counts.counts_by_category
    )
    area_report_counts: PerRequest[int, report_counts.ReportCounts] = PerRequest(report_counts.counts_by_area)
    support_count: PerRequest[int, int] = PerRequest(engagement_queries.support_counts)
    supported_by: PerRequest[tuple[int, int], bool] = PerRequest(engagement_queries.supported_by)
    followed_by: PerRequest[tuple[int, int], bool] = PerRequest(engagement_queries.followed_by)
    unread_updates: PerRequest[tuple[int, int], int] = PerRequest(my_reports.unread_counts)

    def __init__(self) -> None:
        self._known: dict[str, dict[int, Any]] = {}

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
    web_push: WebPushConfig = field(default_factory=WebPushConfig)  # the VAPID key and endpoint allow-list
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
