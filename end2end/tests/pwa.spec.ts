import {
  test,
  expect,
  addDailyAction,
  expectAccessible,
  signUpPatient,
  waitForEnhancedForms,
} from "../fixtures";
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, site, startServer } from "../server";

test("the app installs, its service worker controls the page, and offline the shell and the offline page still load", async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  await signUpPatient(page, `Pwa${testInfo.project.name.replace(/[^a-z]/gi, "")}`);
  await page.goto(`${baseURL}/today`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toMatch(/\/sw\.js$/);

  // Chromium's own installability checks: manifest, icons, service worker.
  const cdp = await context.newCDPSession(page);
  const { installabilityErrors } = await cdp.send("Page.getInstallabilityErrors");
  // Test browsers are always private windows, which Chromium never installs from; any other
  // reason (manifest, icons, service worker) would be listed too.
  expect(installabilityErrors.filter((e) => e.errorId !== "in-incognito")).toEqual([]);
  const manifest = await cdp.send("Page.getAppManifest");
  expect(manifest.errors).toEqual([]);
  expect(manifest.url).toMatch(/\/manifest\.webmanifest$/);

  // Only the shell is stored: no page and no answer that could hold health data.
  const cached = await page.evaluate(async () => {
    const out: string[] = [];
    for (const name of await caches.keys()) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) out.push(`${name} ${new URL(req.url).pathname}`);
    }
    return out;
  });
  expect(cached.length).toBeGreaterThan(3);
  for (const entry of cached) {
    expect(entry).toMatch(/^alongside-shell-[0-9a-f]+ \/(offline|phone\.js|pkg\/|favicon|manifest|icons\/)/);
  }

  await context.setOffline(true);
  await page.goto(`${baseURL}/today`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You are offline");
  // The styles came from the phone's copy.
  const headerColour = await page.locator("header").first().evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(headerColour).toBe("rgb(0, 94, 184)");
  await expectAccessible(page);
  await context.setOffline(false);
  await page.goto(`${baseURL}/today`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Today");

  // Signing out empties everything the site kept on the phone (Clear-Site-Data).
  await page.evaluate(() => localStorage.setItem("probe", "left behind"));
  const [signedOut] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/auth/sign_out")),
    page.getByRole("button", { name: "Sign out" }).click(),
  ]);
  expect(await signedOut.headerValue("clear-site-data")).toBe('"cache", "storage"');
  // Look from another tab on a quiet page (the start page may sign the test's virtual
  // authenticator straight back in).
  const fresh = await context.newPage();
  await fresh.goto(`${baseURL}/offline`);
  expect(await fresh.evaluate(() => localStorage.getItem("probe"))).toBeNull();
  const dbs = await fresh.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
  expect(dbs).toEqual([]);
  const left = await fresh.evaluate(async () => {
    const out: string[] = [];
    for (const name of await caches.keys()) {
      for (const req of await (await caches.open(name)).keys()) out.push(new URL(req.url).pathname);
    }
    return out;
  });
  for (const path of left) expect(path).toMatch(/^\/(offline|phone\.js|pkg\/|favicon|manifest|icons\/)/);
});

