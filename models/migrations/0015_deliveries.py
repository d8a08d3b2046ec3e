from tortoise import migrations
from tortoise.migrations import operations as ops
from models.deliveries import DeliveryStatus
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('sigap', '0014_moderation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(description='webhook, email, web_push, sms, ...', max_length=32)),
                ('target', fields.CharField(description="the channel's addressee: endpoint id, user id...", max_length=128)),
                ('order_key', fields.CharField(null=True, description='ordered per (channel, target, key)', max_length=128)),
                ('event_id', fields.BigIntField(null=True, description='the report event it tells of, if any')),
                ('payload', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=DeliveryStatus.PENDING, description='PENDING: PENDING\nDELIVERED: DELIVERED\nFAILED: FAILED\nCANCELLED: CANCELLED', enum_type=DeliveryStatus, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(description='given up after this time', auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=500)),
                ('last_status_code', fields.IntField(null=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'deliveries', 'app': 'sigap', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['channel', 'target', 'order_key', 'status'])], 'pk_attr': 'id', 'table_description': 'One message for one addressee of one channel. Deliveries with the same (channel, target,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxCursor',
            fields=[
                ('name', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('last_event_id', fields.BigIntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_cursors', 'app': 'sigap', 'pk_attr': 'name', 'table_description': 'How far one consumer has read the timeline (the outbox): events up to `last_event_id` have'},
            bases=['Model'],
        ),
    ]
