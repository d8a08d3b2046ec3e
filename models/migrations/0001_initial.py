from tortoise import migrations
from tortoise.migrations import operations as ops
from models.enums import AreaLevel, EventKind, ReportStatus, Role
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Agency',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=32)),
                ('name', fields.CharField(description='Indonesian name', max_length=200)),
                ('name_en', fields.CharField(max_length=200)),
                ('phone', fields.CharField(null=True, max_length=40)),
                ('email', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'agencies', 'app': 'sigap', 'pk_attr': 'id', 'table_description': 'A city agency (OPD) that resolves reports.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Area',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=48)),
                ('name', fields.CharField(max_length=200)),
                ('level', fields.CharEnumField(description='KECAMATAN: KECAMATAN\nKELURAHAN: KELURAHAN', enum_type=AreaLevel, max_length=16)),
                ('parent', fields.ForeignKeyField('sigap.Area', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.RESTRICT)),
                ('polygon', fields.TextField(null=True, description='GeoJSON Polygon or MultiPolygon', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'areas', 'app': 'sigap', 'pk_attr': 'id', 'table_description': 'A kecamatan or kelurahan. Its polygon (GeoJSON), when loaded, routes reports to it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Category',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, max_length=48)),
                ('name', fields.CharField(description='Indonesian name', max_length=200)),
                ('name_en', fields.CharField(max_length=200)),
                ('agency', fields.ForeignKeyField('sigap.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='categories', on_delete=OnDelete.RESTRICT)),
                ('response_hours', fields.FloatField(description='target time to acknowledge')),
                ('resolution_hours', fields.FloatField(description='target time to resolve')),
                ('is_emergency', fields.BooleanField(default=False)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'categories', 'app': 'sigap', 'pk_attr': 'id', 'table_description': 'What a report is about: it decides which agency gets it and how fast.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(null=True, unique=True, max_length=254)),
                ('phone', fields.CharField(null=True, max_length=40)),
                ('name', fields.CharField(max_length=200)),
                ('role', fields.CharEnumField(default=Role.CITIZEN, description='CITIZEN: CITIZEN\nOFFICER: OFFICER\nDISPATCHER: DISPATCHER\nAGENCY_ADMIN: AGENCY_ADMIN\nCITY_ADMIN: CITY_ADMIN', enum_type=Role, max_length=16)),
                ('agency', fields.ForeignKeyField('sigap.Agency', source_field='agency_id', null=True, db_constraint=True, to_field='id', related_name='staff', on_delete=OnDelete.RESTRICT)),
                ('password_hash', fields.CharField(null=True, max_length=255)),
                ('is_active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'users', 'app': 'sigap', 'pk_attr': 'id', 'table_description': 'A citizen or a member of staff (staff belong to an agency).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Report',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(unique=True, description='public code for phone and SMS', max_length=16)),
                ('title', fields.CharField(max_length=200)),
                ('description', fields.TextField(unique=False)),
                ('category', fields.ForeignKeyField('sigap.Category', source_field='category_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.RESTRICT)),
                ('agency', fields.ForeignKeyField('sigap.Agency', source_field='agency_id', db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.RESTRICT)),
                ('area', fields.ForeignKeyField('sigap.Area', source_field='area_id', null=True, db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.RESTRICT)),
                ('latitude', fields.FloatField()),
                ('longitude', fields.FloatField()),
                ('address', fields.CharField(null=True, max_length=500)),
                ('status', fields.CharEnumField(default=ReportStatus.SUBMITTED, description='SUBMITTED: SUBMITTED\nACKNOWLEDGED: ACKNOWLEDGED\nIN_PROGRESS: IN_PROGRESS\nRESOLVED: RESOLVED\nCLOSED: CLOSED\nREJECTED: REJECTED\nDUPLICATE: DUPLICATE', enum_type=ReportStatus, max_length=16)),
                ('status_reason', fields.CharField(null=True, max_length=2000)),
                ('duplicate_of', fields.ForeignKeyField('sigap.Report', source_field='duplicate_of_id', null=True, db_constraint=True, to_field='id', related_name='duplicates', on_delete=OnDelete.RESTRICT)),
                ('reporter', fields.ForeignKeyField('sigap.User', source_field='reporter_id', null=True, db_constraint=True, to_field='id', related_name='reports', on_delete=OnDelete.SET_NULL)),
                ('assignee', fields.ForeignKeyField('sigap.User', source_field='assignee_id', null=True, db_constraint=True, to_field='id', related_name='assigned_reports', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('acknowledge_due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'reports', 'app': 'sigap', 'indexes': [Index(fields=['created_at', 'id']), Index(fields=['status', 'created_at']), Index(fields=['agency_id', 'created_at']), Index(fields=['category_id', 'created_at']), Index(fields=['area_id', 'created_at']), Index(fields=['latitude', 'longitude']), Index(fields=['due_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReportEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('report', fields.ForeignKeyField('sigap.Report', source_field='report_id', db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='FILED: FILED\nSTATUS_CHANGED: STATUS_CHANGED\nASSIGNED: ASSIGNED\nREROUTED: REROUTED\nCOMMENTED: COMMENTED', enum_type=EventKind, max_length=24)),
                ('actor', fields.ForeignKeyField('sigap.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='events', on_delete=OnDelete.SET_NULL)),
                ('from_status', fields.CharEnumField(null=True, description='SUBMITTED: SUBMITTED\nACKNOWLEDGED: ACKNOWLEDGED\nIN_PROGRESS: IN_PROGRESS\nRESOLVED: RESOLVED\nCLOSED: CLOSED\nREJECTED: REJECTED\nDUPLICATE: DUPLICATE', enum_type=ReportStatus, max_length=16)),
                ('to_status', fields.CharEnumField(null=True, description='SUBMITTED: SUBMITTED\nACKNOWLEDGED: ACKNOWLEDGED\nIN_PROGRESS: IN_PROGRESS\nRESOLVED: RESOLVED\nCLOSED: CLOSED\nREJECTED: REJECTED\nDUPLICATE: DUPLICATE', enum_type=ReportStatus, max_length=16)),
                ('note', fields.CharField(null=True, max_length=2000)),
                ('data', fields.JSONField(null=True, description='kind-specific details, e.g. old and new agency', encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, description='set by the relay once on the bus', auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'report_events', 'app': 'sigap', 'indexes': [Index(fields=['report_id', 'id'])], 'pk_attr': 'id', 'table_description': "One entry of a report's timeline. Its id is the monotonic cursor of the live feed."},
            bases=['Model'],
        ),
    ]
