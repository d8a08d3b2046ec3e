"""What an operation will cost, estimated from its document before anything runs.

The model is Shopify's and GitHub's: every object a query asks for costs 1 and scalars are free,
so the cost is about how many objects the server would load. A list multiplies what is under it
by its size: its page size (`first`/`last`) when it takes one, else the size declared on the
field (`strawberry.field(metadata={LIST_SIZE: n})`), else DEFAULT_LIST_SIZE. A field with a page
size that returns a connection passes the size on to its `edges` and `nodes`. Nested connections
multiply: 100 x 100 x 100 costs a million. Each mutation costs MUTATION_COST on top of what it
selects. The estimate is an upper bound of what the resolvers are allowed to return.

Fragments are costed once per place they are spread (memoised), so documents spreading one
fragment many times cost linear time to estimate; cycles (refused by validation anyway) count 0.
Each estimate is kept with its document and the values of the variables it read, so a repeated
document (every client's) is estimated once per page size, not once per request.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cachetools import LRUCache
from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValidationContext,
    VariableNode,
    get_named_type,
    is_interface_type,
    is_leaf_type,
    is_object_type,
)

from resolvers.errors import ErrorCode

LIST_SIZE = "list_size"  # field metadata: how many items a list without a page size holds at most
DEFAULT_LIST_SIZE = 20
MAX_PAGE_SIZE = 100  # the largest `first` any connection accepts (resolvers.report_queries)
MUTATION_COST = 10
SLICING_ARGUMENTS = ("first", "last")
SIZED_FIELDS = frozenset({"edges", "nodes"})
INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
FEDERATION_FIELDS = frozenset({"_service", "_entities"})  # a subgraph's, for the gateway only
REPRESENTATIONS = "representations"  # `_entities` resolves one object per representation
POINTS_PER_CALL = 100  # the budget is charged cost / 100 (at least 1), as GitHub does


@dataclass(frozen=True)
class OperationCost:
    cost: int
    introspection: bool = False
    federation: bool = False  # selects `_service` or `_entities`
    types: frozenset[str] = frozenset()  # the object types it selects fields of, for permissions

    @property
    def points(self) -> int:
        """What the operation takes from its caller's budget: at least 1, so every call counts."""
        return max(1, math.ceil(self.cost / POINTS_PER_CALL))


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> OperationCost:
    """The estimated cost of the operation `operation_name` (or the only one) of `document`.

    With `variables` None (at validation, where they are not known yet) a variable stands for its
    default value, or the field argument's default, or MAX_PAGE_SIZE.
    """
    key = (id(schema), id(document), operation_name, variables is None)
    known = _ESTIMATES.get(key)
    if known is not None and known.document is document:
        values = _values_of(known.consulted, variables)
        if values is not None and values in known.by_values:
            return known.by_values[values]
    operation = _find_operation(document, operation_name)
    if operation is None:
        return OperationCost(0)
    walker = _CostWalker(schema, document, variables, operation)
    root = _root_type(schema, operation.operation)
    if root is None:
        return OperationCost(0)
    cost = walker.selection_set(root, operation.selection_set, None)
    if operation.operation == OperationType.MUTATION:
        cost += MUTATION_COST * len(operation.selection_set.selections)
    estimate = OperationCost(cost, walker.introspection, walker.federation, frozenset(walker.types))
    consulted = tuple(walker.consulted)
    values = _values_of(consulted, variables)
    if values is not None:
        if known is None or known.document is not document or known.consulted != consulted:
            known = _ESTIMATES[key] = _Estimates(document, consulted)
        if len(known.by_values) < ESTIMATES_PER_DOCUMENT:
            known.by_values[values] = estimate
    return estimate


@dataclass
class _Estimates:
    """A document's estimates by the values of the variables the estimate read (page sizes)."""

    document: DocumentNode  # held, so that its id is not reused while this is kept
    consulted: tuple[str, ...]
    by_values: dict[tuple[Any, ...], OperationCost] = field(default_factory=dict)


# Estimates are a function of the document and of the few variables the walk reads: kept per
# document (the parser cache hands each repeat the same node), for at most so many value sets.
ESTIMATES_PER_DOCUMENT = 16
_ESTIMATES: LRUCache[tuple[int, int, str | None, bool], _Estimates] = LRUCache(512)
_MISSING = object()


def _values_of(consulted: tuple[str, ...], variables: Mapping[str, Any] | None) -> tuple[Any, ...] | None:
    """The consulted variables' values with their types (True is not 1 here), or None when one is
    not hashable (a list of representations): such estimates are not kept."""
    given = variables or {}
    values = tuple((name, type(value), value) for name in consulted for value in [given.get(name, _MISSING)])
    try:
        hash(values)
    except TypeError:
        return None
    return values


def create_cost_rule(max_cost: int) -> type[ASTValidationRule]:
    """A validation rule refusing operations whose estimate is over `max_cost`. Build it once:
    the validation cache is keyed by the rule classes."""

    class MaxCostRule(ASTValidationRule):
        def enter_document(self, node: DocumentNode, *_args: Any) -> None:
            context = self.context
            assert isinstance(context, ValidationContext)
            for definition in node.definitions:
                if not isinstance(definition, OperationDefinitionNode):
                    continue
                name = definition.name.value if definition.name else None
                estimate = operation_cost(context.schema, node, name).cost
                if estimate > max_cost:
                    self.report_error(too_costly(estimate, max_cost, [definition]))

    return MaxCostRule


