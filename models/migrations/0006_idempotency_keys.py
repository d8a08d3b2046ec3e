from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('sigap', '0005_event_kinds')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IdempotencyKey',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('client', fields.CharField(description="the principal's client identity", max_length=200)),
                ('key', fields.CharField(max_length=100)),
                ('request_hash', fields.CharField(description="SHA-256 of the filing's input", max_length=64)),
                ('report', fields.ForeignKeyField('sigap.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='idempotency_keys', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotency_keys', 'app': 'sigap', 'unique_together': (('client', 'key'),), 'indexes': [Index(fields=['expires_at'])], 'pk_attr': 'id', 'table_description': 'Written in the same transaction as the report it names. Unique per client and key, so two'},
            bases=['Model'],
        ),
    ]
