"""Nothing writes deliveries or outbox cursors but the framework (realtime/deliveries.py): another
writer would skip the cursor lock (an event fanned out twice) or the order-key rule. Channels mark
deliveries cancelled through it too."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("models", "realtime", "resolvers", "schema", "server", "federation")
THE_DOOR = REPO / "realtime" / "deliveries.py"
WRITES = {"create", "bulk_create", "get_or_create", "update_or_create", "save", "update", "delete"}
MODELS = {"Delivery", "OutboxCursor"}


def _root(node: ast.expr) -> ast.expr:
    """`Delivery` of `Delivery.filter(...).using_db(c).update`."""
    while isinstance(node, ast.Attribute | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node


def _writes(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            target = node.func
            if isinstance(target, ast.Name) and target.id in MODELS:
                lines.append(node.lineno)  # an instance to save or bulk_create
            root = _root(target)
            writes = isinstance(target, ast.Attribute) and target.attr in WRITES
            if writes and isinstance(root, ast.Name) and root.id in MODELS:
                lines.append(node.lineno)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = " ".join(node.value.lower().split())
            if any(
                f"{verb} {table}" in text
                for verb in ("insert into", "update")
                for table in ("deliveries", "outbox_cursors")
            ):
                lines.append(node.lineno)
    return lines


def test_only_the_framework_writes_deliveries() -> None:
    offenders = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if path == THE_DOOR or "migrations" in path.parts:
                continue
            if lines := _writes(ast.parse(path.read_text(), str(path))):
                offenders[str(path.relative_to(REPO))] = lines
    assert offenders == {}, "write deliveries through realtime.deliveries"
    assert _writes(ast.parse(THE_DOOR.read_text()))  # the check sees the door's own writes
