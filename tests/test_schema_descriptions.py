"""The served schema is the API's documentation: every type, field, argument, input field and enum
value a client can see carries a description (issue 15, item 6)."""

from __future__ import annotations

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    specified_scalar_types,
)

from schema import schema

# Federation's own plumbing, which only the gateway reads: Strawberry builds these types and fields
# without a way to describe them, and no client queries them.
FEDERATION_PLUMBING = frozenset({"_Service", "_Entity", "_Any", "Query._service", "Query._entities"})


def undocumented(graphql_schema: GraphQLSchema) -> list[str]:
    missing: list[str] = []

    def check(path: str, description: str | None) -> None:
        if path not in FEDERATION_PLUMBING and not (description and description.strip()):
            missing.append(path)

    for name, named in sorted(graphql_schema.type_map.items()):
        if name.startswith("__") or name in specified_scalar_types or name in FEDERATION_PLUMBING:
            continue
        check(name, named.description)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                check(f"{name}.{field_name}", field.description)
                for argument_name, argument in field.args.items():
                    check(f"{name}.{field_name}({argument_name})", argument.description)
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                check(f"{name}.{field_name}", input_field.description)
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                check(f"{name}.{value_name}", value.description)
        elif isinstance(named, GraphQLUnionType):
            pass  # members are object types, checked on their own
    return missing


def test_every_type_field_argument_and_enum_value_is_described() -> None:
    missing = undocumented(schema._schema)
    assert not missing, f"{len(missing)} undocumented:\n" + "\n".join(missing)
