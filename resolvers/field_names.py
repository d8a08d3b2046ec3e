"""What input fields are called in the messages people read: validation names a field by its label
here ("Judul wajib diisi"), never by the API's English name ("title wajib diisi"). The API name
stays in the error's `field`, for clients to place the message."""

from __future__ import annotations

from typing import NamedTuple


class FieldLabel(NamedTuple):
    id: str  # Indonesian, the first language of every message
    en: str


FIELD_LABELS: dict[str, FieldLabel] = {
    "title": FieldLabel("Judul", "Title"),
    "description": FieldLabel("Uraian", "Description"),
    "address": FieldLabel("Alamat", "Address"),
    "contactName": FieldLabel("Nama pelapor", "Reporter's name"),
    "contactPhone": FieldLabel("Nomor telepon pelapor", "Reporter's phone"),
    "contactEmail": FieldLabel("Email pelapor", "Reporter's email"),
    "name": FieldLabel("Nama", "Name"),
    "nameEn": FieldLabel("Nama dalam bahasa Inggris", "English name"),
    "code": FieldLabel("Kode", "Code"),
    "phone": FieldLabel("Nomor telepon", "Phone"),
    "email": FieldLabel("Email", "Email"),
    "reason": FieldLabel("Alasan", "Reason"),
    "note": FieldLabel("Catatan", "Note"),
    "body": FieldLabel("Isi pesan", "Message"),
    "ratingComment": FieldLabel("Komentar penilaian", "Rating comment"),
    "category": FieldLabel("Kategori", "Category"),
    "location": FieldLabel("Lokasi", "Location"),
    "descriptionEn": FieldLabel("Uraian dalam bahasa Inggris", "English description"),
    "helpText": FieldLabel("Petunjuk pengisian", "Help text"),
    "helpTextEn": FieldLabel("Petunjuk pengisian dalam bahasa Inggris", "English help text"),
    "icon": FieldLabel("Nama ikon", "Icon name"),
    "color": FieldLabel("Warna", "Colour"),
}


def field_label(field: str) -> FieldLabel:
    """The field's label; an unlisted field keeps its API name (a test lists every field in use)."""
    return FIELD_LABELS.get(field, FieldLabel(field, field))
