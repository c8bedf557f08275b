import { defineConfig, devices } from "@playwright/test";

import { chromium } from "./chromium";

export default defineConfig({
  testDir: "./tests",
  // The server is started once, on a free port with a fresh database, and stopped after.
  globalSetup: "./global-setup.ts",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [["list"]],
  // Whole journeys, several axe runs each, two at a time on 2 cores.
  timeout: 60_000,
  use: {
    launchOptions: chromium,
    trace: "off",
  },
  projects: [
    { name: "phone", use: { ...devices["Pixel 7"], launchOptions: chromium }, testIgnore: [/nojs\.spec\.ts/, /lighthouse\.spec\.ts/] },
    { name: "desktop", use: { ...devices["Desktop Chrome"], launchOptions: chromium }, testIgnore: [/nojs\.spec\.ts/, /lighthouse\.spec\.ts/] },
    {
      name: "no-js",
      use: { ...devices["Desktop Chrome"], javaScriptEnabled: false, launchOptions: chromium },
      // Passkeys, service workers, reminders and posts racing each other need JavaScript; no-JS behaviour of those pages
      // is checked in nojs.spec.ts.
      testIgnore: [/passkeys\.spec\.ts/, /pwa\.spec\.ts/, /push\.spec\.ts/, /races\.spec\.ts/, /lighthouse\.spec\.ts/],
    },
    // Lighthouse audits one page the way it does itself (its own phone emulation), once.
    { name: "lighthouse", use: { launchOptions: chromium }, testMatch: /lighthouse\.spec\.ts/ },
  ],
});
