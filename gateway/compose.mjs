// Composes Sigap's subgraphs into a supergraph with @theguild/federation-composition.
// Reads {"subgraphs": [{"name", "url", "sdl"}]} as JSON on stdin; writes
// {"supergraphSdl", "publicSdl"} as JSON on stdout, or the composition errors on stderr with exit code 1.
import { readFileSync } from "node:fs";
import { parse } from "graphql";
import { composeServices, compositionHasErrors } from "@theguild/federation-composition";

const { subgraphs } = JSON.parse(readFileSync(0, "utf8"));
const result = composeServices(
  subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })),
);
if (compositionHasErrors(result)) {
  for (const error of result.errors) {
    const code = error.extensions?.code ?? "COMPOSITION_ERROR";
    process.stderr.write(`${code}: ${error.message}\n`);
  }
  process.exit(1);
}
process.stdout.write(JSON.stringify({ supergraphSdl: result.supergraphSdl, publicSdl: result.publicSdl }));
