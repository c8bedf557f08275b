// Starts the release build of `alongside` (the one `make run` serves, wasm-opt included) on a
// free port with a fresh SQLite database, seeds the demo, and stops it when the run ends.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(__dirname, "..");
const binary = process.env.ALONGSIDE_BIN_FOR_E2E ?? join(root, "target/release/alongside");

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once("error", fail);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => ok(port));
    });
  });
}

async function waitForReady(base: string, deadline: number) {
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/readyz`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`alongside did not become ready at ${base}`);
}

export default async function globalSetup() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "alongside-e2e-"));
  // localhost, not 127.0.0.1: Chromium refuses an IP address as a passkey relying party.
  const base = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ALONGSIDE_LISTEN: `127.0.0.1:${port}`,
    ALONGSIDE_PUBLIC_ORIGIN: base,
    ALONGSIDE_DATA_DIR: dataDir,
    ALONGSIDE_SITE_ROOT: join(root, "target/site"),
    ALONGSIDE_LOG: "warn",
  };
  const seeded = execFileSync(binary, ["seed-demo"], { env, encoding: "utf8" });
  const server = spawn(binary, ["serve"], { env, stdio: ["ignore", "inherit", "inherit"] });
  await waitForReady(base, Date.now() + 20_000);

  process.env.E2E_BASE_URL = base;
  process.env.E2E_DEMO_LINKS = seeded;
  // Tests make their own invitations with the same binary and database.
  process.env.E2E_BIN = binary;
  process.env.E2E_SERVER_ENV = JSON.stringify(env);

  return async () => {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    rmSync(dataDir, { recursive: true, force: true });
  };
}
