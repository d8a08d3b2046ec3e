"""Compiled reads: hot read documents answered from rows without running a resolver per field.

A validated query whose every field is one this package knows (`reports`, `report(id:|code:)` and
the queues, with the report's columns, place, category and agency, its `timeline` and `comments`
(one statement for every report of the answer), the connection's edges and page info, and the
map's `reportClusters` and `reportHeatmap`) is
compiled once into a plan (`plans`): per response key, a function from a row to the answer. The
executor (`executor`) runs the plan in place of graphql-core's field-by-field execution; anything
else, and any error, takes the general path, so errors are always the general path's own.
Privacy is the same rule as the general path's (`Report._private_to`; for timelines and comments
`resolvers.privacy.timeline_as_seen`); the differential test
(tests/test_fast_reads_differential.py) holds the two paths to identical answers.
"""
