#!/usr/bin/env bash
# `make test`: runs the unit and integration tests while the site (wasm + css) builds beside
# them. The tests mostly wait on their databases and the site build on the CPU, so on 2 cores
# the two together take little longer than either alone. The tests run as the binaries the
# build made, each from its package's folder as `cargo test` would run it, because `cargo test`
# holds the target folder's lock while its tests run and the site's cargo build would wait.
#
# Usage: scripts/test-beside-site.sh THREADS CARGO-TEST-COMMAND…   (the command that built them)
set -euo pipefail
cd "$(dirname "$0")/.."
threads=$1
shift
# Every test binary of that build (test mode only: never the server binary itself), as
# "package folder<TAB>binary".
mapfile -t runs < <("$@" --no-run --quiet --message-format=json | node -e '
  const lines = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean);
  for (const line of lines) {
    const m = JSON.parse(line);
    if (m.reason === "compiler-artifact" && m.profile.test && m.executable) {
      console.log(`${require("path").dirname(m.manifest_path)}\t${m.executable}`);
    }
  }')
if [ ${#runs[@]} -eq 0 ]; then
  echo "no test binaries came out of the build" >&2
  exit 1
fi

log=target/site-build.log
mkdir -p target
(
  start=$(date +%s)
  bash scripts/build-site.sh
  echo "== the site, built beside the tests, took $(($(date +%s) - start))s"
) >"$log" 2>&1 &
site=$!

tests=0
for run in "${runs[@]}"; do
  dir=${run%%$'\t'*}
  exe=${run#*$'\t'}
  echo "     Running ${exe#"$PWD/"}"
  (cd "$dir" && "$exe" --test-threads "$threads") || tests=$?
done

built=0
wait "$site" || built=$?
cat "$log"
if [ "$built" -ne 0 ]; then
  echo "the site did not build" >&2
  exit "$built"
fi
exit "$tests"
