"""Compiled reads: hot read documents answered from rows without running a resolver per field.

A validated query whose every field is one this package knows (`reports` and `report(id:|code:)`
with the report's columns, place, category and agency, the connection's edges and page info) is
compiled once into a plan (`plans`): per response key, a function from a row to the answer. The
executor (`executor`) runs the plan in place of graphql-core's field-by-field execution; anything
else, and any error, takes the general path, so errors are always the general path's own.
Privacy is the same rule as the general path's (`Report._private_to`); the differential test
(tests/test_fast_reads_differential.py) holds the two paths to identical answers.
"""
