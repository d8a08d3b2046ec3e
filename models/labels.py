"""What people read for a value of the domain: Indonesian first, English beside it."""

from typing import NamedTuple


class Label(NamedTuple):
    id: str  # Indonesian (the language code, not an identifier)
    en: str
