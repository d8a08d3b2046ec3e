"""Keyset pages, the one way every list of the API pages (reports, the moderation queue): rows in
(column, id) order, a cursor naming the last row's position, and the rows strictly after it.

A cursor is base64 of JSON `[kind, value, id]`: `kind` names the list and its order, so that a cursor
of one list or order is refused by another rather than read as a position in it."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from tortoise.expressions import Q

from resolvers.errors import ErrorCode, fail

# What decoding a client's cursor raises when it is not one of ours.
CURSOR_DECODING_ERRORS = (
    ValueError,
    TypeError,
    OverflowError,
    binascii.Error,
    orjson.JSONDecodeError,
    UnicodeEncodeError,
)


@dataclass(frozen=True)
class Keyset:
    """One list's order: by `column` (a timestamp), ties by id, newest first when `descending`."""

    kind: str
    column: str
    descending: bool

    def cursor(self, row: dict[str, Any]) -> str:
        value = row[self.column]
        payload = [self.kind, value.isoformat() if isinstance(value, datetime) else value, row["id"]]
        return base64.urlsafe_b64encode(orjson.dumps(payload)).decode()

    def position(self, cursor: str, field: str = "after") -> tuple[datetime, int]:
        """The (value, id) a cursor of this list names; INVALID_CURSOR for anything else."""
        try:
            kind, value, row_id = orjson.loads(base64.urlsafe_b64decode(cursor.encode()))
            if kind != self.kind or type(row_id) is not int or not 0 < row_id < 2**63:
                raise ValueError
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:  # cursors carry UTC instants; a naive one cannot be compared
                raise ValueError
            return moment.astimezone(UTC), row_id  # OverflowError: an offset past year 1 or 9999
        except CURSOR_DECODING_ERRORS as exc:
            raise fail(
                ErrorCode.INVALID_CURSOR,
                "Kursor halaman tidak valid untuk urutan ini",
                "The cursor is not valid for this order",
                field,
            ) from exc

    def after(self, value: datetime, row_id: int) -> Q:
        """Rows strictly after (value, id) in this order: stable under inserts."""
        op = "lt" if self.descending else "gt"
        beyond: dict[str, Any] = {f"{self.column}__{op}": value}
        tie: dict[str, Any] = {self.column: value, f"id__{op}": row_id}
        return Q(**beyond) | Q(**tie)

    def ordering(self) -> tuple[str, str]:
        sign = "-" if self.descending else ""
        return f"{sign}{self.column}", f"{sign}id"