test("an action logged with no signal is kept on the phone, sent once when back online, and a retry changes nothing", async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  await signUpPatient(page, `Off${testInfo.project.name.replace(/[^a-z]/gi, "")}`);
  const actionId = (await addDailyAction(page, "Keep my plants alive", "Water the plants")).split("/").pop() ?? "";

  await page.goto(`${baseURL}/today`);
  await waitForEnhancedForms(page);
  await context.setOffline(true);
  await page.getByRole("button", { name: "Done (Water the plants)", exact: true }).click();
  await expect(page.locator("#offline-status")).toHaveText("Saved on this phone. It will be sent when you are back online.");
  const queued = await page.evaluate(() => JSON.parse(localStorage.getItem("alongside-log-queue") ?? "[]"));
  expect(queued).toHaveLength(1);
  expect(queued[0].fields.client_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(queued[0].label).toBe("Done (Water the plants)");

  await context.setOffline(false);
  await expect(page.locator("#offline-status")).toHaveText("Sent. Your log is with your plan.");
  expect(await page.evaluate(() => localStorage.getItem("alongside-log-queue"))).toBe("[]");

  // The same log arriving again (a retry) is recognised by its id: nothing changes.
  const post = (path: string, body: Record<string, string>) =>
    page.evaluate(
      async ([path, body]) => {
        const res = await fetch(path as string, {
          method: "POST",
          headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(body as Record<string, string>),
        });
        return { status: res.status, body: await res.text() };
      },
      [path, body] as const,
    );
  expect((await post("/api/plan/log", { ...queued[0].fields, outcome: "partly" })).status).toBe(200);
  const detail = JSON.parse((await post("/api/plan/action", { id: actionId })).body);
  const logged = detail.recent.filter((d: { outcome: string | null }) => d.outcome);
  expect(logged).toHaveLength(1);
  expect(logged[0].outcome).toBe("Done");
  await page.reload();
  await expect(page.getByText("Today: Done")).toBeVisible();
});

test("only with the person's say-so is the plan kept to read offline, and signing out removes it", async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  await signUpPatient(page, `Keep${testInfo.project.name.replace(/[^a-z]/gi, "")}`);
  await addDailyAction(page, "Walk the dog", "Walk to the park");
  await page.goto(`${baseURL}/plan`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();

  // Off by default: with no signal, the plan is not on the phone.
  await expect(page.getByText("Your plan is not kept on this phone.")).toBeVisible();
  // The script shows the box after the page has loaded: that moves no link or button on the
  // page, or a tap already on its way would land beside it.
  const moved = await page.evaluate(() => {
    const box = document.getElementById("keep-plan");
    if (!box) return ["(no box)"];
    const controls = [...document.querySelectorAll<HTMLElement>("#page-content a, #page-content button")].filter(
      (el) => !box.contains(el),
    );
    const where = () => controls.map((el) => el.getBoundingClientRect().top + window.scrollY);
    box.hidden = true;
    const hidden = where();
    box.hidden = false;
    const shown = where();
    return controls.filter((_, i) => hidden[i] !== shown[i]).map((el) => el.textContent?.trim() ?? "");
  });
  expect(moved, "links and buttons moved when the box appeared").toEqual([]);
  await context.setOffline(true);
  await page.goto(`${baseURL}/plan`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("You are offline");
  await context.setOffline(false);

  await page.goto(`${baseURL}/plan`);
  await page.getByRole("button", { name: "Keep my plan on this phone" }).click();
  await expect(page.getByText("Your plan is kept on this phone.")).toBeVisible();
  await expectAccessible(page);
  await context.setOffline(true);
  await page.goto(`${baseURL}/plan`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your plan");
  await expect(page.getByText("Walk to the park").first()).toBeVisible();
  await page.goto(`${baseURL}/today`);
  await expect(page.getByText("Walk to the park").first()).toBeVisible();
  await context.setOffline(false);

  await page.goto(`${baseURL}/today`);
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/auth/sign_out")),
    page.getByRole("button", { name: "Sign out" }).click(),
  ]);
  const fresh = await context.newPage();
  await fresh.goto(`${baseURL}/offline`);
  expect(await fresh.evaluate(() => caches.has("alongside-plan"))).toBe(false);
});

