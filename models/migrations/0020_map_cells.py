from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields
from tortoise.indexes import Index

# The database keeps the map's cells of every report's public point (models.map_cells), so that no
# writer (the ORM, a job's raw UPDATE, a bulk insert, COPY) can leave them behind: the finest cell
# on the report, and the counts per cell at zooms 12 and 14 and status, for each category and for
# all of them (category 0). Frozen here.
FINEST = 22
ZOOMS = (12, 14)
FINEST_DEGREES = "2.1457672119140625e-05"  # 360 / 2**24, exact in binary
ALL_CATEGORIES = 0


def postgres_sql() -> str:
    zooms = ", ".join(f"({zoom})" for zoom in ZOOMS)
    return f"""
CREATE FUNCTION reports_public_cell() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.public_cell_row := FLOOR((NEW.public_latitude + 90) / CAST({FINEST_DEGREES} AS DOUBLE PRECISION));
  NEW.public_cell_col := FLOOR((NEW.public_longitude + 180) / CAST({FINEST_DEGREES} AS DOUBLE PRECISION));
  RETURN NEW;
END $$;
CREATE TRIGGER reports_public_cell BEFORE INSERT OR UPDATE ON reports
  FOR EACH ROW EXECUTE FUNCTION reports_public_cell();

CREATE FUNCTION report_map_cells_add(z INT, r INT, c INT, cat INT, st VARCHAR, dn INT, dlat FLOAT8, dlon FLOAT8)
RETURNS void LANGUAGE sql AS $$
  INSERT INTO report_map_cells (zoom, cell_row, cell_col, category_id, status, n, lat_sum, lon_sum)
  VALUES (z, r, c, cat, st, dn, dlat, dlon)
  ON CONFLICT (zoom, cell_row, cell_col, category_id, status) DO UPDATE SET
    n = report_map_cells.n + EXCLUDED.n,
    lat_sum = report_map_cells.lat_sum + EXCLUDED.lat_sum,
    lon_sum = report_map_cells.lon_sum + EXCLUDED.lon_sum
$$;

CREATE FUNCTION report_map_cells_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- The report before and after the change (NULL when there is none).
  b_row INT; b_col INT; b_cat INT; b_status VARCHAR; b_lat FLOAT8; b_lon FLOAT8;
  a_row INT; a_col INT; a_cat INT; a_status VARCHAR; a_lat FLOAT8; a_lon FLOAT8;
  d RECORD;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    b_row := OLD.public_cell_row; b_col := OLD.public_cell_col; b_cat := OLD.category_id;
    b_status := OLD.status; b_lat := OLD.public_latitude; b_lon := OLD.public_longitude;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    a_row := NEW.public_cell_row; a_col := NEW.public_cell_col; a_cat := NEW.category_id;
    a_status := NEW.status; a_lat := NEW.public_latitude; a_lon := NEW.public_longitude;
  END IF;
  -- Rows are touched in key order, so that two changes moving reports in opposite directions
  -- cannot deadlock on them.
  FOR d IN
    SELECT z, change.r >> ({FINEST} - z) AS r, change.c >> ({FINEST} - z) AS c, cats.cat, change.st,
           SUM(change.dn) AS dn, SUM(change.dlat) AS dlat, SUM(change.dlon) AS dlon
    FROM (
      SELECT b_row, b_col, b_cat, b_status, -1, -b_lat, -b_lon WHERE TG_OP <> 'INSERT'
      UNION ALL
      SELECT a_row, a_col, a_cat, a_status, 1, a_lat, a_lon WHERE TG_OP <> 'DELETE'
    ) AS change (r, c, cat, st, dn, dlat, dlon)
    CROSS JOIN (VALUES {zooms}) AS zooms (z)
    CROSS JOIN LATERAL (VALUES ({ALL_CATEGORIES}), (change.cat)) AS cats (cat)
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
  LOOP
    PERFORM report_map_cells_add(d.z, d.r, d.c, d.cat, d.st, CAST(d.dn AS INT), d.dlat, d.dlon);
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER report_map_cells_count AFTER INSERT OR DELETE ON reports
  FOR EACH ROW EXECUTE FUNCTION report_map_cells_count();
CREATE TRIGGER report_map_cells_recount AFTER UPDATE ON reports FOR EACH ROW
  WHEN (OLD.public_latitude IS DISTINCT FROM NEW.public_latitude
     OR OLD.public_longitude IS DISTINCT FROM NEW.public_longitude
     OR OLD.category_id IS DISTINCT FROM NEW.category_id
     OR OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION report_map_cells_count();
UPDATE reports SET public_cell_row = NULL;
"""


