import { defineConfig, devices } from "@playwright/test";

// Debian's Chromium: Playwright cannot download its own browsers on these machines.
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "./tests",
  // The server is started once, on a free port with a fresh database, and stopped after.
  globalSetup: "./global-setup.ts",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  timeout: 30_000,
  use: {
    launchOptions: chromium,
    trace: "off",
  },
  projects: [
    { name: "phone", use: { ...devices["Pixel 7"], launchOptions: chromium }, testIgnore: /nojs\.spec\.ts/ },
    { name: "desktop", use: { ...devices["Desktop Chrome"], launchOptions: chromium }, testIgnore: /nojs\.spec\.ts/ },
    {
      name: "no-js",
      use: { ...devices["Desktop Chrome"], javaScriptEnabled: false, launchOptions: chromium },
      // Passkeys need JavaScript; no-JS behaviour of those pages is checked in nojs.spec.ts.
      testIgnore: /passkeys\.spec\.ts/,
    },
  ],
});
