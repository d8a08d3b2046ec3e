"""The timeline is the outbox: every change writes its ReportEvent in the change's transaction.

Two rules make the event id a cursor that resuming clients can trust:

- Events commit in id order. On PostgreSQL a transaction-scoped advisory lock, taken just before
  the event row gets its id and held until commit, serialises the tail of event-writing
  transactions; SQLite already serialises writers. So once event N is visible, every event below
  N is visible or was rolled back, and "everything after my cursor" never skips a late commit.
- After commit, whoever wrote the event announces it, and the process's relay publishes it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tortoise.backends.base.client import BaseDBAsyncClient

# Any constant works; it only has to be the same in every process of a deployment.
_EVENT_ORDER_LOCK = 0x5161_7001

_listeners: list[Callable[[int], None]] = []


async def lock_commit_order(connection: BaseDBAsyncClient) -> None:
    """Call inside the transaction, right before inserting the event row."""
    if connection.capabilities.dialect == "postgres":
        await connection.execute_query("SELECT pg_advisory_xact_lock($1)", [_EVENT_ORDER_LOCK])


def announce_committed(event_id: int) -> None:
    """Call after the transaction that wrote the event has committed."""
    for listener in list(_listeners):
        listener(event_id)


@contextmanager
def on_commit(listener: Callable[[int], None]) -> Iterator[None]:
    """Hear about every committed event of this process while the block runs (the relay)."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)
