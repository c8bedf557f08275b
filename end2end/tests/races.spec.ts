// Several posts set off at once by one person: a draft still saving when they press a button,
// two forms tapped in quick succession. The page must send them one at a time, in the order the
// person acted, never lose the notice they rely on, and end in the state they asked for.
// These need JavaScript (without it, each tap is a whole page load), so the no-JS project skips
// this file.
import type { Page, Request, Route } from "@playwright/test";
import {
  test,
  expect,
  addDailyAction,
  bookReviewAndSendPack,
  expectAccessible,
  signUpPatient,
  waitForEnhancedForms,
} from "../fixtures";

/**
 * Watches the posts a page makes to `path`: how many were at the server at once, and in what
 * order they arrived. Posts matching `hold` wait until `release()`; the rest go straight on.
 */
async function watchPosts(page: Page, path: string, hold: (request: Request) => boolean) {
  const seen: string[] = [];
  let inFlight = 0;
  let mostAtOnce = 0;
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  let heldOne: () => void = () => {};
  const firstHeld = new Promise<void>((resolve) => (heldOne = resolve));
  await page.route(`**${path}`, async (route: Route) => {
    const request = route.request();
    if (request.method() !== "POST") return route.continue();
    if (hold(request)) {
      heldOne();
      await released;
    }
    inFlight += 1;
    mostAtOnce = Math.max(mostAtOnce, inFlight);
    seen.push(request.postData() ?? "");
    try {
      const response = await route.fetch({ maxRedirects: 0 });
      await route.fulfill({ response });
    } finally {
      inFlight -= 1;
    }
  });
  return { seen, mostAtOnce: () => mostAtOnce, release, firstHeld };
}

const isAutosave = (request: Request) => !(request.headers()["accept"] ?? "").includes("text/html");

test("a draft still saving when the person sends waits its turn: what they sent stays, and the notice shows", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  const given = `Rae${testInfo.project.name.replace(/[^a-z]/gi, "")}`;
  await signUpPatient(page, given);
  await bookReviewAndSendPack(browser, given, "Dr Race", "Room 2");

  await page.goto(`${baseURL}/preparation`);
  await waitForEnhancedForms(page);
  const posts = await watchPosts(page, "/api/preparation/answers", isAutosave);
  const important = page.getByLabel("What is important to you right now?");

  // A finished first thought saves a draft, which is slow to arrive...
  await important.fill("Sleeping better");
  await important.blur();
  await posts.firstHeld;
  // ...while she changes her mind and sends.
  await important.fill("Walking to the shops again");
  await page.getByRole("button", { name: "Send to my care team" }).click();
  posts.release();

  await expect(page.locator("#notice")).toContainText("sent to your care team");
  await expect(page.getByText(new RegExp(`Sent by ${given} Tester on`))).toBeVisible();
  expect(posts.mostAtOnce(), "posts at the server at the same time").toBe(1);
  const last = posts.seen.at(-1) ?? "";
  expect(last, "the send arrives last").toContain("intent=send");
  await page.reload();
  await expect(important).toHaveValue("Walking to the shops again");
  await expectAccessible(page);
});

test("a draft saved while the person is still pressing a button does not move the button from under them", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  const given = `Sam${testInfo.project.name.replace(/[^a-z]/gi, "")}`;
  await signUpPatient(page, given);
  await bookReviewAndSendPack(browser, given, "Dr Press", "Room 3");

  await page.goto(`${baseURL}/preparation`);
  await waitForEnhancedForms(page);
  await page.getByLabel("What is important to you right now?").fill("Seeing my grandchildren");
  // Pressing the button moves focus off the answer, which saves a draft; the draft's
  // "Draft saved." arrives before the finger (or mouse button) comes up.
  const button = page.getByRole("button", { name: "Save and finish later" });
  await button.scrollIntoViewIfNeeded();
  const box = await button.boundingBox();
  if (!box) throw new Error("the button is on the page");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await expect(page.locator("#autosave-status")).toHaveText("Draft saved.");
  await page.mouse.up();

  await expect(page.locator("#notice")).toContainText("Your answers are saved");
});

