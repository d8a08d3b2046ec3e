from tortoise import migrations
from tortoise.migrations import operations as ops

# PostgreSQL: a stamp of the directory (categories and agencies) that every write to either renews
# in the writing transaction, so that a statement reading it knows which directory its snapshot
# sees (resolvers.directory_snapshot keeps one copy per process, read again only when the stamp
# moves). Transactional on purpose: a sequence would move before the write commits, and a copy read
# meanwhile would be kept under the new stamp with the old rows. Frozen here; the table is watched
# for the data version like every other (0022).
POSTGRES_SQL = """
CREATE TABLE sigap_directory_stamp (
  id SMALLINT PRIMARY KEY CHECK (id = 1),
  stamp TEXT NOT NULL
);
INSERT INTO sigap_directory_stamp VALUES (1, gen_random_uuid()::text);
CREATE FUNCTION sigap_note_directory_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE sigap_directory_stamp SET stamp = gen_random_uuid()::text WHERE id = 1;
  RETURN NULL;
END $$;
CREATE TRIGGER sigap_directory_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON categories
  FOR EACH STATEMENT EXECUTE FUNCTION sigap_note_directory_change();
CREATE TRIGGER sigap_directory_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON agencies
  FOR EACH STATEMENT EXECUTE FUNCTION sigap_note_directory_change();
CREATE TRIGGER sigap_data_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON sigap_directory_stamp
  FOR EACH STATEMENT EXECUTE FUNCTION sigap_note_data_change();
"""


async def stamp_the_directory(apps, schema_editor):
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(POSTGRES_SQL)


class Migration(migrations.Migration):
    dependencies = [('sigap', '0023_map_cells_covering')]

    initial = False

    operations = [
        ops.RunPython(stamp_the_directory, reverse_code=ops.RunPython.noop),
    ]
