import base from "./playwright.config";
import { defineConfig } from "@playwright/test";

// `make bench-phone`: the phone benchmark (not part of `make test`; it measures, it does not
// pass or fail on time).
export default defineConfig({
  ...base,
  testDir: "./bench",
  workers: 1,
  timeout: 120_000,
  projects: [base.projects![0]],
});
