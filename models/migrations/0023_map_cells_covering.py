from tortoise import migrations
from tortoise.migrations import operations as ops

# PostgreSQL: the map's counts by place (zoom, cell row, cell column, category, status) carry their
# sums in the unique index itself, so that reading the cells of a box by category is an index-only
# scan. Without them PostgreSQL underestimates a box's rows (its row and column ranges are
# correlated) and picks this index anyway, then visits the table row by row for n and the sums.
# Same name and key: the triggers' ON CONFLICT still finds it. SQLite reads its small tables as
# they are.
POSTGRES_SQL = """
ALTER TABLE report_map_cells DROP CONSTRAINT uid_report_map__zoom_da4b85;
ALTER TABLE report_map_cells ADD CONSTRAINT uid_report_map__zoom_da4b85
  UNIQUE (zoom, cell_row, cell_col, category_id, status) INCLUDE (n, lat_sum, lon_sum);
"""


async def cover_the_sums(apps, schema_editor):
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(POSTGRES_SQL)


class Migration(migrations.Migration):
    dependencies = [('sigap', '0022_data_version')]

    initial = False

    operations = [
        ops.RunPython(cover_the_sums, reverse_code=ops.RunPython.noop),
    ]
