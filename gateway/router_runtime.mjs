// Hive Router's runtime (the query planner in Rust, @graphql-hive/router-runtime) in place of the
// default stitching runtime: it plans once per document and builds the answer by projecting the
// subgraphs' data onto the operation, instead of executing every field of the answer again in
// JavaScript, which was most of the gateway's own CPU per request (bench/federation.py).
//
// Its subgraph calls are anonymous; the stitching runtime named them after the client's operation.
// The subgraphs' and the gateway's metrics count calls by that name (and a subgraph's logs show it),
// so the client's operation name is put back on each call it plans.
import { unifiedGraphHandler } from "@graphql-hive/router-runtime";
import { getOperationAST, Kind } from "graphql";

const clientOperationNames = new WeakMap(); // the client's request context -> its operation's name
// A planned call's document -> the same document named after the client's operation, built once:
// plans and their documents are kept per client document, and so is this.
const namedDocuments = new WeakMap();

function named(document, name) {
  let byName = namedDocuments.get(document);
  if (!byName) namedDocuments.set(document, (byName = new Map()));
  let renamed = byName.get(name);
  if (!renamed) {
    const definitions = document.definitions.map((definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && !definition.name
        ? { ...definition, name: { kind: Kind.NAME, value: name } }
        : definition,
    );
    renamed = { ...document, definitions };
    byName.set(name, renamed);
  }
  return renamed;
}

export async function namedRouterRuntime(options) {
  const handler = await unifiedGraphHandler({
    ...options,
    onSubgraphExecute(subgraphName, request) {
      const name = request.context && clientOperationNames.get(request.context);
      if (!name || request.operationName) return options.onSubgraphExecute(subgraphName, request);
      return options.onSubgraphExecute(subgraphName, {
        ...request,
        operationName: name,
        document: named(request.document, name),
      });
    },
  });
  return {
    ...handler,
    executor(request) {
      const name = getOperationAST(request.document, request.operationName)?.name?.value;
      if (name && request.context) clientOperationNames.set(request.context, name);
      return handler.executor(request);
    },
  };
}

// Its answers with errors and no data (a subscription ended by the subgraph's refusal, a subgraph
// that answered only errors) leave `data` out; the stitching runtime answered `data: null`, as the
// GraphQL spec has it for errors raised during execution, and clients read it so.
const lacksData = (result) => result?.errors?.length && !("data" in result);

function nullData({ result, setResult }) {
  if (lacksData(result)) setResult({ ...result, data: null });
}

function eachResult({ result, setResult }) {
  if (typeof result?.[Symbol.asyncIterator] === "function") return { onNext: nullData };
  nullData({ result, setResult });
}

export const useNullDataWithErrors = () => ({
  onExecute: () => ({ onExecuteDone: eachResult }),
  onSubscribe: () => ({ onSubscribeResult: eachResult }),
});
