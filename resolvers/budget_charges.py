"""Query-budget charges of concurrent requests, sent to Redis together.

Every GraphQL request takes its points from its client's hourly budget, one increment in Redis.
Sent one by one through redis-py's client (its pool, retries and pipeline bookkeeping), each cost
~100 us of CPU. Here the charges go over one connection of their own, as ioredis's auto-pipelining
does: while one batch is on its way, the charges that arrive meanwhile wait, and go together as
the next batch, written at once and answered in order. Each charge is still its own atomic
increment, the `limits` library's own script (the one its storage runs), answered with its own
count: a budget is exactly as strict as when each went alone.
"""

from __future__ import annotations

import asyncio
import contextlib
from importlib.resources import files

from redis.asyncio import ConnectionPool
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError

# Increment a counter by an amount, opening its window (the expiry) when this increment created it.
INCR_EXPIRE = files("limits.resources.redis.lua_scripts").joinpath("incr_expire.lua").read_text()

_Charge = tuple[str, int, int, asyncio.Future[int]]  # key, window seconds, points, its count


class ChargeBatcher:
    """Increments of counters in Redis (keys as `limits` names them: prefix, colon, key), batched."""

    def __init__(self, pool: ConnectionPool, key_prefix: str) -> None:
        self.pool = pool  # for the settings of the connection (address, timeouts): not borrowed from
        self.key_prefix = key_prefix
        self.sha: str | None = None
        self._connection: AbstractConnection | None = None
        self._pending: list[_Charge] = []
        self._sender: asyncio.Task[None] | None = None  # held: the loop keeps only weak references
        self._loop: asyncio.AbstractEventLoop | None = None  # the one the connection and sender belong to

    async def incr(self, key: str, expiry: int, amount: int) -> int:
        """The count of `key` after adding `amount`; raises what Redis raised for it."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (a restarted server's, a test's): start afresh
            self._loop, self._connection, self._pending, self._sender = loop, None, [], None
        counted: asyncio.Future[int] = loop.create_future()
        self._pending.append((f"{self.key_prefix}:{key}", expiry, amount, counted))
        if self._sender is None or self._sender.done():
            self._sender = asyncio.ensure_future(self._send_while_pending())
        return await counted

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):  # closing: whatever state it was left in
                await connection.disconnect()

    async def _send_while_pending(self) -> None:
        await asyncio.sleep(0)  # the requests ready in this turn of the loop charge in the same batch
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                answers = await self._answers(batch)
            except Exception as exc:  # noqa: BLE001 - every charge of the batch learns why, as if sent alone
                answers = [exc] * len(batch)
                await self.close()  # what the connection still holds is not to be read as answers
            for (*_, counted), answer in zip(batch, answers, strict=True):
                if counted.done():  # a request cancelled meanwhile is charged all the same, as it was
                    continue
                if isinstance(answer, BaseException):
                    counted.set_exception(answer)
                else:
                    counted.set_result(int(answer))  # type: ignore[call-overload]  # Redis answers an integer

    async def _answers(self, batch: list[_Charge]) -> list[object]:
        connection = await self._connected()
        try:
            answers = await self._evaluate(connection, batch)
        except RedisConnectionError:  # closed since the last batch (Redis restarted, an idle timeout): once
            await self.close()  # more on a new one, as redis-py's client retries a lost connection
            connection = await self._connected()
            answers = await self._evaluate(connection, batch)
        if any(isinstance(answer, NoScriptError) for answer in answers):
            # Redis restarted or its scripts were flushed: the ones refused did not run.
            self.sha = await self._load_script(connection)
            again = [
                charge
                for charge, answer in zip(batch, answers, strict=True)
                if isinstance(answer, NoScriptError)
            ]
            retried = iter(await self._evaluate(connection, again))
            answers = [next(retried) if isinstance(answer, NoScriptError) else answer for answer in answers]
        return answers

    async def _connected(self) -> AbstractConnection:
        if self._connection is None:
            self._connection = self.pool.make_connection()
        if not self._connection.is_connected:
            await self._connection.connect()
            self.sha = self.sha or await self._load_script(self._connection)
        return self._connection

    async def _load_script(self, connection: AbstractConnection) -> str:
        await connection.send_command("SCRIPT", "LOAD", INCR_EXPIRE)
        sha = await connection.read_response()
        return sha.decode() if isinstance(sha, bytes) else str(sha)

    async def _evaluate(self, connection: AbstractConnection, batch: list[_Charge]) -> list[object]:
        """Each charge's count, or the error Redis answered it with, in the order sent."""
        assert self.sha is not None  # loaded on connecting
        commands = [("EVALSHA", self.sha, 1, key, expiry, amount) for key, expiry, amount, _ in batch]
        await connection.send_packed_command(connection.pack_commands(commands))
        answers: list[object] = []
        for _ in batch:
            try:
                answers.append(await connection.read_response())
            except ResponseError as error:  # read whole: the next answer follows it
                answers.append(error)
        return answers
