// Push reminders in the browser: turning them on (permission asked on the tap, and only then),
// the server's worker sending to a push service, Chromium's service worker showing what arrives
// (delivered through DevTools, as a push service would), and a tap opening the right page.
import type { BrowserContext, Page } from "@playwright/test";
import {
  test,
  expect,
  bookReviewAndSendPack,
  expectAccessible,
  signUpPatient,
  waitForEnhancedForms,
} from "../fixtures";
import { decrypt, startPushMock, type PushMock } from "../push-mock";

/** The mock push service's endpoint and keys stand in for the browser's own subscription. */
async function standInSubscription(context: BrowserContext, mock: PushMock) {
  await context.addInitScript((sub) => {
    const fake = {
      endpoint: sub.endpoint,
      expirationTime: null,
      toJSON: () => ({ endpoint: sub.endpoint, expirationTime: null, keys: { p256dh: sub.p256dh, auth: sub.auth } }),
      unsubscribe: async () => {
        localStorage.removeItem("e2e-subscribed");
        return true;
      },
    };
    PushManager.prototype.subscribe = async () => {
      localStorage.setItem("e2e-subscribed", "yes");
      return fake as unknown as PushSubscription;
    };
    PushManager.prototype.getSubscription = async () =>
      (localStorage.getItem("e2e-subscribed") ? fake : null) as unknown as PushSubscription;
    // Count the times the page asks for permission.
    const ask = Notification.requestPermission.bind(Notification);
    Notification.requestPermission = (() => {
      sessionStorage.setItem("e2e-asked", String(Number(sessionStorage.getItem("e2e-asked") ?? "0") + 1));
      return ask();
    }) as typeof Notification.requestPermission;
  }, mock.subscription);
}

/** Playwright's handle on the page's service worker. */
function serviceWorker(page: Page) {
  const worker = page.context().serviceWorkers().find((w) => w.url().endsWith("/sw.js"));
  if (!worker) throw new Error("no service worker");
  return worker;
}

/**
 * Hands `data` to the page's service worker as a push message, through DevTools, and waits until
 * the worker's push handler has shown its notification. The wait is not for speed: Chromium's
 * getNotifications() removes from its store any notification that is not yet on screen when the
 * read begins, so reading them back while a push is still being handled can lose that
 * notification for good (this was a flaky test: a third notification never appeared, about 1 run
 * in 15). The product never reads its notifications back; only this test does.
 */
async function deliver(page: Page, origin: string, data: unknown) {
  const worker = serviceWorker(page);
  // Count the notifications the worker's own handler shows, from here on.
  const before = await worker.evaluate(() => {
    const scope = self as unknown as ServiceWorkerGlobalScope & { e2eShown?: { count: number } };
    if (!scope.e2eShown) {
      const shown = { count: 0 };
      const registration = scope.registration;
      const show = registration.showNotification.bind(registration);
      registration.showNotification = (...args: Parameters<typeof show>) =>
        show(...args).then(() => {
          shown.count += 1;
        });
      scope.e2eShown = shown;
    }
    return scope.e2eShown.count;
  });
  const cdp = await page.context().newCDPSession(page);
  const registration = new Promise<string>((ok) => {
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const live = registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(origin));
      if (live) ok(live.registrationId);
    });
  });
  await cdp.send("ServiceWorker.enable");
  const registrationId = await registration;
  await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId, data: JSON.stringify(data) });
  await expect
    .poll(() => worker.evaluate(() => (self as unknown as { e2eShown: { count: number } }).e2eShown.count), {
      message: "the service worker showed the pushed notification",
      timeout: 15_000,
    })
    .toBeGreaterThan(before);
  await cdp.detach();
}

const notifications = (page: Page) =>
  page.evaluate(async () =>
    (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      url: (n.data as { url?: string } | null)?.url,
    })),
  );

/** A tap on the notification: the worker's own notificationclick handler runs. */
async function tapNotification(page: Page, tag: string) {
  await serviceWorker(page).evaluate(async (tag) => {
    const scope = self as unknown as ServiceWorkerGlobalScope;
    const [n] = await scope.registration.getNotifications({ tag });
    scope.dispatchEvent(new NotificationEvent("notificationclick", { notification: n }));
  }, tag);
}

/** Closes a notification from the worker, as if it were swiped away. */
async function closeNotification(page: Page, tag: string) {
  await serviceWorker(page).evaluate(async (tag) => {
    const scope = self as unknown as ServiceWorkerGlobalScope;
    for (const n of await scope.registration.getNotifications({ tag })) n.close();
  }, tag);
}

const waitFor = async <T>(what: () => T | undefined, label: string): Promise<T> => {
  await expect.poll(() => what() !== undefined, { message: label, timeout: 15_000 }).toBe(true);
  return what() as T;
};

test("the Node push mock decrypts RFC 8291's own example", async () => {
  const plain = decrypt(
    Buffer.from("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94", "base64url"),
    Buffer.from("BTBZMqHH6r4Tts7J_aSIgg", "base64url"),
    Buffer.from(
      "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
      "base64url",
    ),
  );
  expect(plain.toString()).toBe("When I grow up, I want to be a watermelon");
});

