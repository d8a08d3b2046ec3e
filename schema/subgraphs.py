"""The federated subgraphs (Apollo Federation 2.9), built from the same types as the embedded schema.

Ownership is by module: a field belongs to the subgraph that owns the module defining it. `Agency`,
for instance, is one class, whose `code` and `name` come from `schema.directory` (the directory
subgraph) and whose `reports` and `reportCounts` come from `schema.directory_reports` (the reports
subgraph). Entity keys and interface fields are in every subgraph that has the type.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

import strawberry
from strawberry.federation.schema import FederationAny
from strawberry.federation.schema_directives import Key
from strawberry.tools import merge_types
from strawberry.types.base import StrawberryObjectDefinition, get_object_definition
from strawberry.types.field import StrawberryField

from resolvers.errors import ErrorCode, fail
from schema.accounts import AccountMutation, AccountQuery, Me
from schema.clusters import ClusterQuery
from schema.context import Info
from schema.conversation import ConversationMutation
from schema.descriptions import describe_roots
from schema.directory import DirectoryMutation, DirectoryQuery, StaffMember
from schema.errors import CodedErrorsSchema
from schema.lifecycle import LifecycleQuery
from schema.limits import request_extensions
from schema.mutations import ReportMutation
from schema.my_reports import MyReportsMutation
from schema.node import NodeQuery
from schema.operation_limits import OperationLimits
from schema.photo_mutations import PhotoMutation
from schema.queues import QueueQuery
from schema.report_pages import ReportQuery
from schema.scalars import schema_config
from schema.statistics import StatisticsQuery
from schema.subscriptions import Subscription

FEDERATION_VERSION: Literal["2.9"] = "2.9"  # what @theguild/federation-composition 0.27 accepts
SUBGRAPHS = ("directory", "reports")

OWNER_OF_MODULE = {
    "schema.directory": "directory",
    "schema.accounts": "directory",
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
        if field.python_name in key_fields(type_definition):
            return True
        origin = get_object_definition(field.origin) if field.origin else None
        if origin is not None and origin.is_interface:
            return True
        owner = OWNER_OF_MODULE.get(getattr(field.origin, "__module__", ""))
        # Fields of modules outside the map (Strawberry's `_service`, `_entities`) go everywhere.
        return owner is None or owner == self.subgraph


def key_fields(type_definition: StrawberryObjectDefinition) -> set[str]:
    return {
        name
        for directive in type_definition.directives or ()
        if isinstance(directive, Key)
        for name in str(directive.fields).split()
    }


def build_subgraph(name: str, limits: OperationLimits | None = None) -> SubgraphSchema:
    if name == "directory":
        # Staff are reached only through reports (an assignee): listed so the directory resolves them.
        roots: dict[str, Any] = {
            "query": merge_types("Query", (DirectoryQuery, AccountQuery)),
            "mutation": merge_types("Mutation", (AccountMutation, DirectoryMutation)),
            "types": [StaffMember],
        }
    elif name == "reports":
        # Subscriptions (the live feed) belong here too: the gateway sends them to this subgraph.
        roots = {
            "query": merge_types(
                "Query", (ReportQuery, ClusterQuery, QueueQuery, StatisticsQuery, NodeQuery, LifecycleQuery)
            ),
            "mutation": merge_types(
                "Mutation", (ReportMutation, ConversationMutation, PhotoMutation, MyReportsMutation)
            ),
            "subscription": Subscription,  # the live feed: the gateway forwards subscriptions here
            "types": [Me],  # the caller's own reports are added to the directory's `Me`
        }
    else:
        raise ValueError(f"unknown subgraph {name!r}; expected one of {', '.join(SUBGRAPHS)}")
    describe_roots(roots["query"], roots["mutation"])
    limits = limits or OperationLimits()
    return SubgraphSchema(
        name, config=schema_config(), limits=limits, extensions=request_extensions(limits), **roots
    )
