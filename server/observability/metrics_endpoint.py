"""GET /metrics: the Prometheus exposition of this process, for the operators' scraper only.

Who may read it: in development, anyone who reaches the port; with METRICS_TOKEN set, only a
caller presenting `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise); in production without
METRICS_TOKEN, nobody (404): operation names, error rates and live counts map the service for an
attacker, so they are opt-in where the port is reachable.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from tortoise import Tortoise

from models import ReportEvent
from server.response_cache import ResponseCache
from server.settings import Settings

log = logging.getLogger("sigap.metrics")

# What the live feed's snapshot (server.live.service) holds that only ever grows; the rest are levels.
LIVE_TOTALS = {"dropped", "executions", "deliveries"}


@dataclass
class ProcessState:
    """Levels read at scrape time from this process and its database."""

    live: dict[str, int] = field(default_factory=dict)
    cache: ResponseCache | None = None
    unpublished_events: int | None = None
    relay_lag_seconds: float | None = None
    pool: dict[str, int] = field(default_factory=dict)


class ProcessStateCollector(Collector):
    def __init__(self, state: ProcessState) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        state = self.state
        for key, value in state.live.items():
            if key in LIVE_TOTALS:
                yield CounterMetricFamily(f"sigap_live_{key}", f"Live feed: {key} since start", value=value)
            else:
                yield GaugeMetricFamily(f"sigap_live_{key}", f"Live feed: {key} now", value=value)
        if state.cache is not None:
            yield CounterMetricFamily(
                "sigap_response_cache_hits", "Answers served from the cache", value=state.cache.hits
            )
            # ResponseCache counts a miss only where it held a stale entry (first computations are
            # not misses there): operations_total of queries minus hits gives every computed answer.
            yield CounterMetricFamily(
                "sigap_response_cache_stale",
                "Cached answers found stale and recomputed",
                value=state.cache.misses,
            )
            yield GaugeMetricFamily(
                "sigap_response_cache_bytes", "Bytes of cached answers", value=state.cache.size
            )
        if state.unpublished_events is not None:
            yield GaugeMetricFamily(
                "sigap_relay_unpublished_events",
                "Committed report events not yet on the bus",
                value=state.unpublished_events,
            )
        if state.relay_lag_seconds is not None:
            yield GaugeMetricFamily(
                "sigap_relay_lag_seconds",
                "Age of the oldest committed event not yet on the bus (0 when none waits)",
                value=state.relay_lag_seconds,
            )
        for key, value in state.pool.items():
            yield GaugeMetricFamily(f"sigap_db_pool_{key}", f"Database connection pool: {key}", value=value)


async def read_process_state(request: Request) -> ProcessState:
    live = getattr(request.app.state, "live", None)
    view = getattr(request.app.state, "graphql_view", None)
    state = ProcessState(live=live.snapshot() if live is not None else {}, cache=getattr(view, "cache", None))
    try:
        unpublished = ReportEvent.filter(published_at__isnull=True)
        state.unpublished_events = await unpublished.count()
        oldest = await unpublished.order_by("id").first()
        now = datetime.now(UTC)
        state.relay_lag_seconds = max(0.0, (now - oldest.created_at).total_seconds()) if oldest else 0.0
    except Exception as exc:  # noqa: BLE001 - the database down shows as missing series and in /ready
        log.warning("metrics: the relay's backlog could not be read: %r", exc)
    state.pool = pool_use()
    return state


def pool_use() -> dict[str, int]:
    """asyncpg's pool as Tortoise holds it (PostgreSQL); SQLite has one connection and no pool."""
    try:
        pool = getattr(Tortoise.get_connection("default"), "_pool", None)
    except Exception:  # noqa: BLE001 - not connected yet
        return {}
    if pool is None or not hasattr(pool, "get_size"):
        return {}
    size, idle = pool.get_size(), pool.get_idle_size()
    return {"size": size, "in_use": size - idle, "max": pool.get_max_size()}


def metrics_allowed(request: Request, settings: Settings) -> bool | None:
    """True to serve, False for 401, None for 404 (metrics off)."""
    if settings.metrics_token:
        presented = request.headers.get("authorization", "")
        expected = f"Bearer {settings.metrics_token}"
        return hmac.compare_digest(presented.encode(), expected.encode())
    return None if settings.is_production else True


async def metrics(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    allowed = metrics_allowed(request, settings)
    if allowed is None:
        return PlainTextResponse("Not Found", status_code=404)
    if not allowed:
        return PlainTextResponse("Unauthorized", status_code=401, headers={"www-authenticate": "Bearer"})
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every worker's counters, from their shared files
    else:
        registry.register(_Everything())
    registry.register(ProcessStateCollector(await read_process_state(request)))
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


class _Everything(Collector):
    """The process's default registry (counters, histograms, the process collector)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()
