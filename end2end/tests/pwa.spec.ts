import { test, expect, expectAccessible, jsDisabled, signUpPatient } from "../fixtures";

test("the app installs, its service worker controls the page, and offline the shell and the offline page still load", async ({
  page,
  context,
  baseURL,
}, testInfo) => {
  test.skip(jsDisabled(testInfo), "service workers need JavaScript");
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
    expect(entry).toMatch(/^alongside-shell-[0-9a-f]+ \/(offline|pkg\/|favicon|manifest|icons\/)/);
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
});
