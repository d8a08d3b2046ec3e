"""Opaque global IDs ("Report:42" in base64), so an ID of one type is never taken for another."""

from __future__ import annotations

import base64
import binascii

import models
from resolvers.errors import DomainError, ErrorCode, fail

MAX_ID_LENGTH = 64
INT32_MAX = 2**31 - 1


def largest_key(type_name: str) -> int:
    """The largest primary key the type's table can hold (a larger one would make the database
    refuse the query); types without a model of their name get the narrower integer column."""
    model = getattr(models, type_name, None)
    pk = getattr(getattr(model, "_meta", None), "pk", None)
    constraints = getattr(pk, "constraints", None) or {}
    return int(constraints.get("le", INT32_MAX))


def to_global_id(type_name: str, pk: int) -> str:
    return binascii.b2a_base64(f"{type_name}:{pk}".encode(), newline=False).decode()  # base64, one call


def split_global_id(global_id: str, field: str = "id") -> tuple[str, int]:
    """(type name, primary key) of a global ID; raises DomainError INVALID_ID otherwise."""
    try:
        if len(global_id) > MAX_ID_LENGTH:
            raise ValueError
        type_name, _, pk = base64.b64decode(global_id.encode(), validate=True).decode().partition(":")
        number = int(pk)
        if not type_name or number <= 0 or not pk.isdigit() or number > largest_key(type_name):
            raise ValueError
        return type_name, number
    except (ValueError, binascii.Error, UnicodeError) as exc:
        raise _invalid(field) from exc


def from_global_id(global_id: str, expected_type: str, field: str = "id") -> int:
    type_name, pk = split_global_id(global_id, field)
    if type_name != expected_type:
        raise _invalid(field, expected_type)
    return pk


def _invalid(field: str, expected: str | None = None) -> DomainError:
    wanted = f" of a {expected}" if expected else ""
    return fail(
        ErrorCode.INVALID_ID,
        f"ID tidak valid{(' untuk ' + expected) if expected else ''}",
        f"Not a valid ID{wanted}",
        field,
    )


def optional_global_id(global_id: str | None, expected_type: str, field: str) -> int | None:
    return None if global_id is None else from_global_id(global_id, expected_type, field)


__all__ = ["DomainError", "from_global_id", "optional_global_id", "split_global_id", "to_global_id"]
