// The first-visit download budget: the brotli size of the wasm, JS and CSS a page loads.
// Sizes are deterministic for a given build, so this is a test, not a benchmark.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const site = process.argv[2] ?? "target/site";
const LIMIT = 300 * 1024;
const WASM_GOAL = 200 * 1024;
const { app, css } = JSON.parse(readFileSync(join(site, "assets.json"), "utf8"));
const files = [`${app}_bg.wasm`, `${app}.js`, css];
let total = 0;
let wasm = 0;
for (const file of files) {
  const size = statSync(join(site, "pkg", `${file}.br`)).size;
  const raw = statSync(join(site, "pkg", file)).size;
  total += size;
  if (file.endsWith(".wasm")) wasm = size;
  console.log(`budget: ${file.padEnd(44)} ${(raw / 1024).toFixed(1).padStart(7)} KB raw ${(size / 1024).toFixed(1).padStart(7)} KB brotli`);
}
console.log(`budget: first visit downloads ${(total / 1024).toFixed(1)} KB brotli (limit 300 KB); wasm ${(wasm / 1024).toFixed(1)} KB (goal 200 KB)`);
if (wasm > WASM_GOAL) console.log("budget: note: the wasm is over its 200 KB goal");
if (total > LIMIT) {
  console.error("budget: FAILED: the first visit is over 300 KB brotli");
  process.exit(1);
}
console.log("budget: 1 passed, 0 failed");
