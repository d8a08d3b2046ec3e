"""The federated subgraphs (Apollo Federation 2.9), built from the same types as the embedded schema.

Ownership is by module: a field belongs to the subgraph that owns the module defining it. `Agency`,
for instance, is one class, whose `nameEn` and `phone` come from `schema.directory` (the directory
subgraph) and whose `reports` and `reportCounts` come from `schema.directory_reports` (the reports
subgraph). Entity keys, interface fields and @shareable fields (`Agency.code` and `name`) are in
every subgraph that has the type.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

import strawberry
from strawberry.federation.schema import FederationAny
from strawberry.federation.schema_directives import Key, Shareable
from strawberry.tools import merge_types
from strawberry.types.base import StrawberryObjectDefinition, get_object_definition
from strawberry.types.field import StrawberryField

from resolvers.errors import ErrorCode, fail
from schema.accounts import Me
from schema.compiled.executor import CompiledReadsExecutor
from schema.context import Info
from schema.descriptions import describe_roots
from schema.directory import StaffMember
from schema.errors import CodedErrorsSchema
from schema.limits import request_extensions
from schema.operation_limits import OperationLimits
from schema.roots import MUTATION_ROOTS, QUERY_ROOTS, SUBSCRIPTION_ROOT
from schema.scalars import schema_config
from schema.subgraph_names import SUBGRAPHS

FEDERATION_VERSION: Literal["2.9"] = "2.9"  # what @theguild/federation-composition 0.27 accepts

OWNER_OF_MODULE = {
    "schema.directory": "directory",
    "schema.accounts": "directory",
    "schema.web_push": "directory",
    "schema.profile": "directory",
    "schema.directory_reports": "reports",
    "schema.reports": "reports",
    "schema.report_pages": "reports",
    "schema.mutations": "reports",
    "schema.node": "reports",
    "schema.subscriptions": "reports",
    "schema.conversation": "reports",
    "schema.queues": "reports",
    "schema.statistics": "reports",
    "schema.clusters": "reports",
    "schema.photos": "reports",
    "schema.photo_mutations": "reports",
    "schema.lifecycle": "reports",
    "schema.my_reports": "reports",
    "schema.moderation": "reports",
    "schema.content_moderation": "reports",
    "schema.notifications": "reports",
    "schema.webhooks": "reports",
}


class SubgraphSchema(CodedErrorsSchema, strawberry.federation.Schema):
    """One subgraph: the shared types, less the fields another subgraph owns."""

    def __init__(self, name: str, **kwargs: Any) -> None:
        self.subgraph = name  # read by get_fields while the base class builds the schema
        super().__init__(federation_version=FEDERATION_VERSION, **kwargs)

    def entities_resolver(self, info: Info, representations: list[FederationAny]) -> list[FederationAny]:
        """Strawberry's resolver, after refusing representations it would fail on with an
        internal error: each must name an entity of this subgraph and give its key as text."""
        for representation in representations:
            self.check_representation(representation)
        # Copies: Strawberry's resolver takes `__typename` out of each, and one object may be
        # given several times.
        copies = [FederationAny(dict(representation)) for representation in representations]  # type: ignore[call-overload]
        return super().entities_resolver(info, copies)

    def check_representation(self, representation: object) -> None:
        type_name = representation.get("__typename") if isinstance(representation, dict) else None
        keys = self.entity_keys.get(type_name) if isinstance(type_name, str) else None
        if (
            keys is None
            or not isinstance(representation, dict)
            or set(representation) != {"__typename", *keys}
            or not all(isinstance(representation[key], str) for key in keys)
        ):
            raise fail(
                ErrorCode.INVALID_INPUT,
                "Representasi entitas tidak dikenal",
                "Each representation must be {__typename, id} of an entity this subgraph resolves",
                "representations",
            )

    @functools.cached_property
    def entity_keys(self) -> dict[str, set[str]]:
        """The entity types this subgraph resolves, by name, with their key fields."""
        found: dict[str, set[str]] = {}
        for name, type_ in self.schema_converter.type_map.items():
            definition = type_.definition
            if isinstance(definition, StrawberryObjectDefinition) and hasattr(
                definition.origin, "resolve_reference"
            ):
                found[name] = key_fields(definition)
        return found

    def get_fields(self, type_definition: StrawberryObjectDefinition) -> list[StrawberryField]:
        return [f for f in type_definition.fields if self.owns(type_definition, f)]

    def owns(self, type_definition: StrawberryObjectDefinition, field: StrawberryField) -> bool:
        if field.python_name in key_fields(type_definition) or _shareable(field):
            return True
        origin = get_object_definition(field.origin) if field.origin else None
        if origin is not None and origin.is_interface:
            return True
        owner = OWNER_OF_MODULE.get(getattr(field.origin, "__module__", ""))
        # Fields of modules outside the map (Strawberry's `_service`, `_entities`) go everywhere.
        return owner is None or owner == self.subgraph


def _shareable(field: StrawberryField) -> bool:
    """@shareable fields are answered by every subgraph that has their type."""
    return any(isinstance(directive, Shareable) for directive in field.directives)


def key_fields(type_definition: StrawberryObjectDefinition) -> set[str]:
    return {
        name
        for directive in type_definition.directives or ()
        if isinstance(directive, Key)
        for name in str(directive.fields).split()
    }


# Types a subgraph must declare although none of its roots reach them: the directory resolves staff
# (reached only through reports, as an assignee); the reports subgraph adds the caller's own reports
# to the directory's `Me`.
EXTRA_TYPES: dict[str, list[type]] = {"directory": [StaffMember], "reports": [Me]}


def owner_of(root: type) -> str:
    return OWNER_OF_MODULE[root.__module__]


def subgraph_roots(name: str) -> dict[str, Any]:
    """The roots of subgraph `name`: those of the one schema (schema.roots) whose module it owns,
    in the same order; the live feed's subscriptions where its module is owned (the gateway
    forwards subscriptions there)."""
    roots: dict[str, Any] = {
        "query": merge_types("Query", tuple(r for r in QUERY_ROOTS if owner_of(r) == name)),
        "mutation": merge_types("Mutation", tuple(r for r in MUTATION_ROOTS if owner_of(r) == name)),
        "types": EXTRA_TYPES[name],
    }
    if owner_of(SUBSCRIPTION_ROOT) == name:
        roots["subscription"] = SUBSCRIPTION_ROOT
    return roots


def build_subgraph(
    name: str, limits: OperationLimits | None = None, *, compiled_reads: bool = True
) -> SubgraphSchema:
    """`compiled_reads`: hot read documents answered from compiled plans (schema.compiled), as the
    embedded schema answers them; the gateway's documents for report pages are such documents."""
    if name not in SUBGRAPHS:
        raise ValueError(f"unknown subgraph {name!r}; expected one of {', '.join(SUBGRAPHS)}")
    roots = subgraph_roots(name)
    describe_roots(roots["query"], roots["mutation"])
    limits = limits or OperationLimits()
    return SubgraphSchema(
        name,
        execution_context_class=CompiledReadsExecutor if compiled_reads else None,
        config=schema_config(),
        limits=limits,
        extensions=request_extensions(limits),
        **roots,
    )
