from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('sigap', '0016_webhooks')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PushSubscription',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('sigap.User', source_field='user_id', db_constraint=True, to_field='id', related_name='push_subscriptions', on_delete=OnDelete.CASCADE)),
                ('endpoint', fields.CharField(unique=True, description="the push service's URL", max_length=1024)),
                ('p256dh', fields.CharField(description="the browser's P-256 public key, base64url", max_length=128)),
                ('auth', fields.CharField(description="the browser's auth secret, base64url", max_length=64)),
                ('label', fields.CharField(default='', description='the device, as its owner names it', max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_success_at', fields.DatetimeField(null=True, description='the push service last accepted a message', auto_now=False, auto_now_add=False)),
                ('failures', fields.IntField(default=0, description='failed sends since the last success')),
            ],
            options={'table': 'push_subscriptions', 'app': 'sigap', 'pk_attr': 'id', 'table_description': "One browser's push subscription (`PushSubscription.toJSON()`), bound to the user who last"},
            bases=['Model'],
        ),
    ]
