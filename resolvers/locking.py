"""Reading a report for a change: its row locked until the transaction ends, so that concurrent
changes to one report serialise (SELECT ... FOR UPDATE on PostgreSQL; SQLite writes one at a time)."""

from __future__ import annotations

from tortoise.backends.base.client import BaseDBAsyncClient

from models import Report
from resolvers.errors import DomainError, ErrorCode, fail


async def locked_report(connection: BaseDBAsyncClient, report_id: int, field: str = "id") -> Report:
    """`field` names the input that carried the report's ID, for the NOT_FOUND error."""
    report = await Report.filter(id=report_id).select_for_update().using_db(connection).first()
    if report is None:
        raise report_not_found(field)
    return report


def report_not_found(field: str = "id") -> DomainError:
    return fail(ErrorCode.NOT_FOUND, "Laporan tidak ditemukan", "Report not found", field)
