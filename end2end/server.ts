// Starts `alongside` on a port of its own with a fresh SQLite database: the debug build the
// integration tests made (`make test`), or the binary named by ALONGSIDE_BIN_FOR_E2E (`make
// test-release` and the phone benchmark use the release build). Either serves the release
// site (`target/site`, wasm-opt included), which is what the browser downloads. Global setup
// starts the one most tests share; a test that needs a server of its own (a new app version,
// say) starts another.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const root = resolve(__dirname, "..");
export const binary = process.env.ALONGSIDE_BIN_FOR_E2E ?? join(root, "target/debug/alongside");
// The site it serves; ALONGSIDE_SITE_FOR_E2E names a copy (repeated runs against one snapshot of
// a build while the tree is rebuilt, say).
export const site = process.env.ALONGSIDE_SITE_FOR_E2E ?? join(root, "target/site");

export function freePort(): Promise<number> {
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

export type Server = {
  base: string;
  env: NodeJS.ProcessEnv;
  stop: () => Promise<void>;
};

/** Environment for a server on `port` keeping its data in `dataDir`. */
export function serverEnv(port: number, dataDir: string, siteRoot = site): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    ALONGSIDE_LISTEN: `127.0.0.1:${port}`,
    // localhost, not 127.0.0.1: Chromium refuses an IP address as a passkey relying party.
    ALONGSIDE_PUBLIC_ORIGIN: `http://localhost:${port}`,
    ALONGSIDE_DATA_DIR: dataDir,
    ALONGSIDE_SITE_ROOT: siteRoot,
    ALONGSIDE_LOG: "warn",
    // The mock push service (push-mock.ts) on loopback stands in for the browser's own.
    ALONGSIDE_PUSH_SERVICES: "https://fcm.googleapis.com, http://127.0.0.1:*",
    // Every test signs people up and in from 127.0.0.1: the whole suite is one address, so its
    // sign-in attempts a minute are the suite's, not one person's. At the default (60) a
    // quick run went over it and one sign-up was refused with a 429.
    ALONGSIDE_ATTEMPTS_PER_ADDRESS: "6000",
  };
}

/** Serves until `stop()`; `dataDir` is removed on stop only when this call made it. */
export async function startServer(options: { port?: number; dataDir?: string; siteRoot?: string } = {}): Promise<Server> {
  const port = options.port ?? (await freePort());
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "alongside-e2e-"));
  const env = serverEnv(port, dataDir, options.siteRoot);
  const child: ChildProcess = spawn(binary, ["serve"], { env, stdio: ["ignore", "inherit", "inherit"] });
  const base = `http://localhost:${port}`;
  await waitForReady(base, Date.now() + 20_000);
  return {
    base,
    env,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
