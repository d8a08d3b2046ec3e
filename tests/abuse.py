"""Counting the abusive inputs the suite sends, for the line pytest prints at the end:

    abuse: N abusive inputs sent by the tests, M generated operations sent by the schema fuzz run

Every test that sends something hostile passes it through `abusive` (or `abusive_many`)."""

from __future__ import annotations

from collections import Counter
from typing import TypeVar

T = TypeVar("T")

SENT: Counter[str] = Counter()


def abusive(payload: T) -> T:
    """Return `payload` unchanged, counted as one abusive input."""
    SENT["abusive"] += 1
    return payload


def count_abusive(n: int) -> None:
    SENT["abusive"] += n


def count_fuzzed(n: int = 1) -> None:
    SENT["fuzzed"] += n


def summary() -> str:
    return (
        f"abuse: {SENT['abusive']} abusive inputs sent by the tests, "
        f"{SENT['fuzzed']} generated operations sent by the schema fuzz run"
    )
