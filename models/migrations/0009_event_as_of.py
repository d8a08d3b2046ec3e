from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import ReportStatus
from tortoise import fields

# Events written before these columns get the report's state at migration time: the best
# knowledge there is, and the same on live and replay from now on.
BACKFILL = """
UPDATE report_events SET
  agency_before_id = (SELECT agency_id FROM reports WHERE reports.id = report_events.report_id),
  agency_after_id = (SELECT agency_id FROM reports WHERE reports.id = report_events.report_id),
  category_before_id = (SELECT category_id FROM reports WHERE reports.id = report_events.report_id),
  category_after_id = (SELECT category_id FROM reports WHERE reports.id = report_events.report_id),
  area_before_id = (SELECT area_id FROM reports WHERE reports.id = report_events.report_id),
  area_after_id = (SELECT area_id FROM reports WHERE reports.id = report_events.report_id),
  status_before = COALESCE(from_status, (SELECT status FROM reports WHERE reports.id = report_events.report_id)),
  status_after = COALESCE(to_status, (SELECT status FROM reports WHERE reports.id = report_events.report_id))
"""

class Migration(migrations.Migration):
    dependencies = [('sigap', '0008_registrations')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ReportEvent',
            name='agency_after_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='ReportEvent',
            name='agency_before_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='ReportEvent',
            name='area_after_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='ReportEvent',
            name='area_before_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='ReportEvent',
            name='category_after_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='ReportEvent',
            name='category_before_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='ReportEvent',
            name='status_after',
            field=fields.CharEnumField(null=True, description='SUBMITTED: SUBMITTED\nACKNOWLEDGED: ACKNOWLEDGED\nIN_PROGRESS: IN_PROGRESS\nRESOLVED: RESOLVED\nCLOSED: CLOSED\nREJECTED: REJECTED\nDUPLICATE: DUPLICATE', enum_type=ReportStatus, max_length=16),
        ),
        ops.AddField(
            model_name='ReportEvent',
            name='status_before',
            field=fields.CharEnumField(null=True, description='SUBMITTED: SUBMITTED\nACKNOWLEDGED: ACKNOWLEDGED\nIN_PROGRESS: IN_PROGRESS\nRESOLVED: RESOLVED\nCLOSED: CLOSED\nREJECTED: REJECTED\nDUPLICATE: DUPLICATE', enum_type=ReportStatus, max_length=16),
        ),
        ops.RunSQL(BACKFILL, reverse_sql=""),
    ]
