#!/usr/bin/env bash
# Builds what the browser downloads into target/site: the wasm bundle (size-optimised), its JS
# glue, the stylesheet, static files and the NHS.UK assets; names carry a content hash so they
# can be cached for a year; each gets a brotli and a gzip copy. This is the work cargo-leptos
# would do, kept as a script because cargo-leptos takes over 20 minutes to install here.
set -euo pipefail
cd "$(dirname "$0")/.."
SITE=target/site
PATH="$PWD/style/node_modules/.bin:$PATH"
hash16() { sha256sum "$1" | cut -c1-16; }

cargo build -p app --lib --target wasm32-unknown-unknown --profile wasm-release \
  --no-default-features --features hydrate
wasm=target/wasm32-unknown-unknown/wasm-release/app.wasm
name="alongside-$(hash16 "$wasm")"

rm -rf "$SITE.new" && mkdir -p "$SITE.new/pkg"
wasm-bindgen --target web --no-typescript --out-dir "$SITE.new/pkg" --out-name "$name" "$wasm"
# binaryen from npm: Debian's older wasm-opt produces wasm that fails to start in the browser.
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$SITE.new/pkg/${name}_bg.wasm" -o "$SITE.new/pkg/${name}_bg.wasm"

sass --no-source-map --style=compressed --load-path=style/node_modules style/main.scss "$SITE.new/app.css"
css="alongside-$(hash16 "$SITE.new/app.css").css"
mv "$SITE.new/app.css" "$SITE.new/pkg/$css"

cp -r public/. "$SITE.new/"
# The phone's script is named for its content too, so a change to it makes a new app version.
phone="phone-$(hash16 public/phone.js).js"
mv "$SITE.new/phone.js" "$SITE.new/pkg/$phone"
cp -r style/node_modules/nhsuk-frontend/dist/nhsuk/assets "$SITE.new/assets"
printf '{"app": "%s", "css": "%s", "phone": "%s"}\n' "$name" "$css" "$phone" > "$SITE.new/assets.json"
node scripts/compress.mjs "$SITE.new/pkg"

rm -rf "$SITE" && mv "$SITE.new" "$SITE"
echo "site built in $SITE ($name, $css)"
