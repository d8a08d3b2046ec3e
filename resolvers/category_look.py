"""How a category presents itself in citizen apps: description, help text (both languages), icon,
colour and place in the list. Checked here for updateCategory; the seed writes Kupang's."""

from __future__ import annotations

import re
from dataclasses import dataclass

from models import Category
from models.directory import DESCRIPTION_MAX, HELP_TEXT_MAX
from resolvers.errors import ErrorCode, FieldError
from resolvers.validation import clean_text

# Material Symbols names ("local_fire_department"): what the apps look up in their icon font.
_ICON = re.compile(r"[a-z0-9_]{1,64}")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
SORT_ORDER_LIMIT = 1_000_000


@dataclass(frozen=True)
class CategoryLookChanges:
    """None leaves a field as it is; an empty text clears it."""

    description: str | None = None
    description_en: str | None = None
    help_text: str | None = None
    help_text_en: str | None = None
    icon: str | None = None
    color: str | None = None
    sort_order: int | None = None


def apply_look(category: Category, changes: CategoryLookChanges) -> list[FieldError]:
    """Set the given fields on `category`; the errors of those that are refused."""
    errors: list[FieldError] = []
    for field, attribute, limit in (
        ("description", "description", DESCRIPTION_MAX),
        ("descriptionEn", "description_en", DESCRIPTION_MAX),
        ("helpText", "help_text", HELP_TEXT_MAX),
        ("helpTextEn", "help_text_en", HELP_TEXT_MAX),
    ):
        value = getattr(changes, attribute)
        if value is not None:
            setattr(category, attribute, clean_text(errors, field, value, max_length=limit, required=False))
    for field, value, pattern, normalised, message, message_en in (
        (
            "icon",
            changes.icon,
            _ICON,
            str.strip,
            "Nama ikon berupa huruf kecil, angka dan garis bawah (nama Material Symbols, misalnya delete)",
            "An icon name is lowercase letters, digits and underscores (a Material Symbols name: delete)",
        ),
        (
            "color",
            changes.color,
            _COLOR,
            lambda text: text.strip().upper(),
            "Warna ditulis #RRGGBB, misalnya #2E7D32",
            "A colour is written #RRGGBB, e.g. #2E7D32",
        ),
    ):
        if value is None:
            continue
        text = normalised(value)
        if text and not pattern.fullmatch(text):
            errors.append(FieldError(ErrorCode.INVALID_INPUT, message, message_en, field))
        setattr(category, field, text or None)  # empty clears it
    if changes.sort_order is not None:
        if abs(changes.sort_order) > SORT_ORDER_LIMIT:
            errors.append(
                FieldError(
                    ErrorCode.INVALID_INPUT,
                    f"Urutan antara -{SORT_ORDER_LIMIT} dan {SORT_ORDER_LIMIT}",
                    f"The sort order is between -{SORT_ORDER_LIMIT} and {SORT_ORDER_LIMIT}",
                    "sortOrder",
                )
            )
        category.sort_order = changes.sort_order
    return errors
