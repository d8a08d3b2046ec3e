from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import EventKind, FlagReason, FlagResolution, FlagTarget, ModerationState
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('sigap', '0013_area_codes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FlaggedItem',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('sigap.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='flagged_items', on_delete=OnDelete.CASCADE)),
                ('target', fields.CharEnumField(description='REPORT: REPORT\nCOMMENT: COMMENT\nPHOTO: PHOTO', enum_type=FlagTarget, max_length=16)),
                ('target_id', fields.BigIntField(description='the report, comment event or photo flagged')),
                ('flag_count', fields.IntField(default=0)),
                ('last_flagged_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, description='null while open', auto_now=False, auto_now_add=False)),
                ('resolution', fields.CharEnumField(null=True, description='MODERATED: MODERATED\nDISMISSED: DISMISSED', enum_type=FlagResolution, max_length=16)),
                ('resolved_by', fields.ForeignKeyField('sigap.User', source_field='resolved_by_id', null=True, db_constraint=True, to_field='id', related_name='resolved_flags', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'flagged_items', 'app': 'sigap', 'unique_together': (('target', 'target_id'),), 'indexes': [Index(fields=['resolved_at', 'last_flagged_at'])], 'pk_attr': 'id', 'table_description': 'One flagged piece of content: an entry of the moderation queue, open until staff act on it'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ContentFlag',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('item', fields.ForeignKeyField('sigap.FlaggedItem', source_field='item_id', db_constraint=True, to_field='id', related_name='flags', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('sigap.User', source_field='user_id', db_constraint=True, to_field='id', related_name='flags', on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharEnumField(description='SPAM: SPAM\nABUSIVE: ABUSIVE\nPERSONAL_DATA: PERSONAL_DATA\nWRONG_PLACE: WRONG_PLACE\nOTHER: OTHER', enum_type=FlagReason, max_length=16)),
                ('text', fields.CharField(null=True, description="the citizen's words (OTHER)", max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'content_flags', 'app': 'sigap', 'unique_together': (('item', 'user'),), 'pk_attr': 'id', 'table_description': "One citizen's flag on an item: one per user per item."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Report',
            name='description_moderation',
            field=fields.CharEnumField(null=True, description='HIDDEN: HIDDEN\nREDACTED: REDACTED', enum_type=ModerationState, max_length=16),
        ),
        ops.AddField(
            model_name='Report',
            name='title_moderation',
            field=fields.CharEnumField(null=True, description='HIDDEN: HIDDEN\nREDACTED: REDACTED', enum_type=ModerationState, max_length=16),
        ),
        ops.AlterField(
            model_name='ReportEvent',
            name='kind',
            field=fields.CharEnumField(description='FILED: FILED\nSTATUS_CHANGED: STATUS_CHANGED\nASSIGNED: ASSIGNED\nREROUTED: REROUTED\nCOMMENTED: COMMENTED\nINTERNAL_NOTE: INTERNAL_NOTE\nSUPPORTED: SUPPORTED\nFOLLOWED: FOLLOWED\nUNFOLLOWED: UNFOLLOWED\nDUPLICATE_MERGED: DUPLICATE_MERGED\nESCALATED: ESCALATED\nRATED: RATED\nPHOTO_ADDED: PHOTO_ADDED\nPHOTO_REMOVED: PHOTO_REMOVED\nPLACE_CHANGED: PLACE_CHANGED\nMODERATED: MODERATED', enum_type=EventKind, max_length=24),
        ),
        ops.AddField(
            model_name='ReportEvent',
            name='moderation',
            field=fields.CharEnumField(null=True, description='HIDDEN: HIDDEN\nREDACTED: REDACTED', enum_type=ModerationState, max_length=16),
        ),
        ops.AddField(
            model_name='ReportPhoto',
            name='moderation',
            field=fields.CharEnumField(null=True, description='HIDDEN: HIDDEN\nREDACTED: REDACTED', enum_type=ModerationState, max_length=16),
        ),
    ]
