"""How much each client may do over time: rate limits on actions, and query budgets in points.

Counted with the `limits` library: in this process's memory on the embedded default, in Redis
when REDIS_URL is set so that every process shares the same counts. Rate limits use a moving
window (a burst at the turn of a minute is still one minute's worth); budgets use a fixed hour
window with a reset time, as GitHub's API does. When Redis cannot be reached, limits fail open
(the request goes on and a warning is logged): an outage of the counter must not stop the city
from filing reports.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from cachetools import LRUCache
from limits import RateLimitItem, RateLimitItemPerHour, parse_many
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from prometheus_client import Counter
from redis.asyncio import ConnectionPool
from redis.exceptions import RedisError

from resolvers.budget_charges import ChargeBatcher
from resolvers.errors import ErrorCode, fail

log = logging.getLogger("sigap.limits")

# Exposed at /metrics (server/observability): refusals by limit, "query_budget" for spent budgets.
REFUSALS = Counter("sigap_rate_limit_refusals_total", "Actions refused by a rate limit or budget", ["limit"])

# Per client (the account or key, else the device id an app sends, else the address). A phone
# filing a report a minute is plenty; an address shared by many phones (carrier NAT) still fits a
# busy street's worth. Limits "per address" bound what a caller can widen by sending a new device
# id with each request.
DEFAULT_RATE_LIMITS: dict[str, str] = {
    "file_report": "10/minute;100/hour",
    # All filings from one address: loose, since a carrier's NAT puts many phones behind one.
    "file_report_per_address": "120/minute;2000/hour",
    "sign_in": "10/minute;50/hour",
    "sign_in_per_address": "30/minute;300/hour",
    # Failed sign-ins to one account from one address: progressively longer waits (3 failures
    # within 10 s, 5 within a minute, ...). Keyed by account AND source, so that strangers'
    # failures never lock the owner out; a success clears them.
    "sign_in_failures": "3/10 seconds;5/minute;10/15 minutes;30/day",
    # Registrations (before anything is written): per device, per address (loose: carrier NAT),
    # and per email (a mailbox is not flooded with codes).
    "register": "3/hour;10/day",
    "register_per_address": "20/hour;100/day",
    "register_per_email": "3/hour;10/day",
    # Flags on content (resolvers.flags): enough for a citizen who reads a lot, not for a campaign.
    "flag_content": "10/minute;50/day",
    # Password-reset mails, alike for known and unknown emails: per device, per address (loose:
    # carrier NAT) and per email (a mailbox is not flooded, a victim's inbox not spammed).
    "password_reset": "5/hour;20/day",
    "password_reset_per_address": "20/hour;100/day",
    "password_reset_per_email": "3/hour;10/day",
}


@dataclass(frozen=True)
class BudgetState:
    allowed: bool
    limit: int
    remaining: int | None  # None: the counter could not be reached
    reset_at: datetime

    @property
    def retry_after(self) -> int:
        """Whole seconds until the budget is full again."""
        return max(1, math.ceil(self.reset_at.timestamp() - time.time()))


class _Counters:
    def __init__(
        self,
        storage: Storage,
        rate_limits: Mapping[str, str],
        pool: ConnectionPool | None = None,
        charges: ChargeBatcher | None = None,
    ) -> None:
        self.storage = storage
        self.pool = pool  # ours to close: the limits library does not close its Redis clients
        self.charges = charges  # budgets' increments in Redis, batched; else the storage's own
        self.moving = MovingWindowRateLimiter(storage)
        self.rate_limits = {name: parse_many(text) for name, text in rate_limits.items()}
        # When each budget's current window ends, as this process last learned it. A window is
        # opened by the increment that finds no count (it sets the expiry: the count equals the
        # cost) and lasts until it expires, so a known end is right until it passes; only budgets
        # whose window another process opened cost a second round trip, once per window.
        self.window_ends: LRUCache[str, float] = LRUCache(maxsize=10_000)

    async def window_end(self, key: str, *, opened_for: int | None) -> float:
        """When the window of `key` ends; `opened_for`: the seconds of the window this hit opened."""
        now = time.time()
        if opened_for is not None:
            ends = now + opened_for
        else:
            known = self.window_ends.get(key)
            ends = known if known is not None and known > now else await self.storage.get_expiry(key)
        self.window_ends[key] = ends
        return ends


_counters = _Counters(MemoryStorage(), DEFAULT_RATE_LIMITS)


def configure(
    redis_url: str | None = None,
    rate_limits: Mapping[str, str] | None = None,
    *,
    key_prefix: str = "sigap-limits",
) -> None:
    """Count in Redis at `redis_url` (shared by every process), else in memory."""
    global _counters
    limits = {**DEFAULT_RATE_LIMITS, **(rate_limits or {})}
    if not redis_url:
        _counters = _Counters(MemoryStorage(), limits)
        return
    pool = ConnectionPool.from_url(redis_url, socket_timeout=2, socket_connect_timeout=2)
    storage = storage_from_string(
        "async+" + redis_url,
        implementation="redispy",
        key_prefix=key_prefix,
        wrap_exceptions=True,
        connection_pool=pool,  # type: ignore[arg-type]  # passed through to redis-py as is
    )
    assert isinstance(storage, Storage)
    _counters = _Counters(storage, limits, pool, ChargeBatcher(pool, key_prefix))


async def close() -> None:
    """Close the Redis connections of the counters (on shutdown, or before configuring anew)."""
    if _counters.charges is not None:
        await _counters.charges.close()
    if _counters.pool is not None:
        await _counters.pool.aclose()


def parse_rate_limit(text: str) -> str:
    """`text` if the limits library can read it (e.g. "10/minute;100/hour"), else ValueError."""
    parse_many(text)
    return text


async def check(limit: str, *identities: str) -> None:
    """Count one `limit` action (a key of DEFAULT_RATE_LIMITS) for each identity, or raise
    RATE_LIMITED with the seconds to wait when any window of any identity is full. A refused
    action is not counted, so the wait is the real one (a flood does not lengthen it)."""
    await check_all(*((limit, identity) for identity in identities))


async def check_all(*counted: tuple[str, str], count: bool = True) -> None:
    """`check` for several (limit, identity) pairs at once: all are counted, or none (refused).
    With `count=False`, only refuse when one is full (for counts of failures, made afterwards
    with `record`)."""
    counters = _counters
    windows = [(item, limit, identity) for limit, identity in counted for item in counters.rate_limits[limit]]
    try:
        full = [w for w in windows if not await counters.moving.test(*w)]
        if not full and count:
            full = [w for w in windows if not await counters.moving.hit(*w)]
        if not full:
            return
        resets = [(await counters.moving.get_window_stats(*w)).reset_time for w in full]
    except StorageError as exc:
        log.warning("rate limits %s not counted, storage unreachable: %r", counted, exc)
        return
    wait = max(1, math.ceil(max(resets) - time.time()))
    REFUSALS.labels(full[0][1]).inc()  # one refusal, named by the first full limit
    raise fail(
        ErrorCode.RATE_LIMITED,
        f"Terlalu banyak permintaan; coba lagi dalam {wait} detik",
        f"Too many requests; try again in {wait} seconds",
        retry_after=wait,
    )


async def record(limit: str, identity: str) -> None:
    """Count one `limit` action that already happened (a failed sign-in), full windows or not."""
    await _each_window(limit, identity, _counters.moving.hit)


async def forget(limit: str, identity: str) -> None:
    """Clear the counts of `limit` for `identity` (failures, after a success)."""
    await _each_window(limit, identity, _counters.moving.clear)


async def _each_window(
    limit: str, identity: str, action: Callable[[RateLimitItem, str, str], Awaitable[object]]
) -> None:
    try:
        for item in _counters.rate_limits[limit]:
            await action(item, limit, identity)
    except StorageError as exc:
        log.warning("rate limit %s not updated, storage unreachable: %r", limit, exc)


async def spend(identity: str, points: int, points_per_hour: int) -> BudgetState:
    """Take `points` from the hourly budget of `identity`; `allowed` is False when it ran out.

    One round trip to the counter in the steady state, shared with the requests charging at the same
    moment (resolvers.budget_charges): the count comes back from the increment itself, and the
    window's end is known from the hit that opened it (see `_Counters.window_ends`)."""
    counters = _counters
    item = _hourly(points_per_hour)
    key = item.key_for("budget", identity)
    try:
        if counters.charges is not None:
            count = await counters.charges.incr(key, item.get_expiry(), points)
        else:
            count = await counters.storage.incr(key, item.get_expiry(), amount=points)
        ends = await counters.window_end(key, opened_for=item.get_expiry() if count == points else None)
    except (StorageError, RedisError, OSError) as exc:
        log.warning("query budget not counted, storage unreachable: %r", exc)
        return BudgetState(True, points_per_hour, None, datetime.fromtimestamp(time.time() + 3600, UTC))
    allowed = count <= points_per_hour
    if not allowed:
        REFUSALS.labels("query_budget").inc()
    return BudgetState(
        allowed, points_per_hour, max(0, points_per_hour - count), datetime.fromtimestamp(ends, UTC)
    )


@lru_cache(maxsize=64)
def _hourly(points: int) -> RateLimitItem:
    return RateLimitItemPerHour(points)


async def reset() -> None:
    """Forget every count (tests; an operator after an incident)."""
    await _counters.storage.reset()
    _counters.window_ends.clear()