test("when Alongside is in trouble (a 5xx), the phone shows the plan it keeps, or else the server's own words", async ({
  context,
  baseURL,
}, testInfo) => {
  // Not the checked `page`: the failing answers below are the point.
  const page = await context.newPage();
  await signUpPatient(page, `Five${testInfo.project.name.replace(/[^a-z]/gi, "")}`);
  await addDailyAction(page, "Walk the dog", "Walk to the canal");
  await page.goto(`${baseURL}/plan`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  expect(await page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

  // The server answers pages with 503, as it does while its database is away. (The context's
  // routes see the service worker's own requests.)
  const trouble = "<!DOCTYPE html><html lang=\"en-GB\"><head><title>Sorry</title></head><body><main><h1>Sorry, that did not work</h1><p>Alongside is having trouble right now. What you saved is safe. Try again in a minute.</p></main></body></html>";
  const failPages = async () =>
    context.route(/\/(plan|today)$/, (route) =>
      route.request().method() === "GET"
        ? route.fulfill({ status: 503, contentType: "text/html", body: trouble })
        : route.continue(),
    );

  // Not kept: the server's page, which says what is happening.
  await failPages();
  await page.goto(`${baseURL}/plan`);
  await expect(page.getByText("Alongside is having trouble right now.")).toBeVisible();
  await context.unroute(/\/(plan|today)$/);

  // Kept: the plan, as last seen.
  await page.goto(`${baseURL}/plan`);
  await page.getByRole("button", { name: "Keep my plan on this phone" }).click();
  await expect(page.getByText("Your plan is kept on this phone.")).toBeVisible();
  await page.goto(`${baseURL}/plan`);
  await failPages();
  await page.goto(`${baseURL}/plan`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your plan");
  await expect(page.getByText("Walk to the canal").first()).toBeVisible();
  await context.unroute(/\/(plan|today)$/);
});

test("a new version of the app waits for the person to tap Update, then takes over and clears the old shell", async ({
  browser,
}) => {
  // A server of this test's own, so it can be replaced by a new build at the same address.
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "alongside-update-"));
  const newSite = mkdtempSync(join(tmpdir(), "alongside-site-"));
  let server = await startServer({ port, dataDir });
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const shellCaches = () =>
      page.evaluate(async () => (await caches.keys()).filter((n) => n.startsWith("alongside-shell-")));
    await page.goto(`${server.base}/accessibility`);
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    const [oldCache] = await shellCaches();
    expect(oldCache).toBeTruthy();
    await expect(page.getByText("A new version of Alongside is ready.")).toHaveCount(0);

    // The same address, a new build: its stylesheet has a new name, so the worker is new too.
    await server.stop();
    cpSync(site, newSite, { recursive: true });
    const assets = JSON.parse(readFileSync(join(newSite, "assets.json"), "utf8"));
    const css = assets.css.replace(/\.css$/, "-next.css");
    copyFileSync(join(newSite, "pkg", assets.css), join(newSite, "pkg", css));
    writeFileSync(join(newSite, "assets.json"), JSON.stringify({ ...assets, css }));
    server = await startServer({ port, dataDir, siteRoot: newSite });

    // The page in use keeps working under the old worker while the new one waits.
    await page.reload();
    await expect(page.getByText("A new version of Alongside is ready.")).toBeVisible();
    expect(await shellCaches()).toContain(oldCache);
    const waiting = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration();
      return { waiting: !!reg?.waiting, controller: navigator.serviceWorker.controller?.state };
    });
    expect(waiting).toEqual({ waiting: true, controller: "activated" });
    await expectAccessible(page);

    // Tapping Update hands over to the new worker and reloads once; the old shell is removed.
    await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: "Update" }).click()]);
    await expect.poll(shellCaches).toHaveLength(1);
    expect((await shellCaches())[0]).not.toBe(oldCache);
    await expect(page.getByText("A new version of Alongside is ready.")).toHaveCount(0);
    const href = await page.locator('link[rel="stylesheet"]').getAttribute("href");
    expect(href).toBe(`/pkg/${css}`);
    expect(await page.evaluate(() => getComputedStyle(document.querySelector("header")!).backgroundColor)).toBe("rgb(0, 94, 184)");
  } finally {
    await context.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(newSite, { recursive: true, force: true });
  }
});

