// Hive Gateway in front of Sigap's subgraphs. Started as
//   node_modules/.bin/hive-gateway supergraph -c gateway.config.mjs --host HOST --port PORT
// Settings come from the environment (docker-compose.yml and `python -m federation.loopback` set them):
//   SIGAP_SUPERGRAPH      the composed supergraph (default ./supergraph.graphql, `make supergraph` writes it)
//   SIGAP_DIRECTORY_URL   where the directory subgraph answers (default: the URL in the supergraph)
//   SIGAP_REPORTS_URL     where the reports subgraph answers; several replicas sit behind this one address
//   SIGAP_ENV             production hides GraphiQL, introspection and field suggestions
//   GATEWAY_DEDUPLICATE   "off" stops merging identical in-flight upstream requests (benchmarks do)
//   GATEWAY_TOKEN         shared with the subgraphs: it proves that a request comes from this gateway, so
//                         they believe the client address it forwards (server/gateway_identity.py), and
//                         its upstream websockets get the gateway's per-connection subscription limit
//   METRICS_TOKEN         /metrics (Prometheus) answers only `Authorization: Bearer <METRICS_TOKEN>`; in
//                         production without it there is no /metrics (as on the subgraphs)
import { createHash, timingSafeEqual } from "node:crypto";

import { defineConfig, usePrometheus } from "@graphql-hive/gateway";

import { useSubgraphCosts } from "./query_budget.mjs";
import { useReportsPages } from "./reports_pages.mjs";
import { namedRouterRuntime, useNullDataWithErrors } from "./router_runtime.mjs";
import { wsTransportReportingRefusals } from "./ws_refusals.mjs";

const env = process.env;
const production = env.SIGAP_ENV === "production";

// The same limits as every Sigap process (schema/limits.py), checked here before any planning.
const MAX_DEPTH = 10;
const MAX_TOKENS = 2000;

function subgraphLocation(url) {
  return url ? { location: url } : {};
}

// Who the client is, as the subgraphs need it for their per-client limits: the address of the
// socket the client reached us on (the gateway is the public entry: no proxy header is believed)
// and the install id an anonymous app declares. Credentials and the device id come from headers
// over HTTP and from `connectionParams` over websockets.
// x-sigap-csrf: the client's own proof that its multipart upload is no cross-site form post.
const CLIENT_HEADERS = ["authorization", "x-api-key", "x-sigap-device", "x-sigap-csrf"];

