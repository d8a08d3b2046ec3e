// The pages and files the reports subgraph serves beside GraphQL (photos, the city wall, partners'
// exports, open data and Open311), reached through the gateway, the one public entry: a Yoga `onRequest` hook
// (Hive Gateway's plugin API) answers their paths with the subgraph's own response, streamed, and
// the client's identity forwarded as for GraphQL (those routes limit each client on its own).
const PATHS = [
  /^\/photos\/[^/]+$/,
  /^\/wall$/,
  /^\/wall\/assets\/[^/]+$/,
  /^\/exports\/reports\.(csv|geojson|ndjson)$/,
  /^\/open-data\/[^/]*$/,
  /^\/open311\/v2\/[^?]*$/,
];
// Open311 files reports with a form POST (GeoReport v2); nothing else here takes a body.
const POSTS = /^\/open311\/v2\/requests\.(json|xml)$/;
const MAX_FORM_BYTES = 64 * 1024;
// What a browser's GET may carry that the subgraph answers differently to; not Accept-Encoding:
// Node's fetch would decode the body and leave a Content-Encoding that no longer holds.
const REQUEST_HEADERS = ["accept", "authorization", "if-none-match", "if-modified-since", "range", "x-api-key"];
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-encoding"]);

export function useReportsPages({ reportsUrl, identityHeaders }) {
  const origin = new URL(reportsUrl).origin;
  return {
    onRequest({ request, url, endResponse, fetchAPI, serverContext }) {
      if (!PATHS.some((path) => path.test(url.pathname))) return;
      const posting = request.method === "POST" && POSTS.test(url.pathname);
      if (request.method !== "GET" && request.method !== "HEAD" && !posting) {
        const allow = POSTS.test(url.pathname) ? "GET, HEAD, POST" : "GET, HEAD";
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow } }));
        return;
      }
      const headers = identityHeaders(serverContext);
      for (const name of [...REQUEST_HEADERS, ...(posting ? ["content-type"] : [])]) {
        const value = request.headers.get(name);
        if (value) headers[name] = value;
      }
      const body = posting ? formBody(request) : Promise.resolve(undefined);
      return body
        .then((form) =>
          fetchAPI.fetch(origin + url.pathname + url.search, {
            method: request.method,
            headers,
            body: form,
            redirect: "manual",
          }),
        )
        .then(
          (upstream) => {
            const answer = new fetchAPI.Headers();
            upstream.headers.forEach((value, name) => {
              if (!HOP_BY_HOP.has(name)) answer.append(name, value);
            });
            endResponse(new fetchAPI.Response(upstream.body, { status: upstream.status, headers: answer }));
          },
          (error) =>
            endResponse(
              error instanceof FormTooLarge
                ? new fetchAPI.Response("Payload Too Large", { status: 413 })
                : new fetchAPI.Response("Bad Gateway", { status: 502 }),
            ),
        );
    },
  };
}

class FormTooLarge extends Error {}

// A form is small (a filing's fields); read it whole, refusing more than MAX_FORM_BYTES.
async function formBody(request) {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > MAX_FORM_BYTES) throw new FormTooLarge();
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_FORM_BYTES) throw new FormTooLarge();
  return bytes;
}
