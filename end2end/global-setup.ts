// Starts the server most tests share on a free port with a fresh SQLite database, seeds the
// demo, and stops it when the run ends.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { binary, freePort, serverEnv, startServer } from "./server";

export default async function globalSetup() {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "alongside-e2e-"));
  const env = serverEnv(port, dataDir);
  const seeded = execFileSync(binary, ["seed-demo"], { env, encoding: "utf8" });
  const server = await startServer({ port, dataDir });

  process.env.E2E_BASE_URL = server.base;
  process.env.E2E_DEMO_LINKS = seeded;
  // Tests make their own invitations with the same binary and database.
  process.env.E2E_BIN = binary;
  process.env.E2E_SERVER_ENV = JSON.stringify(env);

  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
