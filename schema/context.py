"""The per-request context: who is asking, the service area, and per-request DataLoaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import strawberry
from strawberry.dataloader import DataLoader

from models import User
from resolvers import directory_queries, report_queries
from resolvers.geo import KUPANG_SERVICE_AREA, BoundingBox
from schema.live import LiveFeed, NoLiveFeed

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


@dataclass
class Context:
    request: Any = None
    response: Any = None
    viewer: User | None = None
    service_area: BoundingBox = KUPANG_SERVICE_AREA
    loaders: Loaders = field(default_factory=Loaders)
    # Who may see what. Everyone sees the same today; shared live executions are keyed by it,
    # so that visibility classes (privacy) only have to fill it in.
    visibility: str = "public"
    live: LiveFeed = field(default_factory=NoLiveFeed)


Info = strawberry.Info[Context, None]
