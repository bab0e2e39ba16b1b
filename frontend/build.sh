#!/usr/bin/env bash
# Builds LPC 360's front-end into ../static/nhsuk/ from npm nhsuk-frontend:
#   css/lpc360.css          our Sass (lpc360.scss) compiled with NHS.UK frontend, compressed
#   js/nhsuk-frontend.min.js NHS.UK frontend's ES module, with its source map
#                           (static/js/lpc360.js imports it)
#   assets/                 favicons, icons and the web app manifest
# The output is committed, so the running site never needs Node. Run after changing
# lpc360.scss or upgrading nhsuk-frontend:  frontend/build.sh
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
out="$here/../static/nhsuk"
cd "$here"

if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund
else
  npm install --no-audit --no-fund
fi

pkg="node_modules/nhsuk-frontend/dist/nhsuk"
version="$(node -p 'require("nhsuk-frontend/package.json").version')"

rm -rf "$out"
mkdir -p "$out/css" "$out/js" "$out/assets"

npx sass --no-source-map --style=compressed --load-path=node_modules \
  lpc360.scss "$out/css/lpc360.css"

# The source map goes too: the .js names it, and Django's manifest storage (production)
# refuses to collect a file whose source map is missing.
cp "$pkg/nhsuk-frontend.min.js" "$pkg/nhsuk-frontend.min.js.map" "$out/js/"
cp -R "$pkg/assets/." "$out/assets/"
printf 'nhsuk-frontend %s\n' "$version" > "$out/VERSION"

# The compiled CSS must not point at the package's default /assets/ path or load webfonts.
if grep -Eq 'url\((")?/assets/|assets\.nhs\.uk|@font-face' "$out/css/lpc360.css"; then
  echo "build.sh: lpc360.css still refers to /assets/, assets.nhs.uk or a webfont" >&2
  exit 1
fi

echo "Built nhsuk-frontend $version into ${out#"$here/"}"
