"""The id of the request being served, set at the edge (server/observability/request_ids.py): in
every log line, in the response's x-request-id header, and in masked internal errors, so that a
citizen quoting it leads to the log lines of that request on each hop."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

current_request_id: ContextVar[str | None] = ContextVar("sigap_request_id", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_or_new() -> str:
    """The current request's id; a fresh one outside any request (a periodic job's failure)."""
    return current_request_id.get() or new_request_id()
