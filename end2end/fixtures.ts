// Shared test helpers: the server's address, and an axe-core check every page test runs.
import { test as base, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";

export const test = base.extend<{ baseURL: string }>({
  baseURL: async ({}, use) => {
    const url = process.env.E2E_BASE_URL;
    if (!url) throw new Error("E2E_BASE_URL is not set: global setup did not start the server");
    await use(url);
  },
  page: async ({ page }, use) => {
    // A script blocked by our Content-Security-Policy, or any other page error, fails the test.
    const problems: string[] = [];
    page.on("console", (msg) => {
      // A page answered with 404 on purpose is reported below, by resource type, instead.
      if (msg.type() === "error" && !msg.text().startsWith("Failed to load resource")) {
        problems.push(msg.text());
      }
    });
    page.on("pageerror", (err) => problems.push(err.message));
    page.on("response", (res) => {
      const kind = res.request().resourceType();
      if (kind !== "document" && res.status() >= 400) problems.push(`${res.status()} for a ${kind}: ${res.url()}`);
    });
    await use(page);
    expect(problems, "errors in the browser console").toEqual([]);
  },
});

export { expect };

/**
 * Runs axe-core (WCAG 2.0/2.1/2.2 A and AA) and fails on any violation.
 *
 * axe runs as JavaScript inside the page, which a no-JavaScript page cannot do. There we load
 * the same address in a JavaScript-enabled page whose HTML has its scripts stripped, so axe
 * checks exactly what a person without JavaScript gets.
 */
export async function expectAccessible(page: Page) {
  const noJs = test.info().project.use.javaScriptEnabled === false;
  let target = page;
  let scratch: BrowserContext | undefined;
  if (noJs) {
    const browser = page.context().browser();
    if (!browser) throw new Error("no browser for the axe check");
    scratch = await browser.newContext({ javaScriptEnabled: true, viewport: page.viewportSize() ?? undefined });
    const cookies = await page.context().cookies();
    if (cookies.length) await scratch.addCookies(cookies);
    await scratch.route("**/*", async (route) => {
      if (route.request().resourceType() !== "document") return route.continue();
      const res = await route.fetch();
      const html = (await res.text()).replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "");
      await route.fulfill({ response: res, body: html });
    });
    target = await scratch.newPage();
    await target.goto(page.url());
  }
  try {
    const results = await new AxeBuilder({ page: target })
      .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"])
      .analyze();
    const summary = results.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
    );
    expect(summary, "axe-core violations").toEqual([]);
  } finally {
    await scratch?.close();
  }
}

/** A fresh one-time invitation link for a new administrator, made by the CLI. */
export function newInvitation(name: string): string {
  const bin = process.env.E2E_BIN;
  const env = JSON.parse(process.env.E2E_SERVER_ENV ?? "{}");
  if (!bin) throw new Error("E2E_BIN is not set: global setup did not run");
  const out = execFileSync(bin, ["invite-admin", "--name", name, "--organisation", "End-to-end Practice"], {
    env,
    encoding: "utf8",
  });
  const link = out.match(/https?:\/\/\S+\/invite\?token=\S+/)?.[0];
  if (!link) throw new Error(`no invitation link in: ${out}`);
  return link;
}

/** Chromium's virtual authenticator: a phone or laptop with a platform passkey provider. */
export async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/** Whether this project runs with JavaScript turned off. */
export function jsDisabled(testInfo: { project: { use: { javaScriptEnabled?: boolean } } }) {
  return testInfo.project.use.javaScriptEnabled === false;
}

// Issued in order from a random start inside this worker's own block of 10,000, so two tests
// of one run never share a number (a random 6 digits gave two tests the same one now and then).
// Blocks start at 999 500 000, above the demo's 999 123 45xx.
const nhsStart = Math.floor(Math.random() * 10_000);
let nhsIssued = 0;

/** A valid NHS number (modulus-11 check digit) in the 999 test range, unique in this run. */
export function testNhsNumber(): string {
  const block = Number(process.env.TEST_WORKER_INDEX ?? 0) % 50;
  for (;;) {
    const serial = 500_000 + block * 10_000 + ((nhsStart + nhsIssued++) % 10_000);
    const digits = [9, 9, 9, ...String(serial).split("").map(Number)];
    const sum = digits.reduce((acc, d, i) => acc + d * (10 - i), 0);
    const check = (11 - (sum % 11)) % 11;
    if (check !== 10) return [...digits, check].join("");
  }
}

/** A new patient (of the demo practice unless another is named), with a one-time invitation link, made by the CLI. */
export function newPatientInvitation(given: string, family: string, organisation = "Riverside Medical Practice"): string {
  const bin = process.env.E2E_BIN;
  const env = JSON.parse(process.env.E2E_SERVER_ENV ?? "{}");
  if (!bin) throw new Error("E2E_BIN is not set: global setup did not run");
  const out = execFileSync(
    bin,
    ["invite-patient", "--given", given, "--family", family, "--born", "1955-06-01", "--nhs-number", testNhsNumber(),
      "--organisation", organisation, "--condition", "type2_diabetes"],
    { env, encoding: "utf8" },
  );
  const link = out.match(/https?:\/\/\S+\/invite\?token=\S+/)?.[0];
  if (!link) throw new Error(`no invitation link in: ${out}`);
  return link;
}

