#!/usr/bin/env bash
# Copies the front-end assets the web UI serves (htmx, Pico CSS, Apache ECharts) from
# node_modules into waggle/web/static/vendor/, where they are committed: a fresh machine never
# needs npm or a CDN.
# Run after changing versions in package.json: `npm ci && npm run vendor`.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(htmx.org @picocss/pico echarts zrender tslib)
for p in "${packages[@]}"; do
  if [ ! -d "node_modules/$p" ]; then
    echo "node_modules/$p is missing: run 'npm ci' first." >&2
    exit 1
  fi
done
dest=waggle/web/static/vendor
mkdir -p "$dest"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/htmx.org/LICENSE "$dest/htmx.LICENSE"
cp node_modules/@picocss/pico/css/pico.min.css "$dest/pico.min.css"
cp node_modules/@picocss/pico/LICENSE.md "$dest/pico.LICENSE.md"
# ECharts' full minified build (line, heat map and graph series; it bundles zrender and tslib's
# helpers, whose licenses travel with it, and parts of d3 named in its LICENSE).
cp node_modules/echarts/dist/echarts.min.js "$dest/echarts.min.js"
cp node_modules/echarts/LICENSE "$dest/echarts.LICENSE"
cp node_modules/echarts/NOTICE "$dest/echarts.NOTICE"
cp node_modules/echarts/licenses/LICENSE-d3 "$dest/echarts.LICENSE-d3"
cp node_modules/zrender/LICENSE "$dest/zrender.LICENSE"
cp node_modules/tslib/LICENSE.txt "$dest/tslib.LICENSE.txt"
for p in "${packages[@]}"; do
  echo "$p $(node -p "require('./node_modules/$p/package.json').version")"
done > "$dest/VERSIONS"
echo "Vendored into $dest:"; cat "$dest/VERSIONS"