test.describe("the offline queue when the server is in trouble", () => {
  // The answers are played by the test (page.route), which a service worker would bypass.
  test.use({ serviceWorkers: "block" });
  // These tests make the server answer 401, 422 and 503 on purpose, so they use a page of
  // their own rather than the fixture's, which fails a test on any such answer.

  test("a log kept offline survives a server error and a lapsed sign-in, arrives once, and the person is told each time", async ({
    context,
    baseURL,
  }, testInfo) => {
    const page = await context.newPage();
    await signUpPatient(page, `Kep${testInfo.project.name.replace(/[^a-z]/gi, "")}`);
    const actionId = (await addDailyAction(page, "Keep my plants alive", "Feed the plants")).split("/").pop() ?? "";
    await page.goto(`${baseURL}/today`);
    await waitForEnhancedForms(page);
    await context.setOffline(true);
    await page.getByRole("button", { name: "Done (Feed the plants)", exact: true }).click();
    await expect(page.locator("#offline-status")).toHaveText("Saved on this phone. It will be sent when you are back online.");

    // The first send meets a deploy (503), the next a session that has ended (401); after
    // that the server answers for real.
    const answers = [
      { status: 503, body: "" },
      { status: 401, body: JSON.stringify("Unauthorized") },
    ];
    let reached = 0;
    await page.route("**/api/plan/log", async (route) => {
      const answer = answers.shift();
      if (answer) await route.fulfill({ status: answer.status, contentType: "application/json", body: answer.body });
      else {
        reached += 1;
        await route.continue();
      }
    });
    const kept = () => page.evaluate(() => JSON.parse(localStorage.getItem("alongside-log-queue") ?? "[]").length);

    await context.setOffline(false);
    await expect(page.locator("#offline-status")).toHaveText(
      "Your log is kept on this phone. Alongside could not take it just now, so it will try again by itself.",
    );
    expect(await kept()).toBe(1);

    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await expect(page.locator("#offline-status")).toContainText("Your log is kept on this phone. Sign in again to send it.");
    await expect(page.locator("#offline-status").getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/");
    expect(await kept()).toBe(1);

    // Signed in again (here the session still stands): the page sends what the phone kept.
    await page.reload();
    await expect(page.locator("#offline-status")).toHaveText("Sent. Your log is with your plan.");
    expect(await kept()).toBe(0);
    expect(reached).toBe(1);
    await page.unroute("**/api/plan/log");
    const detail = await page.evaluate(async (id) => {
      const res = await fetch("/api/plan/action", {
        method: "POST",
        headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ id }),
      });
      return res.json();
    }, actionId);
    expect(detail.recent.filter((d: { outcome: string | null }) => d.outcome)).toHaveLength(1);
  });

  test("a log the server can never take is let go, and the person is told which and why", async ({
    context,
    baseURL,
  }, testInfo) => {
    const page = await context.newPage();
    await signUpPatient(page, `Ref${testInfo.project.name.replace(/[^a-z]/gi, "")}`);
    await addDailyAction(page, "Keep my plants alive", "Repot the fern");
    await page.goto(`${baseURL}/today`);
    await waitForEnhancedForms(page);
    await context.setOffline(true);
    await page.getByRole("button", { name: "Done (Repot the fern)", exact: true }).click();
    // Meanwhile the day slipped out of the 7 days a log may be backdated (played here).
    await page.route("**/api/plan/log", (route) =>
      route.fulfill({
        status: 422,
        contentType: "application/json",
        body: JSON.stringify({ Validation: { day: ["You can only record today and the 7 days before"] } }),
      }),
    );
    await context.setOffline(false);
    await expect(page.locator("#offline-status")).toHaveText(
      "A log could not be saved, so the phone no longer keeps it. Done (Repot the fern): You can only record today and the 7 days before.",
    );
    expect(await page.evaluate(() => localStorage.getItem("alongside-log-queue"))).toBe("[]");
  });
});
