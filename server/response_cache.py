"""Answers to read-only queries, kept until the data or the clock makes them wrong.

An entry is served only while the database fingerprint (resolvers.data_version) equals the one
taken before the answer was computed, and before the entry's `valid_until` (set by time-dependent
fields such as `isOverdue`). Answers that depend on more than the key (errors, uncacheable
fields, anything but a query), or computed while a write was in flight, are never stored.

Memory is bounded in bytes, keys included: an answer is kept as its JSON, under a SHA-256 digest
of what it answers (document, operation, variables, visibility), never under the request's text.
Requests with variables over MAX_CACHED_VARIABLES_BYTES or documents over the parser's limit are
not cached at all: junk variables cannot make keys large, nor many keys hold the same answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from cachetools import LRUCache

from schema.document_limits import MAX_DOCUMENT_CHARACTERS
from schema.query_cost import OperationCost

MAX_CACHED_VARIABLES_BYTES = 4_096  # a page's filter is a few hundred bytes
# What an entry holds besides its answer's JSON: the 32-byte key and its bytes object, the entry
# object with its version string, time and estimate, and the LRU's bookkeeping (measured with
# pympler in tests/test_response_cache.py; rounded up).
ENTRY_OVERHEAD_BYTES = 1_024


@dataclass(frozen=True)
class CachedAnswer:
    version: str
    answer: bytes  # the `data` of the response, as JSON
    valid_until: datetime | None
    estimate: OperationCost  # what each hit is charged to the caller's budget

    @classmethod
    def of(
        cls, version: str, data: Any, valid_until: datetime | None, estimate: OperationCost
    ) -> CachedAnswer:
        return cls(version, orjson.dumps(data), valid_until, estimate)

    @property
    def data(self) -> Any:
        return orjson.loads(self.answer)

    @property
    def size(self) -> int:
        """The bytes the cache counts for this entry, key included."""
        return len(self.answer) + ENTRY_OVERHEAD_BYTES


class ResponseCache:
    def __init__(self, max_bytes: int = 64 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._entries: LRUCache[bytes, CachedAnswer] = LRUCache(max_bytes, getsizeof=_entry_size)
        self.hits = 0
        self.misses = 0

    @property
    def size(self) -> int:
        return int(self._entries.currsize)

    def __len__(self) -> int:
        return len(self._entries)

    def peek(self, key: bytes) -> CachedAnswer | None:
        """The entry under `key`, fresh or not, without counting a hit or a miss."""
        return self._entries.get(key)  # type: ignore[no-any-return]

    def get(self, key: bytes, version: str, now: datetime) -> CachedAnswer | None:
        entry: CachedAnswer | None = self._entries.get(key)
        expired = entry is not None and entry.valid_until is not None and now >= entry.valid_until
        if entry is None or entry.version != version or expired:
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def put(self, key: bytes, answer: CachedAnswer) -> None:
        if answer.size > self.max_bytes // 16:
            return  # one huge answer must not evict everything else
        self._entries[key] = answer


def _entry_size(answer: CachedAnswer) -> int:
    return answer.size


def cache_key(request_data: Any, visibility: str) -> bytes | None:
    """The key of a cacheable request (no streaming, modest document and variables), else None.
    Whether it is a query is known only once it is parsed: the view stores query answers only."""
    query = getattr(request_data, "query", None)
    if not isinstance(query, str) or getattr(request_data, "protocol", "http") != "http":
        return None
    if len(query) > MAX_DOCUMENT_CHARACTERS:
        return None
    operation_name = request_data.operation_name
    try:
        variables = orjson.dumps(request_data.variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    if len(variables) > MAX_CACHED_VARIABLES_BYTES:
        return None
    digest = hashlib.sha256()
    for part in (
        query.encode(errors="surrogatepass"),
        str(operation_name).encode(errors="surrogatepass"),
        variables,
        visibility.encode(),
    ):
        digest.update(len(part).to_bytes(8, "big"))  # lengths first: parts cannot run into each other
        digest.update(part)
    return digest.digest()
