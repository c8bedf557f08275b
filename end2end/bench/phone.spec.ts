import { devices } from "@playwright/test";
import { test, expect } from "../fixtures";

/** Largest Contentful Paint of the current page, in milliseconds. */
function lcp(page: import("@playwright/test").Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          resolve(entries[entries.length - 1].startTime);
        }).observe({ type: "largest-contentful-paint", buffered: true });
      }),
  );
}

test("first and repeat visit on a Pixel 7 over slow 4G (150 ms, 1.6 Mbps)", async ({ browser, baseURL }) => {
  const runs: { first: number; repeat: number }[] = [];
  let fromWorker: string[] = [];
  for (let i = 0; i < 5; i++) {
    // A new private profile each run: nothing cached, no service worker yet.
    const context = await browser.newContext({ ...devices["Pixel 7"] });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 150,
      downloadThroughput: (1.6 * 1024 * 1024) / 8,
      uploadThroughput: (750 * 1024) / 8,
    });
    await page.goto(`${baseURL}/`, { waitUntil: "load" });
    const first = await lcp(page);
    await page.evaluate(() => navigator.serviceWorker.ready);
    fromWorker = [];
    const seen = (r: import("@playwright/test").Response) => {
      if (r.fromServiceWorker()) fromWorker.push(new URL(r.url()).pathname);
    };
    page.on("response", seen);
    await page.goto(`${baseURL}/`, { waitUntil: "load" });
    const repeat = await lcp(page);
    page.off("response", seen);
    runs.push({ first: Math.round(first), repeat: Math.round(repeat) });
    await context.close();
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const result = {
    first_visit_lcp_ms: median(runs.map((r) => r.first)),
    repeat_visit_lcp_ms: median(runs.map((r) => r.repeat)),
    runs,
    repeat_visit_from_service_worker: fromWorker,
  };
  console.log(`phone benchmark: ${JSON.stringify(result)}`);
  // The repeat visit's code and styles come from the service worker.
  expect(fromWorker.some((p) => p.endsWith("_bg.wasm"))).toBe(true);
  expect(fromWorker.some((p) => p.endsWith(".css"))).toBe(true);
});
