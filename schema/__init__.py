"""The GraphQL surface of Sigap: one module per domain, merged by `schema.api` into the embedded
schema (`from schema import schema`). The merged schema is built when first asked for, not when any
module of the package is imported: settings and the CLI's commands use a few light modules, and
defining every type costs each such process about a second of CPU."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from schema.limits import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS

if TYPE_CHECKING:
    from schema.api import SigapSchema, build_schema, schema

__all__ = ["MAX_ALIASES", "MAX_DEPTH", "MAX_TOKENS", "SigapSchema", "build_schema", "schema"]

_BUILT_BY_API = {"SigapSchema", "build_schema", "schema", "Query", "Mutation", "print_api_schema"}


def __getattr__(name: str) -> Any:
    if name in _BUILT_BY_API:
        from schema import api

        return getattr(api, name)
    raise AttributeError(f"module 'schema' has no attribute {name!r}")
