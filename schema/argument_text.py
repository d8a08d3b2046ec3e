"""The one door for text in arguments: no string anywhere in an operation's arguments, variables
or literals, may carry a NUL character. PostgreSQL cannot store or even compare one (it fails the
statement), so each resolver would otherwise meet it as an internal error; refused here, before
validation, no resolver or SQL sees it."""

from __future__ import annotations

from collections.abc import Iterator

from graphql import BREAK, DocumentNode, StringValueNode, visit
from graphql.language import Visitor
from strawberry.extensions import SchemaExtension

from resolvers.errors import ErrorCode, fail
from schema.operation_limits import refusal

NUL = "\x00"


def nul_at(value: object) -> str | None:
    """The name of the first field (or variable) of a decoded JSON value whose text, or key,
    holds NUL; None if there is none. Iterative, so that deep nesting cannot exhaust the stack."""
    pending: list[tuple[str, object]] = [("", value)]
    while pending:
        name, item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return name
        elif isinstance(item, dict):
            pending.extend((str(key), key) for key in item)
            pending.extend((str(key), inner) for key, inner in item.items())
        elif isinstance(item, list | tuple):
            pending.extend((name, inner) for inner in item)
    return None


class _NulLiteralFinder(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_string_value(self, node: StringValueNode, *_args: object) -> object:
        if NUL in node.value:
            self.found = True
            return BREAK
        return None


def document_carries_nul(query: str, document: DocumentNode) -> bool:
    # The lexer refuses a raw NUL in the text; only an escape (\u0000, \u{0}) can make one.
    if "\\u" not in query:
        return False
    finder = _NulLiteralFinder()
    visit(document, finder)
    return finder.found


class NoNulInArguments(SchemaExtension):
    """Refuses, before validation, an operation whose variables or literals carry NUL."""

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        document = execution.graphql_document
        if execution.pre_execution_errors or document is None:
            yield
            return
        field = nul_at(execution.variables)
        if field is not None or document_carries_nul(execution.query or "", document):
            execution.pre_execution_errors = [
                refusal(
                    fail(
                        ErrorCode.INVALID_INPUT,
                        "Teks tidak boleh berisi karakter NUL",
                        "Text must not contain NUL characters",
                        field.replace("\x00", "\\u0000") if field else None,
                    )
                )
            ]
        yield
