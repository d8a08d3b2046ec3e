"""A validated query compiled once into a plan: per response key, one function from the fetched
rows to the answer, with the schema's own serializers for the leaves.

Compiling walks the selection with graphql-core's own field collection (fragments, aliases and
merged fields as the general path sees them), so the answer has the same keys in the same order.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from graphql import (
    DirectiveNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    OperationDefinitionNode,
    OperationType,
    get_argument_values,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    visit,
)
from graphql.execution.collect_fields import FieldDetails, collect_fields
from graphql.execution.values import VariableValues
from graphql.language import BREAK, FieldNode, Visitor
from strawberry.types.arguments import StrawberryArgument, convert_arguments

from resolvers import directory_queries, directory_snapshot, event_rows
from resolvers.report_page_sql import Reading
from schema.clusters import clusters_of, heat_cells_of
from schema.compiled.fields import (
    BY_TYPE,
    READS_AGENCIES,
    READS_CATEGORIES,
    READS_EVENTS,
    REPORT_READS,
    Column,
    Get,
    Inline,
    PageSource,
    Request,
    Row,
    WithArguments,
)
from schema.context import Context
from schema.queues import Scope, agency_queue_scope, my_queue_scope
from schema.report_pages import report_row, visible_page


class Unsupported(Exception):
    """The operation asks for something the compiled path does not answer."""


class Fallback(Exception):
    """This request's answer must come from the general path (an error, an unexpected null)."""


Complete = Callable[[Any, Request], Any]  # a fetched value to its answer
Fetch = Callable[[Request, dict[str, Any], Reading], Awaitable[Any]]  # request, arguments, what to read


@dataclass
class Needs:
    categories: bool = False
    agencies: bool = False
    events: bool = False
    report_columns: set[str] = field(default_factory=set)

    @property
    def directory(self) -> bool:
        return self.categories or self.agencies

    def reading(self) -> Reading:
        return Reading(tuple(sorted(self.report_columns)), self.directory)


async def _fetch_page(
    request: Request, kwargs: dict[str, Any], reading: Reading, scope: Scope | None = None
) -> PageSource:
    order = kwargs["order_by"]
    page = await visible_page(
        request.context,
        kwargs.get("filter"),
        first=kwargs["first"],
        after=kwargs.get("after"),
        order_by=order,
        scope=scope,
        reading=reading,
    )
    return PageSource(page, order)


async def _fetch_my_queue(request: Request, kwargs: dict[str, Any], reading: Reading) -> PageSource:
    return await _fetch_page(request, kwargs, reading, my_queue_scope(request.context))


async def _fetch_agency_queue(request: Request, kwargs: dict[str, Any], reading: Reading) -> PageSource:
    scope = agency_queue_scope(request.context, kwargs["agency_id"])
    return await _fetch_page(request, kwargs, reading, scope)


async def _fetch_report(request: Request, kwargs: dict[str, Any], _reading: Reading) -> Row | None:
    return await report_row(request.context, kwargs.get("id"), kwargs.get("code"), None)


async def _fetch_clusters(request: Request, kwargs: dict[str, Any], _reading: Reading) -> list[Any]:
    return await clusters_of(
        request.context,
        kwargs["bounding_box"],
        kwargs["zoom"],
        kwargs.get("filter"),
        request.largest("byCategory", "first"),  # read once for the answer's every byCategory
    )


async def _fetch_heatmap(request: Request, kwargs: dict[str, Any], _reading: Reading) -> list[Any]:
    return await heat_cells_of(request.context, kwargs["bounding_box"], kwargs["zoom"], kwargs.get("filter"))


ROOTS: dict[str, Fetch] = {
    "reports": _fetch_page,
    "report": _fetch_report,
    "myQueue": _fetch_my_queue,
    "agencyQueue": _fetch_agency_queue,
    "reportClusters": _fetch_clusters,
    "reportHeatmap": _fetch_heatmap,
}


@dataclass(frozen=True)
class FieldArguments:
    """A nested field's arguments, coerced for each request into `Request.arguments[slot]`."""

    definition: GraphQLField
    node: FieldNode
    valid: Callable[[dict[str, Any]], bool]


