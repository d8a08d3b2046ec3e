// The pages and files the reports subgraph serves beside GraphQL (photos, the city wall), reached
// through the gateway, the one public entry: a Yoga `onRequest` hook (Hive Gateway's plugin API)
// answers their paths with the subgraph's own response, streamed, and the client's identity
// forwarded as for GraphQL (the photo route limits each client on its own).
const PATHS = [/^\/photos\/[^/]+$/, /^\/wall$/, /^\/wall\/assets\/[^/]+$/];
// What a browser's GET may carry that the subgraph answers differently to; not Accept-Encoding:
// Node's fetch would decode the body and leave a Content-Encoding that no longer holds.
const REQUEST_HEADERS = ["accept", "authorization", "if-none-match", "if-modified-since", "range", "x-api-key"];
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-encoding"]);

export function useReportsPages({ reportsUrl, identityHeaders }) {
  const origin = new URL(reportsUrl).origin;
  return {
    onRequest({ request, url, endResponse, fetchAPI, serverContext }) {
      if (!PATHS.some((path) => path.test(url.pathname))) return;
      if (request.method !== "GET" && request.method !== "HEAD") {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: "GET, HEAD" } }));
        return;
      }
      const headers = identityHeaders(serverContext);
      for (const name of REQUEST_HEADERS) {
        const value = request.headers.get(name);
        if (value) headers[name] = value;
      }
      return fetchAPI
        .fetch(origin + url.pathname + url.search, { method: request.method, headers, redirect: "manual" })
        .then(
          (upstream) => {
            const answer = new fetchAPI.Headers();
            upstream.headers.forEach((value, name) => {
              if (!HOP_BY_HOP.has(name)) answer.append(name, value);
            });
            endResponse(new fetchAPI.Response(upstream.body, { status: upstream.status, headers: answer }));
          },
          () => endResponse(new fetchAPI.Response("Bad Gateway", { status: 502 })),
        );
    },
  };
}
