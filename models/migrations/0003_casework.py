from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import EventKind, ResolutionOutcome
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('sigap', '0002_report_events_published_index')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportFollower',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('sigap.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='followers', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('sigap.User', source_field='user_id', db_constraint=True, to_field='id', related_name='follows', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'report_followers', 'app': 'sigap', 'unique_together': (('report', 'user'),), 'pk_attr': 'id', 'table_description': 'A signed-in user following a report they did not file (the reporter follows their own).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReportSupport',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('sigap.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='supports', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('sigap.User', source_field='user_id', db_constraint=True, to_field='id', related_name='supports', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'report_supports', 'app': 'sigap', 'unique_together': (('report', 'user'),), 'pk_attr': 'id', 'table_description': 'A citizen backing an existing report ("me too") instead of filing it again.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Category',
            name='duplicate_radius_m',
            field=fields.IntField(default=100, description='open reports this close are offered as duplicates before filing'),
        ),
        ops.AddField(
            model_name='Report',
            name='acknowledge_escalated_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Report',
            name='dispute_count',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='Report',
            name='due_escalated_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Report',
            name='rating',
            field=fields.SmallIntField(null=True, description="1..5, the reporter's rating of the fix"),
        ),
        ops.AddField(
            model_name='Report',
            name='rating_comment',
            field=fields.CharField(null=True, description='private', max_length=2000),
        ),
        ops.AddField(
            model_name='Report',
            name='reporter_follows',
            field=fields.BooleanField(default=True, description='the reporter gets its updates'),
        ),
        ops.AddField(
            model_name='Report',
            name='resolution_outcome',
            field=fields.CharEnumField(null=True, description='CONFIRMED: CONFIRMED\nAUTO_CLOSED: AUTO_CLOSED\nCLOSED_DESPITE_DISPUTE: CLOSED_DESPITE_DISPUTE\nCLOSED_BY_STAFF: CLOSED_BY_STAFF', enum_type=ResolutionOutcome, max_length=24),
        ),
        ops.AddIndex(
            model_name='Report',
            index=Index(fields=['assignee_id', 'due_at']),
        ),
        ops.AlterField(
            model_name='ReportEvent',
            name='kind',
            field=fields.CharEnumField(description='FILED: FILED\nSTATUS_CHANGED: STATUS_CHANGED\nASSIGNED: ASSIGNED\nREROUTED: REROUTED\nCOMMENTED: COMMENTED\nINTERNAL_NOTE: INTERNAL_NOTE\nSUPPORTED: SUPPORTED\nFOLLOWED: FOLLOWED\nUNFOLLOWED: UNFOLLOWED\nDUPLICATE_MERGED: DUPLICATE_MERGED\nESCALATED: ESCALATED\nRATED: RATED', enum_type=EventKind, max_length=24),
        ),
        ops.AddField(
            model_name='ReportEvent',
            name='is_internal',
            field=fields.BooleanField(default=False, description='staff only (internal notes): the live feed and timeline hide it'),
        ),
    ]
