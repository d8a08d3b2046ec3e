from tortoise import migrations
from tortoise.migrations import operations as ops

# The kecamatan seeded before official codes take their kode wilayah (Kemendagri), keeping their
# ids, so reports and events keep pointing at them; `sigap seed` then adds the kelurahan beneath.
# An official code already in use (an area the city made by hand) leaves the old row alone.
OFFICIAL_CODES = {
    "ALAK": "53.71.01",
    "MAULAFA": "53.71.02",
    "KELAPA_LIMA": "53.71.03",
    "OEBOBO": "53.71.04",
    "KOTA_RAJA": "53.71.05",
    "KOTA_LAMA": "53.71.06",
}


def _renames(codes: dict[str, str]) -> list[str]:
    return [
        f"UPDATE areas SET code = '{new}' WHERE code = '{old}' AND level = 'KECAMATAN'"
        f" AND NOT EXISTS (SELECT 1 FROM areas AS taken WHERE taken.code = '{new}')"
        for old, new in codes.items()
    ]


class Migration(migrations.Migration):
    dependencies = [('sigap', '0012_intake_channel')]

    initial = False

    operations = [
        ops.RunSQL(
            _renames(OFFICIAL_CODES),
            reverse_sql=_renames({new: old for old, new in OFFICIAL_CODES.items()}),
        ),
    ]