function clientAddress(context) {
  const address = context.req?.socket?.remoteAddress ?? "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

function clientCredential(context, name) {
  const params = context.connectionParams ?? {};
  const nested = typeof params.headers === "object" && params.headers ? params.headers : {};
  for (const source of [params, nested]) {
    for (const [key, value] of Object.entries(source)) {
      if (key.toLowerCase() === name && typeof value === "string" && value) return value;
    }
  }
  return context.request?.headers?.get(name) || "";
}

// Puts the client's identity in the context, where the upstream websocket's interpolated headers
// and connectionParams (below) read it: one upstream socket per client and credentials.
const useSigapClient = () => ({
  onContextBuilding({ context, extendContext }) {
    const sigapClient = { address: clientAddress(context) };
    for (const name of CLIENT_HEADERS) sigapClient[name] = clientCredential(context, name);
    extendContext({ sigapClient });
  },
});

// A subgraph refuses some requests with an HTTP status of its own (401 for bad credentials, 429
// with Retry-After for a spent budget, 400, 413); the client gets the same status through the
// gateway as directly, not a 200 wrapping the error.
const REFUSAL_HEADERS = ["retry-after", "www-authenticate"];
const upstreamRefusals = new WeakMap(); // context -> { status, headers }

const useUpstreamRefusalStatus = () => ({
  onFetch({ executionRequest }) {
    const context = executionRequest?.context;
    return ({ response }) => {
      if (!context || response.status < 400 || response.status >= 500) return;
      const known = upstreamRefusals.get(context);
      if (known && known.status >= response.status) return;
      const headers = {};
      for (const name of REFUSAL_HEADERS) {
        const value = response.headers.get(name);
        if (value) headers[name] = value;
      }
      upstreamRefusals.set(context, { status: response.status, headers });
    };
  },
  onExecute({ args }) {
    return {
      onExecuteDone({ result, setResult }) {
        const refusal = upstreamRefusals.get(args.contextValue);
        if (!refusal || !result || typeof result[Symbol.asyncIterator] === "function") return;
        setResult({ ...result, extensions: { ...result.extensions, http: refusal } });
      },
    };
  },
});

// The gateway's own Prometheus metrics (requests, subgraph calls by subgraph and operation), read
// as the subgraphs' are: open in development, behind METRICS_TOKEN where one is set, absent in
// production without one (the public entry must not map the service for anyone who asks).
const METRICS_PATH = "/metrics";

function digest(text) {
  return createHash("sha256").update(text).digest();
}

const useMetricsToken = (token) => ({
  onRequest({ request, url, endResponse, fetchAPI }) {
    if (url.pathname !== METRICS_PATH) return;
    if (!timingSafeEqual(digest(request.headers.get("authorization") ?? ""), digest(`Bearer ${token}`))) {
      endResponse(new fetchAPI.Response(null, { status: 401, headers: { "www-authenticate": "Bearer" } }));
    }
  },
});

function metricsPlugins(log) {
  if (production && !env.METRICS_TOKEN) return [];
  const guard = env.METRICS_TOKEN ? [useMetricsToken(env.METRICS_TOKEN)] : [];
  return [...guard, usePrometheus({ endpoint: METRICS_PATH, log })];
}

// The gateway's own proof (GATEWAY_TOKEN): subgraphs believe the client's address only beside it,
// and in production only its calls may use _entities and _service.
function gatewayHeaders(address) {
  return {
    ...(env.GATEWAY_TOKEN ? { "x-sigap-gateway-token": env.GATEWAY_TOKEN } : {}),
    ...(address ? { "x-sigap-client-address": address } : {}),
  };
}

export const gatewayConfig = defineConfig({
  supergraph: env.SIGAP_SUPERGRAPH || "./supergraph.graphql",
  pollingInterval: 0, // the supergraph is a file shipped with the release, not a registry
  unifiedGraphHandler: namedRouterRuntime, // Hive Router's query planner and executor
  graphqlEndpoint: "/graphql",
  healthCheckEndpoint: "/healthcheck",
  readinessCheckEndpoint: "/readiness",
  landingPage: false,
  graphiql: !production,
  disableIntrospection: production,
  blockFieldSuggestions: production,
  maxDepth: MAX_DEPTH,
  maxTokens: MAX_TOKENS,
  plugins: (context) => [
    ...metricsPlugins(context.log),
    useSigapClient(),
    useNullDataWithErrors(),
    useUpstreamRefusalStatus(),
    useSubgraphCosts(), // the client's answer carries its query budget, as the subgraph reported it
    useReportsPages({
      reportsUrl: env.SIGAP_REPORTS_URL || "http://reports:4002/graphql",
      identityHeaders: (serverContext) => gatewayHeaders(clientAddress(serverContext)),
    }),
  ],
  // Photo uploads (GraphQL multipart requests) are passed on to the subgraph as multipart requests.
  multipart: true,
  // The caller's own credentials go to the subgraphs, which verify them themselves; the client's
  // address goes with the gateway's token, the only proof a subgraph accepts for it.
  propagateHeaders: {
    fromClientToSubgraphs({ context }) {
      const client = context.sigapClient ?? {};
      const forwarded = gatewayHeaders(client.address);
      for (const name of CLIENT_HEADERS) {
        if (client[name]) forwarded[name] = client[name];
      }
      return forwarded;
    },
  },
  // Subscriptions go upstream over websockets, with refused credentials reported to the client.
  transports: (kind) =>
    kind === "ws" ? wsTransportReportingRefusals : import(`@graphql-mesh/transport-${kind}`),
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
          // The upgrade request proves the gateway and names the client, so the subgraph counts
          // the socket against that client's connection cap, not the gateway's.
          headers: Object.entries(gatewayHeaders("{context.sigapClient.address}")),
          options: {
            // The client's own credentials go upstream too (one upstream socket per client and
            // credentials, so each subscriber is served as who they are); empty values are dropped.
            connectionParams: {
              ...(env.GATEWAY_TOKEN ? { gatewayToken: env.GATEWAY_TOKEN } : {}),
              authorization: "{context.sigapClient.authorization}",
              "x-api-key": "{context.sigapClient.x-api-key}",
              "x-sigap-device": "{context.sigapClient.x-sigap-device}",
            },
          },
        },
      },
    },
  },
});
