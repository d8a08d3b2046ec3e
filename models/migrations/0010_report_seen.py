from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('sigap', '0009_event_as_of')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportSeen',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('sigap.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='seen_by', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('sigap.User', source_field='user_id', db_constraint=True, to_field='id', related_name='seen_reports', on_delete=OnDelete.CASCADE)),
                ('last_event_id', fields.BigIntField(default=0, description='the newest timeline event seen')),
                ('seen_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'report_seen', 'app': 'sigap', 'unique_together': (('user', 'report'),), 'pk_attr': 'id', 'table_description': "A user's marker on a report: its public events after `last_event_id` are their unread updates."},
            bases=['Model'],
        ),
    ]
