// The client's query budget through the gateway. Each subgraph charges the client's hourly budget
// and reports it in its answer's `extensions.cost` (schema/operation_limits.py), but the router
// runtime builds the client's answer from the subgraphs' data and errors only: this plugin keeps the
// cost of each subgraph answer per client request and puts it on the client's answer.
//
// One operation may call several subgraphs (or one subgraph more than once, for entities): each call
// is charged on its own, to the same budget (one counter per client in Redis, shared by every
// subgraph and replica, keyed by the client the gateway forwards). The client sees what its operation
// took in all (`requested` and `estimate` added up over the calls) and the budget as the last charge
// left it: the answer with the least `remaining` gives `limit`, `remaining` and `resetAt`. (At the
// turn of the hour that may be the old window's, which ends then: the client waits no longer.)
const charges = new WeakMap(); // the client's request context -> the cost of each subgraph answer

const isStream = (result) => typeof result?.[Symbol.asyncIterator] === "function";

// The state with less left of two; a counter that could not be reached reports `remaining: null`.
function leastLeft(a, b) {
  if (typeof b.remaining !== "number") return a;
  if (typeof a.remaining !== "number") return b;
  return b.remaining <= a.remaining ? b : a;
}

function total(costs, name) {
  return costs.reduce((sum, cost) => sum + (Number(cost[name]) || 0), 0);
}

function combinedCost(costs) {
  if (costs.length === 1) return costs[0];
  const left = costs.reduce(leastLeft);
  return { ...left, requested: total(costs, "requested"), estimate: total(costs, "estimate") };
}

export const useSubgraphCosts = () => ({
  onSubgraphExecute({ executionRequest }) {
    const context = executionRequest?.context;
    if (!context) return undefined;
    return ({ result }) => {
      const cost = !isStream(result) && result?.extensions?.cost;
      if (!cost || typeof cost !== "object") return;
      const known = charges.get(context);
      if (known) known.push(cost);
      else charges.set(context, [cost]);
    };
  },
  onExecute({ args }) {
    return {
      onExecuteDone({ result, setResult }) {
        const costs = charges.get(args.contextValue);
        if (!costs || !result || isStream(result)) return;
        charges.delete(args.contextValue);
        setResult({ ...result, extensions: { ...result.extensions, cost: combinedCost(costs) } });
      },
    };
  },
});
