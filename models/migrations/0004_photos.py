from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import EventKind, PhotoFormat, PhotoKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('sigap', '0003_casework')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ReportPhoto',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('sigap.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharEnumField(description='BEFORE: BEFORE\nAFTER: AFTER', enum_type=PhotoKind, max_length=8)),
                ('stored_name', fields.CharField(unique=True, max_length=64)),
                ('thumbnail_name', fields.CharField(unique=True, max_length=64)),
                ('format', fields.CharEnumField(description='JPEG: JPEG\nPNG: PNG\nWEBP: WEBP', enum_type=PhotoFormat, max_length=8)),
                ('width', fields.IntField()),
                ('height', fields.IntField()),
                ('byte_size', fields.IntField()),
                ('uploaded_by', fields.ForeignKeyField('sigap.User', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name='photos', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'report_photos', 'app': 'sigap', 'indexes': [Index(fields=['report_id', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Category',
            name='requires_after_photo',
            field=fields.BooleanField(default=True, description='resolving needs a photo of the fix taken since the last reopen'),
        ),
        ops.AlterField(
            model_name='ReportEvent',
            name='kind',
            field=fields.CharEnumField(description='FILED: FILED\nSTATUS_CHANGED: STATUS_CHANGED\nASSIGNED: ASSIGNED\nREROUTED: REROUTED\nCOMMENTED: COMMENTED\nPHOTO_ADDED: PHOTO_ADDED\nPHOTO_REMOVED: PHOTO_REMOVED', enum_type=EventKind, max_length=24),
        ),
    ]
