"""The live engine: shared executions of subscriptions, over graphql-transport-ws and SSE."""
