"""Kupang's kecamatan and kelurahan with their official codes (kode wilayah Kemendagri), read from
models/data/kupang-wilayah.csv (source and licence in its header)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from models.directory import Area
from models.enums import AreaLevel

AREAS_FILE = Path(__file__).resolve().parent / "data" / "kupang-wilayah.csv"


@dataclass(frozen=True)
class AreaSeed:
    code: str  # 53.71.04 (kecamatan), 53.71.04.1001 (kelurahan)
    name: str
    parent: str | None  # the kecamatan's code, for a kelurahan

    @property
    def level(self) -> AreaLevel:
        return AreaLevel.KECAMATAN if self.parent is None else AreaLevel.KELURAHAN


def _read(path: Path) -> list[AreaSeed]:
    with path.open(encoding="utf-8", newline="") as lines:
        rows = csv.DictReader(line for line in lines if not line.startswith("#"))
        return [AreaSeed(row["code"], row["name"], row["parent"] or None) for row in rows]


AREAS = _read(AREAS_FILE)
KECAMATAN = [area for area in AREAS if area.parent is None]
KELURAHAN = [area for area in AREAS if area.parent is not None]


async def load_areas() -> int:
    """Create the areas that are missing (kecamatan first, so kelurahan find their parent), in a
    few statements: every test seeds afresh. Returns how many were created."""
    ids: dict[str, int] = dict(await Area.all().values_list("code", "id"))  # type: ignore[arg-type]
    created = 0
    for level in (KECAMATAN, KELURAHAN):
        missing = [area for area in level if area.code not in ids]
        if not missing:
            continue
        await Area.bulk_create(
            [
                Area(
                    code=area.code,
                    name=area.name,
                    level=area.level,
                    parent_id=ids[area.parent] if area.parent else None,
                )
                for area in missing
            ]
        )
        codes = [area.code for area in missing]
        ids.update(await Area.filter(code__in=codes).values_list("code", "id"))  # type: ignore[arg-type]
        created += len(missing)
    return created
