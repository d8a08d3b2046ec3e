from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import IntakeChannel
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('sigap', '0011_category_presentation')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Report',
            name='channel',
            field=fields.CharEnumField(default=IntakeChannel.APP, description='how the report reached the city', enum_type=IntakeChannel, max_length=16),
        ),
    ]
