"""The Starlette application, its settings and the `sigap` command."""