/**
 * Signs a new patient up with a passkey and leaves `page` signed in as them. Passkeys need
 * JavaScript, so for a no-JavaScript page the sign-up happens in a scratch JavaScript context
 * and the session cookie is handed over, as if they had signed in on this browser earlier.
 */
export async function signUpPatient(page: Page, given: string, family = "Tester") {
  await signUpWithLink(page, newPatientInvitation(given, family));
}

/** A new clinician (and administrator) of the demo practice, with a one-time link, made by the CLI. */
export function newClinicianInvitation(name: string): string {
  return newAdminInvitation(name, "Riverside Medical Practice", "gp_practice", "clinician");
}

/** A new administrator of an organisation (made if it is new) who also holds `role`, by the CLI. */
export function newAdminInvitation(name: string, organisation: string, kind: string, role: string): string {
  const bin = process.env.E2E_BIN;
  const env = JSON.parse(process.env.E2E_SERVER_ENV ?? "{}");
  if (!bin) throw new Error("E2E_BIN is not set: global setup did not run");
  const out = execFileSync(
    bin,
    ["invite-admin", "--name", name, "--organisation", organisation, "--kind", kind, "--also-role", role],
    { env, encoding: "utf8" },
  );
  const link = out.match(/https?:\/\/\S+\/invite\?token=\S+/)?.[0];
  if (!link) throw new Error(`no invitation link in: ${out}`);
  return link;
}

/** The one-time link `seed-demo` printed for a demo person, e.g. "Margaret Evans". */
export function demoLink(name: string): string {
  const line = (process.env.E2E_DEMO_LINKS ?? "").split("\n").find((l) => l.includes(name));
  const link = line?.match(/https?:\/\/\S+\/invite\?token=\S+/)?.[0];
  if (!link) throw new Error(`no demo link for ${name}`);
  return link;
}

/** Signs up with an invitation link; see `signUpPatient`. */
export async function signUpWithLink(page: Page, link: string) {
  let scratch: BrowserContext | undefined;
  let signUpPage = page;
  if (test.info().project.use.javaScriptEnabled === false) {
    const browser = page.context().browser();
    if (!browser) throw new Error("no browser");
    scratch = await browser.newContext({ javaScriptEnabled: true });
    signUpPage = await scratch.newPage();
  }
  await addVirtualAuthenticator(signUpPage);
  await signUpPage.goto(link);
  await signUpPage.getByRole("button", { name: "Create a passkey" }).click();
  await expect(signUpPage).toHaveURL(/\/today$/);
  if (scratch) {
    await page.context().addCookies(await scratch.cookies());
    await scratch.close();
  }
}

/** With JavaScript on, waits until the page's forms update in place. */
export async function waitForEnhancedForms(page: Page) {
  if (test.info().project.use.javaScriptEnabled === false) return;
  await page.locator("[data-enhanced]").first().waitFor({ state: "attached" });
}

/** Writes a goal and an everyday action through the person's own forms; returns the action's page. */
export async function addDailyAction(page: Page, goal: string, action: string): Promise<string> {
  const base = process.env.E2E_BASE_URL ?? "";
  await page.goto(`${base}/plan/goals/new`);
  await waitForEnhancedForms(page);
  await page.getByLabel("Your goal, in your own words").fill(goal);
  await page.getByLabel("How important is it to you?").selectOption("8");
  await page.getByRole("button", { name: "Save goal" }).click();
  await page.getByRole("link", { name: "Add an action" }).click();
  await waitForEnhancedForms(page);
  await page.getByLabel("What will you do?").fill(action);
  await page.getByRole("radio", { name: "Every day" }).check();
  await page.getByLabel("How confident are you that you can do this?").selectOption("7");
  await page.getByRole("button", { name: "Save action" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(action);
  return page.url();
}

/** A date `days` from now, as a date field takes it. */
export function day(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A new clinician, in a desktop browser of their own, books a review in 20 days at 10:30 for the
 * patient named `given` (family name Tester) and sends their preparation pack at once.
 */
export async function bookReviewAndSendPack(browser: Browser, given: string, clinician: string, place: string) {
  const base = process.env.E2E_BASE_URL ?? "";
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const staff = await context.newPage();
  await signUpWithLink(staff, newClinicianInvitation(`${clinician} ${given}`));
  await staff.goto(`${base}/team/reviews`);
  await staff.getByRole("link", { name: `${given} Tester` }).click();
  await waitForEnhancedForms(staff);
  await staff.locator("#review-date").fill(day(20));
  await staff.locator("#review-time").fill("10:30");
  await staff.locator("#review-with_whom").fill(clinician);
  await staff.locator("#review-place").fill(place);
  await staff.getByRole("button", { name: "Book the review" }).click();
  await expect(staff.locator("#notice")).toHaveText(/The review is booked/);
  await staff.getByRole("button", { name: "Send the preparation pack now" }).click();
  await expect(staff.locator("#notice")).toContainText("The preparation pack is sent");
  await context.close();
}
