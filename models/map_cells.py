"""The map's grid, and the reports counted on it.

A cell is a quarter of a web-map tile per side (64 px on 256-px tiles). The database keeps, by
triggers (migration 0020) that run on every insert, update and delete of a report whoever writes
it, two things derived from the public point (the rounded one for sensitive categories):

- `Report.public_cell_row/col`, its cell at the finest zoom. Its cell at a coarser zoom is that
  pair shifted right by the difference of zooms, which equals `floor((lat + 90) / cell_degrees)`
  exactly in floating point too: every cell side is 360 divided by a power of two, so the
  quotients differ by powers of two, which IEEE division scales exactly.
- `ReportMapCell`, the reports counted per cell at each of `SUMMARY_ZOOMS` and status, for each
  category and for all of them, with the sums of their public points: a map of the whole city
  reads a few hundred of these rows instead of every report.
"""

from __future__ import annotations

import math

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

FINEST_ZOOM = 22
CELLS_PER_TILE_SIDE = 4  # 64-px cells on 256-px tiles
SUMMARY_ZOOMS = (12, 14)  # a city at 12, a district at 14; finer maps count the reports themselves
ALL_CATEGORIES = 0  # the `category_id` of the counts of every category together


def cell_degrees(zoom: int) -> float:
    """The side of a cell in degrees at `zoom` (a tile spans 360 / 2**zoom degrees of longitude)."""
    return 360.0 / (2**zoom * CELLS_PER_TILE_SIDE)


def cell_of(lat: float, lon: float, zoom: int = FINEST_ZOOM) -> tuple[int, int]:
    """The (row, column) of the cell holding a point at `zoom`; rows count from the south pole."""
    size = cell_degrees(zoom)
    return math.floor((lat + 90) / size), math.floor((lon + 180) / size)


class ReportMapCell(Model):
    """How many reports of a category (or of all: ALL_CATEGORIES) and status have their public
    point in a cell at `zoom`, and the sums of those points (for the centroid). Written only by
    the database's triggers."""

    id = fields.BigIntField(primary_key=True)
    zoom = fields.SmallIntField()
    cell_row = fields.IntField()
    cell_col = fields.IntField()
    category_id = fields.IntField()
    status = fields.CharField(max_length=16)
    n = fields.IntField(default=0)
    lat_sum = fields.FloatField(default=0)
    lon_sum = fields.FloatField(default=0)

    class Meta:
        table = "report_map_cells"
        # On PostgreSQL this index also carries n and the sums (migration 0023): a box's cells by
        # category read from it alone.
        unique_together = (("zoom", "cell_row", "cell_col", "category_id", "status"),)
        # A map's cells of every category together read from the index alone.
        indexes = [
            Index(fields=("zoom", "category_id", "cell_row", "cell_col", "status", "n", "lat_sum", "lon_sum"))
        ]
