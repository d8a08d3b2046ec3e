from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import EventKind
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('sigap', '0006_idempotency_keys')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='ReportEvent',
            name='kind',
            field=fields.CharEnumField(description='FILED: FILED\nSTATUS_CHANGED: STATUS_CHANGED\nASSIGNED: ASSIGNED\nREROUTED: REROUTED\nCOMMENTED: COMMENTED\nINTERNAL_NOTE: INTERNAL_NOTE\nSUPPORTED: SUPPORTED\nFOLLOWED: FOLLOWED\nUNFOLLOWED: UNFOLLOWED\nDUPLICATE_MERGED: DUPLICATE_MERGED\nESCALATED: ESCALATED\nRATED: RATED\nPHOTO_ADDED: PHOTO_ADDED\nPHOTO_REMOVED: PHOTO_REMOVED\nPLACE_CHANGED: PLACE_CHANGED', enum_type=EventKind, max_length=24),
        ),
    ]
