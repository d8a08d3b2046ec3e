// Sigap's GraphiQL: queries and mutations over HTTP POST, subscriptions over graphql-transport-ws on
// the same /graphql. The editor's contents are kept in the URL's fragment (#query=...&variables=...) to
// share: `?query=` would run the query over GET instead of opening the IDE.
(function () {
  "use strict";
  const here = new URL(window.location.href);
  const endpoint = here.origin + here.pathname; // the page is served at /graphql itself
  const socket = new URL(endpoint);
  socket.protocol = here.protocol === "https:" ? "wss:" : "ws:";

  const fetcher = GraphiQL.createFetcher({ url: endpoint, subscriptionUrl: socket.toString() });

  const shared = new URLSearchParams(here.hash.slice(1));

  function keepInUrl(name) {
    return function (value) {
      if (value) shared.set(name, value);
      else shared.delete(name);
      history.replaceState(null, "", "#" + shared.toString());
    };
  }

  function SigapGraphiQL() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      defaultQuery: "# Sigap: Ctrl-Enter runs the operation.\n{\n  categories { code name }\n}\n",
      query: shared.get("query") || undefined,
      variables: shared.get("variables") || undefined,
      onEditQuery: keepInUrl("query"),
      onEditVariables: keepInUrl("variables"),
      defaultEditorToolsVisibility: true,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(SigapGraphiQL));
})();