test("two actions marked done in quick succession are both logged, one post at a time", async ({ page, baseURL }, testInfo) => {
  const given = `Ray${testInfo.project.name.replace(/[^a-z]/gi, "")}`;
  await signUpPatient(page, given);
  await addDailyAction(page, "Feel stronger", "Stretch after breakfast");
  await addDailyAction(page, "Sleep better", "Read before bed");

  await page.goto(`${baseURL}/today`);
  await waitForEnhancedForms(page);
  let first = true;
  const posts = await watchPosts(page, "/api/plan/log", () => {
    const hold = first;
    first = false;
    return hold;
  });
  await page.getByRole("button", { name: "Done (Stretch after breakfast)", exact: true }).click();
  await posts.firstHeld;
  await page.getByRole("button", { name: "Done (Read before bed)", exact: true }).click();
  posts.release();

  await expect(page.getByText("Today: Done")).toHaveCount(2);
  expect(posts.mostAtOnce(), "posts at the server at the same time").toBe(1);
  expect(posts.seen).toHaveLength(2);
  await page.reload();
  await expect(page.getByText("Today: Done")).toHaveCount(2);
  await expectAccessible(page);
});

test("a post that gets no answer, or a failed one, is never sent again by itself: the person is told and their words stay", async ({
  context,
  baseURL,
}, testInfo) => {
  // Not the checked `page`: the failed answers below are the point, not errors to report.
  const page = await context.newPage();
  const given = `Rio${testInfo.project.name.replace(/[^a-z]/gi, "")}`;
  await signUpPatient(page, given);
  await page.goto(`${baseURL}/plan/about-me`);
  await waitForEnhancedForms(page);
  const answers: Array<"drop" | "fail" | "pass"> = ["drop", "fail", "pass"];
  let posts = 0;
  await page.route("**/api/plan/about_me", async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    posts += 1;
    const answer = answers.shift() ?? "pass";
    if (answer === "drop") return route.abort("connectionreset");
    if (answer === "fail") return route.fulfill({ status: 502, body: "" });
    return route.fulfill({ response: await route.fetch({ maxRedirects: 0 }) });
  });
  const box = page.getByRole("textbox").first();
  await box.fill("I look after my grandson on Tuesdays");

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("Alongside did not answer, so this may not be saved");
  expect(posts, "sent once, not again by the browser").toBe(1);
  await expect(box).toHaveValue("I look after my grandson on Tuesdays");
  await expectAccessible(page);

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("alert")).toContainText("Something went wrong on our side, so this may not be saved");
  expect(posts).toBe(2);
  await expect(box).toHaveValue("I look after my grandson on Tuesdays");

  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#notice")).toContainText('Your "About me" is saved.');
  expect(posts).toBe(3);
  await page.reload();
  await expect(page.getByText("I look after my grandson on Tuesdays")).toBeVisible();
});

test("a goal saved whose answer never came back, sent again by the person, is one goal and they see it saved", async ({
  context,
  baseURL,
}, testInfo) => {
  // Not the checked `page`: the lost answer below is the point, not an error to report.
  const page = await context.newPage();
  const given = `Ivo${testInfo.project.name.replace(/[^a-z]/gi, "")}`;
  await signUpPatient(page, given);
  await page.goto(`${baseURL}/plan/goals/new`);
  await waitForEnhancedForms(page);
  let posts = 0;
  await page.route("**/api/plan/goal", async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    posts += 1;
    // The first reaches the server and is saved, but its answer is lost on the way back
    // (a phone going into a tunnel).
    const response = await route.fetch({ maxRedirects: 0 });
    if (posts === 1) return route.abort("connectionreset");
    return route.fulfill({ response });
  });
  await page.getByLabel("Your goal, in your own words").fill("Dance at my niece's wedding");
  await page.getByLabel("How important is it to you?").selectOption("8");
  await page.getByLabel("In progress").check();
  await page.getByRole("button", { name: "Save goal" }).click();
  await expect(page.getByRole("alert")).toContainText("Alongside did not answer, so this may not be saved");

  // They press again, as the page lets them.
  await page.getByRole("button", { name: "Save goal" }).click();
  await expect(page).toHaveURL(/\/plan\/goals\/[0-9a-f-]{36}$/);
  await expect(page.locator("#notice")).toContainText("Your goal is saved.");
  expect(posts).toBe(2);
  await page.goto(`${baseURL}/plan`);
  await expect(page.getByText("Dance at my niece's wedding"), "one goal, not two").toHaveCount(1);
});
