from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('sigap', '0007_place_changed_event')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Registration',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(db_index=True, max_length=254)),
                ('name', fields.CharField(max_length=200)),
                ('phone', fields.CharField(null=True, max_length=40)),
                ('password_hash', fields.CharField(max_length=255)),
                ('token_hash', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'registrations', 'app': 'sigap', 'pk_attr': 'id', 'table_description': "A citizen's registration waiting for its email to be verified. Made alike whether or not"},
            bases=['Model'],
        ),
    ]
