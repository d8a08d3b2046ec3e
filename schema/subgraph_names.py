"""The federated subgraphs' names, apart from `schema.subgraphs` (which defines their types) so that
settings and the command line can check a name without building any schema."""

from __future__ import annotations

SUBGRAPHS = ("directory", "reports")
