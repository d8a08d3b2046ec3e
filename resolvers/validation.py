"""Checks on free text and coordinates that every mutation shares."""

from __future__ import annotations

import re
import unicodedata

from models.reports import NOTE_MAX
from resolvers.errors import DomainError, ErrorCode, FieldError
from resolvers.field_names import field_label
from resolvers.geo import valid_coordinates
from resolvers.service_area import ServiceArea

# NUL cannot be stored by PostgreSQL and other control characters only hide text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Embeddings, overrides and isolates reorder what follows them ("Trojan Source"): a title could
# show one thing on the wall and say another. Refused.
_BIDI_CONTROL = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Joiners shape emoji sequences and some scripts: kept. Every other invisible format character
# (zero-width space, byte-order mark, word joiner, soft hyphen, direction marks, tags) is removed.
_KEPT_FORMAT = frozenset("\u200c\u200d")


def normalised(text: str) -> str:
    """NFC, without invisible format characters other than joiners."""
    composed = unicodedata.normalize("NFC", text)
    return "".join(c for c in composed if c in _KEPT_FORMAT or unicodedata.category(c) != "Cf")


def clean_text(
    errors: list[FieldError], field: str, value: str | None, *, max_length: int, required: bool
) -> str | None:
    """The trimmed, normalised text, or None with an error appended when it is refused. The one
    door for text people write: titles, descriptions, comments, notes, names."""
    label = field_label(field)
    if value is not None and _BIDI_CONTROL.search(value):
        errors.append(
            FieldError(
                ErrorCode.INVALID_INPUT,
                f"{label.id} berisi karakter pengatur arah teks yang tidak diizinkan",
                f"{label.en} contains bidirectional control characters",
                field,
            )
        )
        return None
    text = normalised(value or "").strip()
    if not text:
        if required:
            errors.append(
                FieldError(ErrorCode.REQUIRED, f"{label.id} wajib diisi", f"{label.en} is required", field)
            )
        return None
    if _CONTROL.search(text):
        errors.append(
            FieldError(
                ErrorCode.INVALID_INPUT,
                f"{label.id} berisi karakter yang tidak diizinkan",
                f"{label.en} contains control characters",
                field,
            )
        )
        return None
    if len(text) > max_length:
        errors.append(
            FieldError(
                ErrorCode.TOO_LONG,
                f"{label.id} paling banyak {max_length} karakter",
                f"{label.en} must be at most {max_length} characters",
                field,
            )
        )
        return None
    return text


def check_location(errors: list[FieldError], lat: float, lon: float, service_area: ServiceArea) -> None:
    if not valid_coordinates(lat, lon):
        errors.append(
            FieldError(
                ErrorCode.INVALID_COORDINATES,
                "Koordinat tidak valid (lintang -90..90, bujur -180..180)",
                "Coordinates out of range (latitude -90..90, longitude -180..180)",
                "location",
            )
        )
    elif service_area.is_over_water(lat, lon):
        errors.append(
            FieldError(
                ErrorCode.OUTSIDE_SERVICE_AREA,
                "Lokasi berada di laut, bukan di daratan kota; geser penanda ke tempat masalahnya di darat",
                "The location is in the sea, not on the city's land; move the pin to the problem on land",
                "location",
            )
        )
    elif not service_area.contains(lat, lon):
        errors.append(
            FieldError(
                ErrorCode.OUTSIDE_SERVICE_AREA,
                "Lokasi berada di luar wilayah layanan kota",
                "The location is outside the city's service area",
                "location",
            )
        )


def checked_note(field: str, value: str | None, *, required: bool, max_length: int = NOTE_MAX) -> str | None:
    """A note, reason or comment: the cleaned text, or DomainError when it is refused."""
    errors: list[FieldError] = []
    note = clean_text(errors, field, value, max_length=max_length, required=required)
    if errors:
        raise DomainError(*errors)
    return note
