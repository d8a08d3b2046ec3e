// The gateway's upstream websocket transport, with refusals passed on to the client.
//
// A subgraph that refuses a subscriber's credentials closes the upstream socket with 4403
// (graphql-transport-ws's Forbidden). graphql-ws treats 4403 as worth retrying ("might grant
// access after retry") and Hive Gateway's transport exposes no retry setting, so the subscriber
// would wait in silence through ~40 s of retries and then be told nothing useful. Here a 4403
// ends that upstream client at once, and a subscription that ends without ever delivering an
// event (which Sigap's never do on their own) ends with a FORBIDDEN error the client can act on.
//
// A replica that stops closes its sockets with 1001 (going away). graphql-ws would reconnect and
// subscribe again with the subscription's first variables, replaying from the client's first
// `after` cursor: every event since then twice. Instead the client's subscription completes, and
// the client resumes from its last cursor (`after`), through the gateway, at a replica still up.
import wsTransport from "@graphql-mesh/transport-ws";
import { GraphQLError } from "graphql";

const FORBIDDEN_CLOSE = 4403;
const GOING_AWAY_CLOSE = 1001;

function refusal() {
  return {
    errors: [
      new GraphQLError("Langganan ditolak: kredensial tidak berlaku. / The subscription was refused: the credentials are not valid.", {
        extensions: { code: "FORBIDDEN" },
      }),
    ],
  };
}

async function* reportingRefusal(events, signal, refusalsSoFar) {
  const refusalsBefore = refusalsSoFar();
  let delivered = false;
  for await (const event of events) {
    delivered = true;
    yield event;
  }
  // Ended by a refusal (not by a replica going away) before its first event.
  if (!delivered && !signal?.aborted && refusalsSoFar() > refusalsBefore) yield refusal();
}

export const wsTransportReportingRefusals = {
  getSubgraphExecutor(options) {
    let refusals = 0;
    const executor = wsTransport.getSubgraphExecutor(options, (client) => {
      client.on("closed", (event) => {
        if (event?.code === FORBIDDEN_CLOSE) refusals += 1;
        if (event?.code !== FORBIDDEN_CLOSE && event?.code !== GOING_AWAY_CLOSE) return;
        // dispose() rejects with this very close event (the socket it would close is gone already).
        Promise.resolve(client.dispose()).catch(() => {});
      });
    });
    const reporting = (request) => {
      const result = executor(request);
      const isStream = result && typeof result[Symbol.asyncIterator] === "function";
      return isStream ? reportingRefusal(result, request.signal ?? request.info?.signal, () => refusals) : result;
    };
    for (const key of Object.getOwnPropertySymbols(executor)) {
      Object.defineProperty(reporting, key, { value: executor[key] }); // disposal with the gateway
    }
    return reporting;
  },
};
