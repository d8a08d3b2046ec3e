from tortoise import migrations
from tortoise.migrations import operations as ops

# PostgreSQL: a fingerprint of this database's committed state (resolvers.data_version) that writes
# to other databases of the same cluster leave alone. Every write statement, on every table, takes
# a shared advisory lock for the rest of its transaction and then moves a sequence; a reader that
# sees the sequence unchanged knows nothing committed since, and one that can take the lock
# exclusively knows no write is in flight. Frozen here; tests/test_data_version.py checks that every
# table has the trigger (a migration that creates a table adds the same trigger).
# 7305801294337150561: the advisory lock of writes in flight (per database), read by resolvers.data_version.
POSTGRES_SQL = """
CREATE SEQUENCE sigap_data_version;
CREATE FUNCTION sigap_note_data_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The lock first: a reader that sees the new number either finds the lock held or the
  -- transaction committed.
  PERFORM pg_advisory_xact_lock_shared(7305801294337150561);
  PERFORM nextval('sigap_data_version');
  RETURN NULL;
END $$;
DO $$
DECLARE t RECORD;
BEGIN
  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('CREATE TRIGGER sigap_data_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION sigap_note_data_change()', t.tablename);
  END LOOP;
END $$;
"""


async def watch_every_table(apps, schema_editor):
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(POSTGRES_SQL)


class Migration(migrations.Migration):
    dependencies = [('sigap', '0021_webhook_secret_rotation')]

    initial = False

    operations = [
        ops.RunPython(watch_every_table, reverse_code=ops.RunPython.noop),
    ]
