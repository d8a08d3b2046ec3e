"""Phone numbers as Indonesians write them (0812-3456-7890, +62 812 3456 7890, 62812..., (0380) 821234),
checked with Google's libphonenumber and stored in one form, E.164 (+6281234567890), so that staff
can call back and a later SMS or WhatsApp channel can send without guessing."""

from __future__ import annotations

import phonenumbers

from resolvers.errors import ErrorCode, FieldError
from resolvers.field_names import field_label

REGION = "ID"  # numbers without a country code are Indonesian
MAX_LENGTH = 40


def e164_phone(errors: list[FieldError], field: str, value: str | None) -> str | None:
    """The number in E.164, None when it is blank, or None with an error appended when it is not
    a valid number."""
    text = (value or "").strip()
    if not text:
        return None
    number = _parsed(text)
    if number is not None and phonenumbers.is_valid_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    label = field_label(field)
    errors.append(
        FieldError(
            ErrorCode.INVALID_PHONE,
            f"{label.id} bukan nomor telepon yang valid (contoh: 0812-3456-7890 atau +62 812 3456 7890)",
            f"{label.en} is not a valid phone number (e.g. 0812-3456-7890 or +62 812 3456 7890)",
            field,
        )
    )
    return None


def _parsed(text: str) -> phonenumbers.PhoneNumber | None:
    if len(text) > MAX_LENGTH:
        return None
    if text[:2] == "62":  # the country code without its +, as WhatsApp links write it
        text = "+" + text
    try:
        return phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
