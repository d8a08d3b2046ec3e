"""How a subscription field gets its events: the field describes its source (which events,
from which cursor, and the root value of each), and the transport decides who follows it.

- `FollowHub`: each subscription follows the hub itself and is executed per subscriber
  (Strawberry's own websocket handler: the legacy protocol, and the benchmark's baseline).
- `CaptureSource`: the shared engine (server.live) only records the source and streams nothing;
  it then executes the document once per event for every subscriber with the same document,
  variables and visibility.

A field whose news are not report events (a user's inbox) gives a `PrivateSource` instead: its own
stream after a cursor, executed for its one subscriber.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from realtime.feed import EventSelector, FeedEvent
from realtime.hub import CursorExpired, FeedOverrun, Hub
from resolvers.errors import ErrorCode, fail


@dataclass(frozen=True)
class LiveSource:
    selector: EventSelector
    after: int | None
    payload: Callable[[FeedEvent], object | None]  # the field's value for an event; None skips it


class LiveFeed(Protocol):
    def stream(self, source: LiveSource | PrivateSource) -> AsyncIterator[object]: ...


class FollowHub:
    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def stream(self, source: LiveSource | PrivateSource) -> AsyncIterator[object]:
        if isinstance(source, PrivateSource):
            async for _, item in source.follow(source.after):
                yield source.payload(item)
            return
        try:
            async for item in self.hub.follow(source.selector, source.after):
                payload = source.payload(item)
                if payload is not None:
                    yield payload
        except CursorExpired as exc:
            raise cursor_expired() from exc
        except FeedOverrun as exc:
            raise fail(
                ErrorCode.FEED_OVERRUN,
                "Anda tertinggal dari umpan langsung; sambung lagi dari kursor terakhir",
                "You fell behind the live feed; resubscribe from your last cursor",
            ) from exc


class CaptureSource:
    def __init__(self) -> None:
        self.source: LiveSource | PrivateSource | None = None

    async def stream(self, source: LiveSource | PrivateSource) -> AsyncIterator[object]:
        self.source = source
        return
        yield  # an async generator that yields nothing


class NoLiveFeed:
    """For contexts without a live feed (plain HTTP): subscriptions are refused clearly."""

    async def stream(self, source: LiveSource | PrivateSource) -> AsyncIterator[object]:
        raise fail(
            ErrorCode.LIVE_FEED_UNAVAILABLE,
            "Langganan hanya lewat websocket atau SSE",
            "Subscriptions are served over websockets or SSE",
        )
        yield


def cursor_expired() -> Exception:
    return fail(
        ErrorCode.CURSOR_EXPIRED,
        "Kursor terlalu lama; muat ulang lalu ikuti lagi tanpa kursor",
        "The cursor is too old to replay; reload, then follow without a cursor",
        "after",
    )


@dataclass(frozen=True)
class PrivateSource:
    """A live field that is not drawn from the report events: one subscriber's own stream (their
    inbox). Executed per subscriber, never shared; `follow(after)` yields (cursor, item) after a
    cursor (None: from now on), and `payload` turns an item into the field's value."""

    follow: Callable[[int | None], AsyncIterator[tuple[int, Any]]]
    after: int | None
    payload: Callable[[Any], object]
