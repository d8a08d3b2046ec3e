"""Nothing writes report events but the unit of work (resolvers/report_change.py): any other
`ReportEvent.create`, `bulk_create`, `ReportEvent(...)` or SQL insert into report_events in the
application's packages would skip the commit-order lock, the as-of state or the announcement."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "realtime", "resolvers", "schema", "server", "federation")
THE_DOOR = REPO / "resolvers" / "report_change.py"


def _writes_events(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            target = node.func
            if isinstance(target, ast.Name) and target.id == "ReportEvent":
                lines.append(node.lineno)  # an instance to save or bulk_create
            if (
                isinstance(target, ast.Attribute)
                and isinstance(target.value, ast.Name)
                and target.value.id == "ReportEvent"
                and target.attr in {"create", "bulk_create", "get_or_create", "update_or_create"}
            ):
                lines.append(node.lineno)
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and "insert into report_events" in " ".join(node.value.lower().split())
        ):
            lines.append(node.lineno)
    return lines


def test_only_the_unit_of_work_writes_report_events() -> None:
    offenders = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if path == THE_DOOR or "migrations" in path.parts:
                continue
            if lines := _writes_events(ast.parse(path.read_text(), str(path))):
                offenders[str(path.relative_to(REPO))] = lines
    assert offenders == {}, "write events through resolvers.report_change.report_change()"
    assert _writes_events(ast.parse(THE_DOOR.read_text()))  # the check sees the door's own write