test("reminders: turned on with one tap, a push shows a notification with no health data, and tapping it opens the right page", async ({
  page,
  context,
  browser,
  baseURL,
}, testInfo) => {
  test.setTimeout(60_000);
  const letters = Array.from({ length: 5 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("");
  const given = `Push${testInfo.project.name.replace(/[^a-z]/gi, "")}${letters}`;
  await signUpPatient(page, given);
  await page.goto(`${baseURL}/account/reminders`);
  const key = await page.locator("#push-device").getAttribute("data-public-key");
  const mock = await startPushMock(key ?? "");
  try {
    await standInSubscription(context, mock);
    await context.grantPermissions(["notifications"], { origin: baseURL });
    await page.reload();
    await page.evaluate(() => navigator.serviceWorker.ready);

    // Nothing is asked until the person taps the button.
    await expect(page.getByText("Reminders are off on this device.")).toBeVisible();
    expect(await page.evaluate(() => sessionStorage.getItem("e2e-asked"))).toBeNull();
    await expectAccessible(page);
    await Promise.all([
      page.waitForEvent("load"),
      page.getByRole("button", { name: "Turn on reminders on this device" }).click(),
    ]);
    expect(await page.evaluate(() => sessionStorage.getItem("e2e-asked"))).toBe("1");
    await expect(page.getByText("Reminders are on for this device.")).toBeVisible();
    await expect(page.getByRole("button", { name: /^Stop reminders on Chrome on / })).toBeVisible();

    // Mornings and evenings are not quiet for this test, whatever time it runs.
    await waitForEnhancedForms(page);
    await page.getByLabel("From", { exact: true }).fill("");
    await page.getByLabel("Until", { exact: true }).fill("");
    await page.getByRole("button", { name: "Save my choices" }).click();
    await expect(page.locator("#notice")).toHaveText(/Your reminder choices are saved/);
    await expectAccessible(page);

    // A test reminder goes from the server's worker to the push service at once.
    await page.getByRole("button", { name: "Send a test reminder" }).click();
    await expect(page.locator("#notice")).toHaveText(/A test reminder is on its way/);
    const trial = await waitFor(() => mock.delivered[0], "the push service got the test reminder");
    expect(mock.rejected).toEqual([]);
    expect(trial.payload.title).toBe("Alongside: this is a test reminder");
    expect(trial.payload.url).toMatch(/^\/reminders\/[0-9a-f-]{36}$/);

    // Delivered to this browser, the worker shows it (twice delivered, shown once: its tag);
    // a tap opens its page, from Today.
    await page.goto(`${baseURL}/today`);
    await deliver(page, baseURL, trial.payload);
    await deliver(page, baseURL, trial.payload);
    // Both copies are handled (deliver waits for each): one notification, by its tag.
    expect(await notifications(page)).toEqual([
      { title: "Alongside: this is a test reminder", body: "Reminders work on this device.", tag: trial.payload.tag, url: trial.payload.url },
    ]);
    await tapNotification(page, trial.payload.tag);
    await page.waitForURL(/\/account\/reminders$/);
    await expect.poll(async () => (await notifications(page)).length).toBe(0);

    // The care team sends the preparation pack: "your review preparation is ready".
    await bookReviewAndSendPack(browser, given, "Dr Push", "Room 9");

    const pack = await waitFor(() => mock.delivered[1], "the push service got the pack reminder");
    expect(pack.payload.title).toBe("Your review preparation is ready");
    expect(pack.payload.body).toBe("Open Alongside to see it.");
    // Nothing in it says who, where, what for or about whom.
    for (const word of [given, "Tester", "Dr Push", "Room 9", "diabetes", "10:30"]) {
      expect(JSON.stringify(pack.payload)).not.toContain(word);
    }
    await page.goto(`${baseURL}/today`);
    await deliver(page, baseURL, pack.payload);
    expect((await notifications(page)).map((n) => n.title)).toContain("Your review preparation is ready");
    await tapNotification(page, pack.payload.tag);
    await page.waitForURL(/\/preparation$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Get ready for your review");
    expect(mock.delivered).toHaveLength(2);
    expect(mock.rejected).toEqual([]);
  } finally {
    await mock.close();
  }
});

test("the button to turn reminders on appears without moving the choices below it", async ({ page, baseURL }, testInfo) => {
  await signUpPatient(page, `Mov${testInfo.project.name.replace(/[^a-z]/gi, "")}`);
  // The browser's answer about this device (its service worker) waits until the test lets it go.
  await page.addInitScript(() => {
    const sw = navigator.serviceWorker;
    if (!sw) return;
    const real = sw.ready;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    (window as unknown as { releaseReady: () => void }).releaseReady = () => release();
    Object.defineProperty(sw, "ready", { get: () => held.then(() => real) });
  });
  await page.goto(`${baseURL}/account/reminders`);
  await expect(page.locator("#push-device")).toBeVisible();
  const choices = page.getByRole("heading", { name: "What to remind you about" });
  const before = (await choices.boundingBox())?.y;
  await page.evaluate(() => (window as unknown as { releaseReady: () => void }).releaseReady());
  await expect(page.getByRole("button", { name: "Turn on reminders on this device" })).toBeVisible();
  const after = (await choices.boundingBox())?.y;
  expect(before).toBeDefined();
  expect(after, "the choices stayed where they were").toBe(before);
});
