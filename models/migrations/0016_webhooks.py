from tortoise import migrations
from tortoise.migrations import operations as ops
from models.webhooks import WebhookStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('sigap', '0015_deliveries')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('api_key', fields.ForeignKeyField('sigap.ApiKey', source_field='api_key_id', db_constraint=True, to_field='id', related_name='webhook_endpoints', on_delete=OnDelete.CASCADE)),
                ('url', fields.CharField(max_length=2000)),
                ('event_filter', fields.JSONField(description='the reportEvents filter, as given (GraphQL names)', encoder=JSON_DUMPS, decoder=loads)),
                ('secret', fields.CharField(description='whsec_..., signs the requests', max_length=64)),
                ('status', fields.CharEnumField(default=WebhookStatus.ACTIVE, description='ACTIVE: ACTIVE\nDISABLED: DISABLED', enum_type=WebhookStatus, max_length=16)),
                ('disabled_reason', fields.CharField(null=True, max_length=500)),
                ('disabled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('after_event_id', fields.BigIntField(default=0, description='events after this one are sent')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_endpoints', 'app': 'sigap', 'pk_attr': 'id', 'table_description': 'One partner address. Its secret signs every request (Standard Webhooks), so it is kept as'},
            bases=['Model'],
        ),
    ]
