// Hive Gateway in front of Sigap's subgraphs. Started as
//   node_modules/.bin/hive-gateway supergraph -c gateway.config.mjs --host HOST --port PORT
// Settings come from the environment (docker-compose.yml and `python -m federation.loopback` set them):
//   SIGAP_SUPERGRAPH      the composed supergraph (default ./supergraph.graphql, `make supergraph` writes it)
//   SIGAP_DIRECTORY_URL   where the directory subgraph answers (default: the URL in the supergraph)
//   SIGAP_REPORTS_URL     where the reports subgraph answers; several replicas sit behind this one address
//   SIGAP_ENV             production hides GraphiQL, introspection and field suggestions
//   GATEWAY_DEDUPLICATE   "off" stops merging identical in-flight upstream requests (benchmarks do)
//   GATEWAY_TOKEN         shared with the reports subgraph: its websocket from the gateway carries many
//                         clients' subscriptions, so it gets the gateway's per-connection limit
import { defineConfig } from "@graphql-hive/gateway";

const env = process.env;
const production = env.SIGAP_ENV === "production";

// The same limits as every Sigap process (schema/limits.py), checked here before any planning.
const MAX_DEPTH = 10;
const MAX_TOKENS = 2000;

function subgraphLocation(url) {
  return url ? { location: url } : {};
}

export const gatewayConfig = defineConfig({
  supergraph: env.SIGAP_SUPERGRAPH || "./supergraph.graphql",
  pollingInterval: 0, // the supergraph is a file shipped with the release, not a registry
  graphqlEndpoint: "/graphql",
  healthCheckEndpoint: "/healthcheck",
  readinessCheckEndpoint: "/readiness",
  landingPage: false,
  graphiql: !production,
  disableIntrospection: production,
  blockFieldSuggestions: production,
  maxDepth: MAX_DEPTH,
  maxTokens: MAX_TOKENS,
  // The caller's own credentials go to the subgraphs, which verify them themselves: the gateway
  // adds no identity of its own that a subgraph would have to trust.
  propagateHeaders: {
    fromClientToSubgraphs({ request }) {
      const forwarded = {};
      for (const name of ["authorization", "x-api-key"]) {
        const value = request.headers.get(name);
        if (value) forwarded[name] = value;
      }
      // The gateway's own proof: in production only it may call _entities and _service.
      if (env.GATEWAY_TOKEN) forwarded["x-sigap-gateway-token"] = env.GATEWAY_TOKEN;
      return forwarded;
    },
  },
  transportEntries: {
    directory: subgraphLocation(env.SIGAP_DIRECTORY_URL),
    reports: subgraphLocation(env.SIGAP_REPORTS_URL),
    "*.http": {
      options: {
        deduplicateInflightRequests: env.GATEWAY_DEDUPLICATE !== "off",
        // Subscriptions go to the subgraph that owns them (reports) over websockets
        // (graphql-transport-ws at /graphql); queries and mutations stay on HTTP.
        subscriptions: {
          kind: "ws",
          location: "/graphql",
          options: {
            // The client's own credentials go upstream too (one upstream socket per distinct
            // credentials, so each subscriber is served as who they are); empty values are dropped.
            connectionParams: {
              ...(env.GATEWAY_TOKEN ? { gatewayToken: env.GATEWAY_TOKEN } : {}),
              authorization: "{context.connectionParams.authorization}",
            },
          },
        },
      },
    },
  },
});
