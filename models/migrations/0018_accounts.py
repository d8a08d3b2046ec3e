from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('sigap', '0017_web_push')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PasswordReset',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('sigap.User', source_field='user_id', db_constraint=True, to_field='id', related_name='password_resets', on_delete=OnDelete.CASCADE)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'password_resets', 'app': 'sigap', 'pk_attr': 'id', 'table_description': 'A mailed password-reset token: single use, expiring, and replaced by a newer request.'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='Registration',
            options={'table': 'registrations', 'app': 'sigap', 'pk_attr': 'id', 'table_description': "An email waiting to be verified: a citizen's registration, or (with `user`) an account's"},
        ),
        ops.AlterField(
            model_name='Registration',
            name='password_hash',
            field=fields.CharField(null=True, description='none for an email change', max_length=255),
        ),
        ops.AddField(
            model_name='Registration',
            name='user',
            field=fields.ForeignKeyField('sigap.User', source_field='user_id', null=True, db_constraint=True, to_field='id', related_name='email_changes', on_delete=OnDelete.CASCADE),
        ),
        ops.AddField(
            model_name='User',
            name='credentials_version',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='User',
            name='deleted_at',
            field=fields.DatetimeField(null=True, description='the person deleted the account: no data left', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='User',
            name='locale',
            field=fields.CharField(default='id', description='language of mail and messages', max_length=8),
        ),
    ]