@dataclass(frozen=True)
class Root:
    key: str
    field_def: GraphQLField | None  # None: __typename
    details: list[FieldDetails]
    arguments: list[StrawberryArgument]
    fetch: Fetch | None
    complete: Complete


class Compiler:
    """Builds the plan of one operation, with the executor that validated it."""

    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self.needs = Needs()
        self.arguments: list[FieldArguments] = []

    def plan(self) -> Plan:
        operation: OperationDefinitionNode = self.executor.operation
        if operation.operation != OperationType.QUERY or _has_directives(self.executor):
            raise Unsupported
        query_type = self.executor.schema.query_type
        executor = self.executor
        grouped, _defers, _forbidden = collect_fields(
            executor.schema, executor.fragments, executor.variable_values, query_type, operation
        )
        roots = []
        for key, details in grouped.items():
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                roots.append(Root(key, None, details, [], None, _constant(query_type.name)))
                continue
            fetch = ROOTS.get(name)
            if fetch is None or any(arg.name.value == "trackingToken" for arg in node.arguments or ()):
                raise Unsupported  # a tracking token changes who sees what in the whole operation
            field_def = query_type.fields[name]
            arguments = field_def.extensions["strawberry-definition"].arguments
            roots.append(Root(key, field_def, details, arguments, fetch, self.value(field_def.type, details)))
        strawberry_schema = self.executor.schema._strawberry_schema
        fields = tuple(arguments.node.name.value for arguments in self.arguments)
        return Plan(roots, self.needs, self.needs.reading(), strawberry_schema, self.arguments, fields)

    def value(self, type_: GraphQLOutputType, details: list[FieldDetails]) -> Complete:
        nullable = not is_non_null_type(type_)
        named = type_.of_type if is_non_null_type(type_) else type_  # type: ignore[union-attr]
        convert: Complete
        if is_list_type(named):
            item = self.value(named.of_type, details)
            convert = lambda value, request: [item(each, request) for each in value]  # noqa: E731
        elif is_leaf_type(named):
            convert = _serializer(_serialize_function(named))
        elif is_object_type(named):
            convert = self.object(named, details)
        else:
            raise Unsupported

        def complete(value: Any, request: Request) -> Any:
            if value is None:
                if nullable:
                    return None
                raise Fallback  # the general path reports the null in a non-null field
            return convert(value, request)

        return complete

    def object(self, object_type: GraphQLObjectType, details: list[FieldDetails]) -> Complete:
        """One generated function per object selection, as graphql-jit compiles one: the columns read
        inline, the leaves serialized by the schema's own scalars, no call per field otherwise."""
        getters = BY_TYPE.get(object_type.name)
        if getters is None:
            raise Unsupported
        grouped = self.executor.collect_subfields(object_type, details).grouped_field_set
        names: dict[str, Any] = {"Fallback": Fallback}
        lines: list[str] = []
        keys: list[str] = []
        for number, (key, field_details) in enumerate(grouped.items()):
            node = field_details[0].node
            name = node.name.value
            keys.append(key)
            if name == "__typename":
                lines.append(f"v{number} = {object_type.name!r}")
                continue
            found = getters.get(name)
            if found is None or (node.arguments and not isinstance(found, WithArguments)):
                raise Unsupported
            get = self._with_arguments(found, object_type.fields[name], node)
            self.needs.categories |= (object_type.name, name) in READS_CATEGORIES
            self.needs.agencies |= (object_type.name, name) in READS_AGENCIES
            self.needs.events |= (object_type.name, name) in READS_EVENTS
            if object_type.name == "Report":
                self.needs.report_columns.update(
                    (get.name,) if isinstance(get, Column) else REPORT_READS[name]
                )
            lines += self._field_lines(number, get, object_type.fields[name].type, field_details, names)
        answer = ", ".join(f"{key!r}: v{number}" for number, key in enumerate(keys))
        body = "".join(f"    {line}\n" for line in lines)
        source = f"def build(src, req):\n{body}    return {{{answer}}}\n"
        exec(compile(source, f"<plan {object_type.name}>", "exec"), names)  # noqa: S102 - our own text
        build: Complete = names["build"]
        return build

    def _with_arguments(self, found: Get | WithArguments, definition: GraphQLField, node: FieldNode) -> Get:
        """A getter of (source, request): for a field with arguments, its answer given this
        request's values of them (the same for every merged node: validation saw to that)."""
        if not isinstance(found, WithArguments):
            return found
        slot = len(self.arguments)
        self.arguments.append(FieldArguments(definition, node, found.valid))
        answer = found.answer
        return lambda source, request: answer(source, request, request.arguments[slot])

    def _field_lines(
        self,
        number: int,
        get: Callable[[Any, Request], Any],
        type_: GraphQLOutputType,
        details: list[FieldDetails],
        names: dict[str, Any],
    ) -> list[str]:
        value = f"v{number}"
        if isinstance(get, Column):
            read = f"src[{get.name!r}]"
        elif isinstance(get, Inline):
            for name, referred in get.names.items():
                if names.setdefault(name, referred) is not referred:
                    raise ValueError(f"two inline fields call different things {name}")
            read = f"({get.expression})"
        else:
            names[f"g{number}"] = get
            read = f"g{number}(src, req)"
        named = type_.of_type if is_non_null_type(type_) else type_  # type: ignore[union-attr]
        if is_object_type(named):  # its own build called inline, without a completion wrapper
            names[f"b{number}"] = self.object(named, details)  # type: ignore[arg-type]
            completed = f"b{number}({value}, req)"
            if named.name in BUILT_ONCE_PER_REQUEST:
                completed = f"req.built.get((b{number}, id({value}))) or req.build_once(b{number}, {value})"
        elif not is_leaf_type(named):
            names[f"c{number}"] = self.value(type_, details)
            return [f"{value} = c{number}({read}, req)"]
        else:
            names[f"s{number}"] = _serialize_function(named)
            unchanged = _UNCHANGED_BY_SERIALIZING.get(named.name)
            completed = f"s{number}({value})"
            if unchanged is not None:  # already the serialized value: skip the call
                completed = f"{value} if {unchanged.format(value)} else {completed}"
        missing = "raise Fallback" if is_non_null_type(type_) else "pass"
        return [
            f"{value} = {read}",
            f"if {value} is None: {missing}",
            f"else: {value} = {completed}",
        ]


