// Lighthouse (npm, Debian's Chromium) audits the signed-in Today page, and Chromium's own
// installability check runs in a normal, non-private window, which a test's usual browser
// contexts are not.
import { chromium as playwright } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "../chromium";
import { test, expect, addDailyAction, signUpPatient } from "../fixtures";

test("Today scores 100 for accessibility and at least 95 for best practices in Lighthouse, and Chromium would install the app", async ({
  baseURL,
}) => {
  test.setTimeout(180_000);
  const profile = mkdtempSync(join(tmpdir(), "alongside-lighthouse-"));
  // A normal (not private) window, as a person's browser is: Chromium installs only from those.
  const context = await playwright.launchPersistentContext(profile, {
    executablePath: chromium.executablePath,
    args: chromium.args,
  });
  let cookie = "";
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await signUpPatient(page, "Lighthouse");
    await addDailyAction(page, "Sleep better", "Go to bed by 11");
    await page.goto(`${baseURL}/today`);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
    expect(installabilityErrors).toEqual([]);
    cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
  } finally {
    await context.close();
  }

  // Lighthouse drives a Chromium of its own, signed in by the session cookie on every request.
  const out = join(profile, "report.json");
  try {
    execFileSync(
      "npx",
      [
        "lighthouse",
        `${baseURL}/today`,
        `--chrome-flags=--headless=new ${chromium.args.join(" ")}`,
        `--extra-headers=${JSON.stringify({ Cookie: cookie })}`,
        "--only-categories=accessibility,best-practices",
        "--form-factor=mobile",
        "--throttling-method=provided",
        "--output=json",
        `--output-path=${out}`,
        "--quiet",
      ],
      {
        cwd: join(__dirname, ".."),
        env: { ...process.env, CHROME_PATH: chromium.executablePath },
        stdio: ["ignore", "inherit", "inherit"],
        timeout: 150_000,
      },
    );
    const report = JSON.parse(readFileSync(out, "utf8"));
    // It audited Today itself, signed in, not the sign-in page it would be sent to otherwise.
    expect(report.finalDisplayedUrl).toBe(`${baseURL}/today`);
    const failing = Object.values(
      report.audits as Record<string, { id: string; score: number | null; scoreDisplayMode: string; title: string }>,
    )
      .filter((a) => a.scoreDisplayMode === "binary" && a.score === 0)
      .map((a) => `${a.id}: ${a.title}`);
    console.log(
      `Lighthouse on /today: accessibility ${report.categories.accessibility.score * 100}, best practices ${report.categories["best-practices"].score * 100}`,
    );
    expect(failing, "failed Lighthouse audits").toEqual([]);
    expect(report.categories.accessibility.score).toBe(1);
    expect(report.categories["best-practices"].score).toBeGreaterThanOrEqual(0.95);
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
});
