"""Parsing with a size check before anything is kept or validated.

Validating a document costs time per field it selects, in every rule: 5,000 tokens spent on one
field repeated thousands of times (`{ agencies { code code code ... } }`, allowed by the token
limit and merged into one field at execution) take graphql-core's validation over 100 ms and end
in an unhelpful "Validation aborted." Counting selections and directives is one quick pass over
the parsed tree: documents over MAX_SELECTIONS are refused with a clear error and never
validated. Fragments count wherever they are spread, which also stops fragment "bombs" (each
level spreading the one below several times) before Strawberry's alias and depth rules, which
expand fragments without memory, spend exponential time on them. A real client's largest
document (GraphiQL's introspection query) makes about 230.

Only documents that passed validation are kept, parsed and validated once per schema: unique
refused documents would otherwise fill the cache with large trees, costing memory and making
every garbage collection slower. The cache is bounded in bytes, keys (digests of the text)
included, by an upper estimate of a parsed document's weight.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from cachetools import LRUCache
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    Node,
    OperationDefinitionNode,
    parse,
)
from strawberry.extensions import SchemaExtension

MAX_SELECTIONS = 1_000
MAX_NESTING = 40  # selection sets and fragment spreads; the depth limit (10) counts fields only
# Real clients send a few KB (GraphiQL's introspection query is 1.8 KB). Longer documents are
# refused before the lexer reads them: parsing thousands of tokens costs tens of milliseconds.
MAX_DOCUMENT_CHARACTERS = 12_000


@dataclass(frozen=True)
class DocumentSize:
    selections: int  # fields, spreads, inline fragments and directives, fragments counted where spread
    nesting: int  # the deepest chain of selection sets and fragment spreads


def document_size(document: DocumentNode) -> DocumentSize:
    """The size the validation rules will walk, measured in time linear in the document: each
    fragment is measured once and memoised, so a fragment "bomb" whose spreads multiply at each
    level is measured without being expanded. RecursionError for absurd fragment chains."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    memo: dict[str, DocumentSize] = {}
    visiting: set[str] = set()

    def fragment(name: str) -> DocumentSize:
        if name in memo:
            return memo[name]
        definition = fragments.get(name)
        if definition is None or name in visiting:
            return DocumentSize(0, 0)  # unknown or circular: validation refuses it
        visiting.add(name)
        memo[name] = measure(definition)
        visiting.discard(name)
        return memo[name]

    def measure(node: Node) -> DocumentSize:
        selections = len(getattr(node, "directives", None) or ())
        nesting = 0
        if isinstance(node, FragmentSpreadNode):
            spread = fragment(node.name.value)
            selections += spread.selections
            nesting = spread.nesting + 1
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            for selection in selection_set.selections:
                inner = measure(selection)
                selections += 1 + inner.selections
                nesting = max(nesting, inner.nesting + 1)
        return DocumentSize(selections, nesting)

    operations = [measure(d) for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    return DocumentSize(
        sum(o.selections for o in operations), max((o.nesting for o in operations), default=0)
    )


# A parsed document weighs up to about 200 bytes per character of its text (tokens, nodes,
# locations; measured with pympler in tests/test_query_limits.py), plus the entry's key and
# bookkeeping: the cache counts that much for each.
DOCUMENT_BYTES_PER_CHARACTER = 200
DOCUMENT_ENTRY_OVERHEAD_BYTES = 512
MAX_CACHED_DOCUMENT_BYTES = 32 * 2**20


@dataclass(frozen=True)
class CachedDocument:
    document: DocumentNode
    weight: int  # the bytes the cache counts for it

    @classmethod
    def of(cls, query: str, document: DocumentNode) -> CachedDocument:
        return cls(document, DOCUMENT_BYTES_PER_CHARACTER * len(query) + DOCUMENT_ENTRY_OVERHEAD_BYTES)


def _weight(entry: CachedDocument) -> int:
    return entry.weight


# Shared by every request: (schema, SHA-256 of the text) -> a document that passed its validation.
validated_documents: LRUCache[tuple[int, bytes], CachedDocument] = LRUCache(
    MAX_CACHED_DOCUMENT_BYTES, getsizeof=_weight
)


_schema_numbers = itertools.count()


def document_key(schema: object, query: str) -> tuple[int, bytes]:
    # A number given to each schema once (not its id(), which a later schema may reuse).
    number = getattr(schema, "_validated_documents_number", None)
    if number is None:
        number = next(_schema_numbers)
        setattr(schema, "_validated_documents_number", number)  # noqa: B010 - a private mark on a foreign object
    return number, hashlib.sha256(query.encode(errors="surrogatepass")).digest()


class CheckedDocumentCache(SchemaExtension):
    """Parsing and validation, skipped for a document this schema validated before; documents
    over MAX_DOCUMENT_CHARACTERS are refused unread, those over MAX_SELECTIONS or MAX_NESTING
    unvalidated, and only documents that passed validation are kept."""

    def __init__(self, max_selections: int = MAX_SELECTIONS, max_nesting: int = MAX_NESTING) -> None:
        super().__init__()
        self.max_selections = max_selections
        self.max_nesting = max_nesting
        self.key: tuple[int, bytes] | None = None
        self.document: DocumentNode | None = None

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        query = execution.query
        if query is None:  # Strawberry answers "no query" itself
            yield
            return
        key = document_key(execution.schema, query)
        cached = validated_documents.get(key)
        if cached is not None:
            execution.graphql_document = cached.document
            execution.pre_execution_errors = []  # validated before: the rules are the schema's
            yield
            return
        if len(query) > MAX_DOCUMENT_CHARACTERS:
            raise GraphQLError(
                f"The document has {len(query)} characters; at most {MAX_DOCUMENT_CHARACTERS} are allowed"
            )
        document = parse(query, **execution.parse_options)  # syntax errors and the token limit
        refusal = self.refusal(document)
        if refusal is not None:
            execution.pre_execution_errors = [refusal]
        else:
            self.key, self.document = key, document
        execution.graphql_document = document
        yield

    def on_validate(self) -> Iterator[None]:
        yield
        execution = self.execution_context
        if self.key is not None and self.document is not None and execution.pre_execution_errors == []:
            entry = CachedDocument.of(execution.query or "", self.document)
            if entry.weight <= MAX_CACHED_DOCUMENT_BYTES // 16:  # one document must not evict all
                validated_documents[self.key] = entry

    def refusal(self, document: DocumentNode) -> GraphQLError | None:
        try:
            size = document_size(document)
        except RecursionError:
            size = DocumentSize(0, self.max_nesting + 1)
        if size.nesting > self.max_nesting:
            message = f"The document nests selections and fragments deeper than {self.max_nesting} levels"
        elif size.selections > self.max_selections:
            message = (
                f"The document makes {size.selections} selections (fragments counted where spread); "
                f"at most {self.max_selections} are allowed"
            )
        else:
            return None
        return GraphQLError(message, extensions={"code": "GRAPHQL_VALIDATION_FAILED"})