def too_costly(estimate: int, max_cost: int, nodes: list[Any] | None = None) -> GraphQLError:
    return GraphQLError(
        f"The query costs about {estimate} objects, more than the maximum of {max_cost}: "
        "ask for smaller pages or fewer nested lists",
        nodes,
        extensions={"code": ErrorCode.QUERY_TOO_COSTLY.value, "cost": estimate, "maxCost": max_cost},
    )


def _find_operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


def _root_type(schema: GraphQLSchema, operation: OperationType) -> GraphQLObjectType | None:
    if operation == OperationType.MUTATION:
        return schema.mutation_type
    if operation == OperationType.SUBSCRIPTION:
        return schema.subscription_type
    return schema.query_type


class _CostWalker:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        operation: OperationDefinitionNode,
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.variable_defaults = {
            d.variable.name.value: d.default_value.value
            for d in operation.variable_definitions or ()
            if isinstance(d.default_value, IntValueNode)
        }
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.fragment_costs: dict[tuple[str, int | None], int] = {}
        self.visiting: set[str] = set()
        self.introspection = False
        self.federation = False
        self.types: set[str] = set()
        self.consulted: list[str] = []  # the variables the estimate depends on

    def selection_set(
        self, parent: GraphQLNamedType | None, selections: SelectionSetNode | None, size: int | None
    ) -> int:
        """The cost of `selections` on `parent`; `size` is the page size of an enclosing connection."""
        if selections is None or parent is None:
            return 0
        total = 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, size)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(target, selection.selection_set, size)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value, size)
        return total

    def fragment(self, name: str, size: int | None) -> int:
        key = (name, size)
        if key in self.fragment_costs:
            return self.fragment_costs[key]
        definition = self.fragments.get(name)
        if definition is None or name in self.visiting:
            return 0  # unknown or circular: validation refuses the document
        self.visiting.add(name)
        target = self.schema.get_type(definition.type_condition.name.value)
        cost = self.selection_set(target, definition.selection_set, size)
        self.visiting.discard(name)
        self.fragment_costs[key] = cost
        return cost

    def field(self, parent: GraphQLNamedType, node: FieldNode, connection_size: int | None) -> int:
        name = node.name.value
        if name.startswith("__"):
            # Introspection is answered from memory, bounded by the schema's own size.
            self.introspection = self.introspection or name in INTROSPECTION_FIELDS
            return 1 if name in INTROSPECTION_FIELDS else 0
        if not (is_object_type(parent) or is_interface_type(parent)):
            return 0
        self.types.add(parent.name)
        definition: GraphQLField | None = parent.fields.get(name)  # type: ignore[attr-defined]
        if definition is None:
            return 0
        self.federation = self.federation or name in FEDERATION_FIELDS
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        page_size = self.page_size(node, definition)
        if page_size is None and REPRESENTATIONS in definition.args:
            page_size = self.representations(node)
        if _is_list(definition.type):
            if page_size is not None:
                count = page_size
            elif connection_size is not None and name in SIZED_FIELDS:
                count = connection_size
            else:
                count = _declared_list_size(definition)
            return count * (1 + self.selection_set(named, node.selection_set, None))
        return 1 + self.selection_set(named, node.selection_set, page_size)

    def page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        for argument_name in SLICING_ARGUMENTS:
            argument = definition.args.get(argument_name)
            if argument is None:
                continue
            given = next((a.value for a in node.arguments or () if a.name.value == argument_name), None)
            value: Any
            if isinstance(given, VariableNode):
                value = self.variable(given.name.value, argument.default_value)
            elif isinstance(given, IntValueNode):
                value = int(given.value)
            elif given is None:
                value = argument.default_value
            else:
                value = None  # a wrong type: validation refuses it
            if isinstance(value, int) and not isinstance(value, bool):
                return max(0, value)
            if given is None:
                continue
            return MAX_PAGE_SIZE
        return None

    def representations(self, node: FieldNode) -> int:
        """How many objects `_entities` is asked for; MAX_PAGE_SIZE while the variables are unknown
        (at validation: admission counts the real ones)."""
        given = next((a.value for a in node.arguments or () if a.name.value == REPRESENTATIONS), None)
        if isinstance(given, ListValueNode):
            return len(given.values)
        if isinstance(given, VariableNode) and self.variables is not None:
            self.consulted.append(given.name.value)
            value = self.variables.get(given.name.value)
            return len(value) if isinstance(value, list) else 1
        return MAX_PAGE_SIZE

    def variable(self, name: str, argument_default: Any) -> Any:
        self.consulted.append(name)
        if self.variables is not None and name in self.variables:
            return self.variables[name]
        if name in self.variable_defaults:
            return int(self.variable_defaults[name])
        if isinstance(argument_default, int):
            return argument_default
        return MAX_PAGE_SIZE


def list_size(most: int) -> dict[str, int]:
    """Field metadata declaring that a list without a page size holds at most `most` items: the
    resolver must keep to it (tests/test_list_bounds.py holds every list field to a bound)."""
    return {LIST_SIZE: most}


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _declared_list_size(definition: GraphQLField) -> int:
    strawberry_field = (definition.extensions or {}).get("strawberry-definition")
    metadata = getattr(strawberry_field, "metadata", None) or {}
    size = metadata.get(LIST_SIZE)
    return int(size) if isinstance(size, int) else DEFAULT_LIST_SIZE
