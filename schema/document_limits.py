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

Refused documents are not kept in the parser cache: unique oversized documents would otherwise
fill it with large trees, costing memory and making every garbage collection slower.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    Node,
    OperationDefinitionNode,
    parse,
)
from strawberry.extensions import SchemaExtension, ValidationCache

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


# A parsed document weighs about 120 bytes per character of its text (tokens, nodes, locations):
# the cache is bounded by characters too, so that unique large documents cannot fill memory.
MAX_CACHED_CHARACTERS = 500_000


class _DocumentCache:
    def __init__(self) -> None:
        self.documents: OrderedDict[str, DocumentNode] = OrderedDict()
        self.characters = 0

    def get(self, query: str) -> DocumentNode | None:
        document = self.documents.get(query)
        if document is not None:
            self.documents.move_to_end(query)
        return document

    def put(self, query: str, document: DocumentNode, maxsize: int) -> None:
        self.documents[query] = document
        self.characters += len(query)
        while len(self.documents) > maxsize or self.characters > MAX_CACHED_CHARACTERS:
            evicted, _ = self.documents.popitem(last=False)
            self.characters -= len(evicted)


_documents = _DocumentCache()  # shared by every request


class CheckedParserCache(SchemaExtension):
    """Strawberry's ParserCache, keeping only documents within MAX_SELECTIONS and MAX_NESTING, and
    bounded by MAX_CACHED_CHARACTERS as well as by count."""

    def __init__(
        self, maxsize: int = 512, max_selections: int = MAX_SELECTIONS, max_nesting: int = MAX_NESTING
    ) -> None:
        super().__init__()
        self.maxsize = maxsize
        self.max_selections = max_selections
        self.max_nesting = max_nesting

    def on_parse(self) -> Iterator[None]:
        execution = self.execution_context
        query = execution.query
        if query is None:  # Strawberry answers "no query" itself
            yield
            return
        document = _documents.get(query)
        if document is None:
            if len(query) > MAX_DOCUMENT_CHARACTERS:
                raise GraphQLError(
                    f"The document has {len(query)} characters; at most {MAX_DOCUMENT_CHARACTERS} are allowed"
                )
            document = parse(query, **execution.parse_options)  # syntax errors and the token limit
            refusal = self.refusal(document)
            if refusal is not None:
                execution.pre_execution_errors = [refusal]
            else:
                _documents.put(query, document, self.maxsize)
        execution.graphql_document = document
        yield

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


class ValidationCacheUnlessRefused(ValidationCache):
    """Strawberry's validation cache, skipped for a document already refused after parsing."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
            return
        yield from super().on_validate()