def sqlite_sql() -> str:
    def cell(point: str, zoom: int) -> str:
        size = repr(360.0 / (2**zoom * 4))
        # The offsets make the values non-negative, so truncating is flooring.
        return (
            f"CAST(({point}.public_latitude + 90) / {size} AS INTEGER), "
            f"CAST(({point}.public_longitude + 180) / {size} AS INTEGER)"
        )

    def add(point: str, sign: str) -> str:
        rows = ", ".join(
            f"({zoom}, {cell(point, zoom)}, {category}, {point}.status, "
            f"{sign}1, {sign}{point}.public_latitude, {sign}{point}.public_longitude)"
            for zoom in ZOOMS
            for category in (ALL_CATEGORIES, f"{point}.category_id")
        )
        return f"""
  INSERT INTO report_map_cells (zoom, cell_row, cell_col, category_id, status, n, lat_sum, lon_sum)
  VALUES {rows}
  ON CONFLICT (zoom, cell_row, cell_col, category_id, status) DO UPDATE SET
    n = n + excluded.n, lat_sum = lat_sum + excluded.lat_sum, lon_sum = lon_sum + excluded.lon_sum;"""

    set_cell = f"UPDATE reports SET (public_cell_row, public_cell_col) = ({cell('NEW', FINEST)}) WHERE id = NEW.id;"
    return f"""
CREATE TRIGGER reports_public_cell_insert AFTER INSERT ON reports BEGIN
  {set_cell}{add("NEW", "")}
END;
CREATE TRIGGER reports_public_cell_update
  AFTER UPDATE OF public_latitude, public_longitude, public_cell_row, public_cell_col ON reports BEGIN
  {set_cell}
END;
CREATE TRIGGER report_map_cells_delete AFTER DELETE ON reports BEGIN{add("OLD", "-")}
END;
CREATE TRIGGER report_map_cells_update AFTER UPDATE OF public_latitude, public_longitude, category_id, status
  ON reports
  WHEN OLD.public_latitude IS NOT NEW.public_latitude OR OLD.public_longitude IS NOT NEW.public_longitude
    OR OLD.category_id IS NOT NEW.category_id OR OLD.status IS NOT NEW.status
BEGIN{add("OLD", "-")}{add("NEW", "")}
END;
UPDATE reports SET public_cell_row = NULL;
"""


def backfill_sql() -> str:
    """The counts of the reports filed before the triggers."""
    return "".join(
        f"""
INSERT INTO report_map_cells (zoom, cell_row, cell_col, category_id, status, n, lat_sum, lon_sum)
SELECT {zoom}, public_cell_row >> {FINEST - zoom}, public_cell_col >> {FINEST - zoom}, {category}, status,
       COUNT(*), SUM(public_latitude), SUM(public_longitude)
FROM reports GROUP BY 2, 3, 4, 5;"""
        for zoom in ZOOMS
        for category in (ALL_CATEGORIES, "category_id")
    )


async def keep_map_cells(apps, schema_editor):
    postgres = schema_editor.client.capabilities.dialect == "postgres"
    await schema_editor.client.execute_script((postgres_sql() if postgres else sqlite_sql()) + backfill_sql())


class Migration(migrations.Migration):
    dependencies = [('sigap', '0019_notifications')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportMapCell',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('zoom', fields.SmallIntField()),
                ('cell_row', fields.IntField()),
                ('cell_col', fields.IntField()),
                ('category_id', fields.IntField()),
                ('status', fields.CharField(max_length=16)),
                ('n', fields.IntField(default=0)),
                ('lat_sum', fields.FloatField(default=0)),
                ('lon_sum', fields.FloatField(default=0)),
            ],
            options={'table': 'report_map_cells', 'app': 'sigap', 'unique_together': (('zoom', 'cell_row', 'cell_col', 'category_id', 'status'),), 'indexes': [Index(fields=['zoom', 'category_id', 'cell_row', 'cell_col', 'status', 'n', 'lat_sum', 'lon_sum'])], 'pk_attr': 'id', 'table_description': 'How many reports of a category (or of all: ALL_CATEGORIES) and status have their public'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Report',
            name='public_cell_col',
            field=fields.IntField(null=True, description='map cell column of the public point'),
        ),
        ops.AddField(
            model_name='Report',
            name='public_cell_row',
            field=fields.IntField(null=True, description='map cell row of the public point'),
        ),
        ops.AddIndex(
            model_name='Report',
            index=Index(fields=['public_cell_row', 'public_cell_col', 'status', 'category_id', 'public_latitude', 'public_longitude']),
        ),
        ops.AddIndex(
            model_name='Report',
            index=Index(fields=['public_cell_col', 'public_cell_row', 'status', 'category_id', 'public_latitude', 'public_longitude']),
        ),
        ops.RunPython(keep_map_cells, reverse_code=ops.RunPython.noop),
    ]
