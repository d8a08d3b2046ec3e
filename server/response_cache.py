"""Answers to read-only queries, kept until the data or the clock makes them wrong.

An entry is served only while the database fingerprint (resolvers.data_version) equals the one
taken before the answer was computed, and before the entry's `valid_until` (set by time-dependent
fields such as `isOverdue`). Answers that depend on more than the key (errors, uncacheable
fields) are never stored.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
from graphql import GraphQLError, OperationType, get_operation_ast, parse

from schema import MAX_TOKENS
from schema.query_cost import OperationCost


@dataclass(frozen=True)
class CachedAnswer:
    version: str
    data: Any
    valid_until: datetime | None
    size: int  # bytes of the answer's JSON, to bound the cache's memory
    estimate: OperationCost  # what each hit is charged to the caller's budget


class ResponseCache:
    def __init__(self, max_entries: int = 2048, max_bytes: int = 64 * 2**20) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[Hashable, CachedAnswer] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def peek(self, key: Hashable) -> CachedAnswer | None:
        """The entry under `key`, fresh or not, without counting a hit or a miss."""
        return self._entries.get(key)

    def get(self, key: Hashable, version: str, now: datetime) -> CachedAnswer | None:
        entry = self._entries.get(key)
        expired = entry is not None and entry.valid_until is not None and now >= entry.valid_until
        if entry is None or entry.version != version or expired:
            self.misses += 1
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return entry

    def put(self, key: Hashable, answer: CachedAnswer) -> None:
        if answer.size > self.max_bytes // 16:
            return  # one huge answer must not evict everything else
        old = self._entries.pop(key, None)
        if old is not None:
            self.size -= old.size
        self._entries[key] = answer
        self.size += answer.size
        while len(self._entries) > self.max_entries or self.size > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self.size -= evicted.size


def cache_key(request_data: Any, visibility: str) -> Hashable | None:
    """The key of a cacheable request (one query operation, no streaming), else None."""
    query = getattr(request_data, "query", None)
    if not isinstance(query, str) or getattr(request_data, "protocol", "http") != "http":
        return None
    operation_name = request_data.operation_name
    if not _is_query(query, operation_name):
        return None
    try:
        variables = orjson.dumps(request_data.variables, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return None
    return (query, operation_name, variables, visibility)


@lru_cache(maxsize=512)
def _is_query(query: str, operation_name: str | None) -> bool:
    try:
        document = parse(query, max_tokens=MAX_TOKENS)
    except GraphQLError:
        return False  # let the schema answer with its coded syntax error
    operation = get_operation_ast(document, operation_name)
    return operation is not None and operation.operation == OperationType.QUERY
