// The gateway's upstream websocket transport, with refusals passed on to the client.
//
// A subgraph that refuses a subscriber's credentials closes the upstream socket with 4403
// (graphql-transport-ws's Forbidden). graphql-ws treats 4403 as worth retrying ("might grant
// access after retry") and Hive Gateway's transport exposes no retry setting, so the subscriber
// would wait in silence through ~40 s of retries and then be told nothing useful. Here a 4403
// ends that upstream client at once, and a subscription that ends without ever delivering an
// event (which Sigap's never do on their own) ends with a FORBIDDEN error the client can act on.
import wsTransport from "@graphql-mesh/transport-ws";
import { GraphQLError } from "graphql";

const FORBIDDEN_CLOSE = 4403;

function refusal() {
  return {
    errors: [
      new GraphQLError("Langganan ditolak: kredensial tidak berlaku. / The subscription was refused: the credentials are not valid.", {
        extensions: { code: "FORBIDDEN" },
      }),
    ],
  };
}

async function* reportingRefusal(events, signal) {
  let delivered = false;
  for await (const event of events) {
    delivered = true;
    yield event;
  }
  if (!delivered && !signal?.aborted) yield refusal();
}

export const wsTransportReportingRefusals = {
  getSubgraphExecutor(options) {
    const executor = wsTransport.getSubgraphExecutor(options, (client) => {
      client.on("closed", (event) => {
        // dispose() rejects with this very close event (the socket it would close is gone already).
        if (event?.code === FORBIDDEN_CLOSE) Promise.resolve(client.dispose()).catch(() => {});
      });
    });
    const reporting = (request) => {
      const result = executor(request);
      const isStream = result && typeof result[Symbol.asyncIterator] === "function";
      return isStream ? reportingRefusal(result, request.signal ?? request.info?.signal) : result;
    };
    for (const key of Object.getOwnPropertySymbols(executor)) {
      Object.defineProperty(reporting, key, { value: executor[key] }); // disposal with the gateway
    }
    return reporting;
  },
};