# Objects whose source is a directory row that every report naming it shares (the same dict for
# the whole request) and whose fields read nothing else: built once per request and source.
BUILT_ONCE_PER_REQUEST = {"Category", "Agency"}

# When the scalar's serializer returns the value as it is: its class, and for floats finite
# (x - x is nan for inf and nan), as graphql-core's serialize_float requires.
_UNCHANGED_BY_SERIALIZING = {
    "String": "{0}.__class__ is str",
    "ID": "{0}.__class__ is str",
    "Boolean": "{0}.__class__ is bool",
    "Float": "{0}.__class__ is float and {0} - {0} == 0.0",
}


@dataclass(frozen=True)
class Plan:
    roots: list[Root]
    needs: Needs
    reading: Reading  # what its pages read: the columns its fields need, and the directory
    strawberry_schema: Any
    arguments: list[FieldArguments]  # of nested fields, by slot
    argument_fields: tuple[str, ...]  # the field of each slot

    def _arguments(self, variable_values: VariableValues) -> list[dict[str, Any]]:
        """The nested fields' arguments for this request; any refused: the general path's error."""
        values = []
        for field_arguments in self.arguments:
            given = get_argument_values(field_arguments.definition, field_arguments.node, variable_values)
            if not field_arguments.valid(given):
                raise Fallback
            values.append(given)
        return values

    async def run(self, context: Context, variable_values: VariableValues) -> dict[str, Any]:
        """The answer's `data`, for variables already coerced (graphql-core's get_variable_values)."""
        request = Request(
            context, arguments=self._arguments(variable_values), argument_fields=self.argument_fields
        )
        sources: list[Any] = []
        for root in self.roots:
            if root.fetch is None:
                sources.append(None)
                continue
            raw = get_argument_values(root.field_def, root.details[0].node, variable_values)  # type: ignore[arg-type]
            kwargs = convert_arguments(
                raw,
                root.arguments,
                scalar_registry=self.strawberry_schema.schema_converter.scalar_registry,
                config=self.strawberry_schema.config,
            )
            sources.append(await root.fetch(request, kwargs, self.reading))
        if self.needs.directory and not _fetched_with_directory(request, sources):
            await self._load_directory(request, _report_rows(sources))
        if self.needs.events:
            report_ids = list(dict.fromkeys(row["id"] for row in _report_rows(sources)))
            request.events = await event_rows.events_by_report(report_ids)
        answers = zip(self.roots, sources, strict=True)
        return {root.key: root.complete(source, request) for root, source in answers}

    async def _load_directory(self, request: Request, rows: list[Row]) -> None:
        """The page's categories and agencies: on PostgreSQL this process's copy of the directory
        (one small statement checks it is current), else two queries for those the rows name."""
        category_ids = sorted({row["category_id"] for row in rows})
        if not category_ids:
            return
        both = await directory_snapshot.current_directory()
        if both is not None:
            request.categories.update(both[0])
            request.agencies.update(both[1])
            return
        categories = await directory_queries.categories_by_id(category_ids)
        request.categories = {row["id"]: row for row in categories if row is not None}
        agency_ids = {row["agency_id"] for row in [*rows, *request.categories.values()]}
        agencies = await directory_queries.agencies_by_id(sorted(agency_ids))
        request.agencies = {row["id"]: row for row in agencies if row is not None}


