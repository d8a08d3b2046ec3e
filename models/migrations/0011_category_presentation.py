from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('sigap', '0010_report_seen')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Category',
            name='color',
            field=fields.CharField(null=True, description='#RRGGBB', max_length=7),
        ),
        ops.AddField(
            model_name='Category',
            name='description',
            field=fields.CharField(null=True, description='Indonesian', max_length=500),
        ),
        ops.AddField(
            model_name='Category',
            name='description_en',
            field=fields.CharField(null=True, max_length=500),
        ),
        ops.AddField(
            model_name='Category',
            name='help_text',
            field=fields.CharField(null=True, description='what to report, Indonesian', max_length=1000),
        ),
        ops.AddField(
            model_name='Category',
            name='help_text_en',
            field=fields.CharField(null=True, max_length=1000),
        ),
        ops.AddField(
            model_name='Category',
            name='icon',
            field=fields.CharField(null=True, description='a Material Symbols icon name', max_length=64),
        ),
        ops.AddField(
            model_name='Category',
            name='sort_order',
            field=fields.IntField(default=0, description='lower first in pickers'),
        ),
    ]
