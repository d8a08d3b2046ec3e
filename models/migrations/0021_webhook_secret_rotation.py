from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('sigap', '0020_map_cells')]

    initial = False

    operations = [
        ops.AddField(
            model_name='WebhookEndpoint',
            name='previous_secret',
            field=fields.CharField(null=True, description='the secret before a rotation, also signing until', max_length=64),
        ),
        ops.AddField(
            model_name='WebhookEndpoint',
            name='previous_secret_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
