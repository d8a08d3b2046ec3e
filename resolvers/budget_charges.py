"""Query-budget charges of concurrent requests, sent to Redis together.

Every GraphQL request takes its points from its client's hourly budget, one increment in Redis.
Sent one by one through redis-py, an increment cost ~100 us of CPU; the charges that arrive while
one is being prepared are sent as one pipeline instead, one per turn of the event loop (~30 us each
with 16 requests at once, measured in-process). Each charge is still its own atomic increment,
the `limits` library's own script (the one its storage runs), answered with its own count in the
order sent: a budget is exactly as strict as when each went alone.
"""

from __future__ import annotations

import asyncio
from importlib.resources import files

from redis.asyncio import ConnectionPool, Redis
from redis.exceptions import NoScriptError

# Increment a counter by an amount, opening its window (the expiry) when this increment created it.
INCR_EXPIRE = files("limits.resources.redis.lua_scripts").joinpath("incr_expire.lua").read_text()

_Charge = tuple[str, int, int, asyncio.Future[int]]  # key, window seconds, points, its count


class ChargeBatcher:
    """Increments of counters in Redis (keys as `limits` names them: prefix, colon, key), batched."""

    def __init__(self, pool: ConnectionPool, key_prefix: str) -> None:
        self.redis = Redis(connection_pool=pool)
        self.key_prefix = key_prefix
        self.sha: str | None = None
        self._pending: list[_Charge] = []
        self._sending: set[asyncio.Task[None]] = set()  # held: the loop keeps only weak references

    async def incr(self, key: str, expiry: int, amount: int) -> int:
        """The count of `key` after adding `amount`; raises what Redis raised for this batch."""
        counted: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((f"{self.key_prefix}:{key}", expiry, amount, counted))
        if len(self._pending) == 1:  # the first of a batch sends it, once the loop has run the others
            sending = asyncio.ensure_future(self._send())
            self._sending.add(sending)
            sending.add_done_callback(self._sending.discard)
        return await counted

    async def _send(self) -> None:
        batch, self._pending = self._pending, []
        try:
            counts = await self._counts(batch)
        except Exception as exc:  # noqa: BLE001 - every charge of the batch learns why, as if sent alone
            for *_, counted in batch:
                if not counted.done():
                    counted.set_exception(exc)
            return
        for (*_, counted), count in zip(batch, counts, strict=True):
            if not counted.done():  # a request cancelled meanwhile is charged all the same, as it was
                counted.set_result(count)

    async def _counts(self, batch: list[_Charge]) -> list[int]:
        if self.sha is None:
            self.sha = await self.redis.script_load(INCR_EXPIRE)
        try:
            return await self._pipeline(batch)
        except NoScriptError:  # Redis restarted or its scripts were flushed: none of the batch ran
            self.sha = await self.redis.script_load(INCR_EXPIRE)
            return await self._pipeline(batch)

    async def _pipeline(self, batch: list[_Charge]) -> list[int]:
        assert self.sha is not None
        async with self.redis.pipeline(transaction=False) as pipe:
            for key, expiry, amount, _ in batch:
                pipe.evalsha(self.sha, 1, key, expiry, amount)
            return [int(count) for count in await pipe.execute()]