def _fetched_with_directory(request: Request, sources: list[Any]) -> bool:
    """Whether every page came with its directory rows (then no query is needed for them)."""
    pages = [source.page for source in sources if isinstance(source, PageSource)]
    if len(pages) != len([source for source in sources if source is not None]) or not pages:
        return False  # a single report, or a page without them
    for page in pages:
        if page.directory is None:
            return False
        request.categories.update(page.directory[0])
        request.agencies.update(page.directory[1])
    return True


def _report_rows(sources: list[Any]) -> list[Row]:
    rows: list[Row] = []
    for source in sources:
        if isinstance(source, PageSource):
            rows += source.page.rows
        elif isinstance(source, dict):
            rows.append(source)
    return rows


def _serialize_function(leaf: Any) -> Callable[[Any], Any]:
    """The leaf type's serializer; for Strawberry's enums (a linear search per value) its answers
    for every member, computed once; for DateTime, isoformat's text written by orjson."""
    members = getattr(leaf, "wrapped_cls", None)
    serialize: Callable[[Any], Any] = leaf.serialize
    if leaf.name == "DateTime":
        return lambda value: _iso_datetime(value) if value.__class__ is datetime else serialize(value)
    if members is None:
        return serialize
    names = {member: serialize(member) for member in members}

    def serialize_member(value: Any) -> Any:
        return names[value] if value.__class__ is members else serialize(value)

    return serialize_member


def _iso_datetime(value: datetime) -> str:
    """`value.isoformat()`, in a third of the time (Strawberry's DateTime serializer was a third of
    each report's build); the differential test holds the two texts equal."""
    return orjson.dumps(value)[1:-1].decode()


def _constant(value: str) -> Complete:
    return lambda _source, _request: value


def _serializer(serialize: Callable[[Any], Any]) -> Complete:
    def convert(value: Any, _request: Request) -> Any:
        serialized = serialize(value)
        if serialized is None:
            raise Fallback
        return serialized

    return convert


class _DirectiveFinder(Visitor):
    found = False

    def enter_directive(self, _node: DirectiveNode, *_args: Any) -> Any:
        self.found = True
        return BREAK


def _has_directives(executor: Any) -> bool:
    """@skip/@include make the selection depend on variables: such documents are not compiled."""
    for node in [executor.operation, *executor.fragment_definitions.values()]:
        finder = _DirectiveFinder()
        visit(node, finder)
        if finder.found:
            return True
    return False
