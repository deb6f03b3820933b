#!/usr/bin/env bash
# Copies the front-end assets the web UI serves (htmx, Pico CSS) from node_modules into
# waggle/web/static/vendor/, where they are committed: a fresh machine never needs npm or a CDN.
# Run after changing versions in package.json: `npm ci && npm run vendor`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules/htmx.org ] || [ ! -d node_modules/@picocss/pico ]; then
  echo "node_modules is missing: run 'npm ci' first." >&2
  exit 1
fi
dest=waggle/web/static/vendor
mkdir -p "$dest"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$dest/htmx.LICENSE"
cp node_modules/@picocss/pico/css/pico.min.css "$dest/pico.min.css"
cp node_modules/@picocss/pico/LICENSE.md "$dest/pico.LICENSE.md"
node -e 'for (const p of ["htmx.org", "@picocss/pico"]) { const v = require(`./node_modules/${p}/package.json`).version; console.log(`${p} ${v}`); }' > "$dest/VERSIONS"
echo "Vendored into $dest:"; cat "$dest/VERSIONS"
