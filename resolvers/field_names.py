"""What input fields are called in the messages people read: validation names a field by its label
here ("Judul wajib diisi"), never by the API's English name ("title wajib diisi"). The API name
stays in the error's `field`, for clients to place the message."""

from __future__ import annotations

from models.labels import Label

FIELD_LABELS: dict[str, Label] = {
    "title": Label("Judul", "Title"),
    "description": Label("Uraian", "Description"),
    "address": Label("Alamat", "Address"),
    "contactName": Label("Nama pelapor", "Reporter's name"),
    "contactPhone": Label("Nomor telepon pelapor", "Reporter's phone"),
    "contactEmail": Label("Email pelapor", "Reporter's email"),
    "name": Label("Nama", "Name"),
    "nameEn": Label("Nama dalam bahasa Inggris", "English name"),
    "code": Label("Kode", "Code"),
    "phone": Label("Nomor telepon", "Phone"),
    "email": Label("Email", "Email"),
    "reason": Label("Alasan", "Reason"),
    "note": Label("Catatan", "Note"),
    "body": Label("Isi pesan", "Message"),
    "ratingComment": Label("Komentar penilaian", "Rating comment"),
    "category": Label("Kategori", "Category"),
    "location": Label("Lokasi", "Location"),
    "descriptionEn": Label("Uraian dalam bahasa Inggris", "English description"),
    "helpText": Label("Petunjuk pengisian", "Help text"),
    "helpTextEn": Label("Petunjuk pengisian dalam bahasa Inggris", "English help text"),
    "icon": Label("Nama ikon", "Icon name"),
    "sortOrder": Label("Urutan", "Sort order"),
    "color": Label("Warna", "Colour"),
    "text": Label("Keterangan", "Details"),
    "label": Label("Nama perangkat", "Device name"),
}


def field_label(field: str) -> Label:
    """The field's label; an unlisted field keeps its API name (a test lists every field in use)."""
    return FIELD_LABELS.get(field, Label(field, field))
