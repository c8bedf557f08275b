import { test, expect, expectAccessible, signUpPatient, bookReviewAndSendPack, addDailyAction } from "../fixtures";

// #19: Today is built around the next conversation. Each project makes its own person.
test("Today leads with the booked review: when, where, with whom, how ready, and one button to get ready", async ({ page, browser, baseURL }, testInfo) => {
  const given = `Tia${testInfo.project.name.replace(/[^a-z]/gi, "")}`;
  await signUpPatient(page, given);
  await page.goto(`${baseURL}/today`);
  await expect(page.getByRole("heading", { name: "Your next review" })).toBeVisible();
  await expect(page.getByText("No review is booked yet.")).toBeVisible();

  await bookReviewAndSendPack(browser, given, "Nurse Hart", "Room 5");
  await page.goto(`${baseURL}/today`);
  const card = page.getByRole("region", { name: "Your review" });
  await expect(card).toBeVisible();
  await expect(card.getByText(/at 10:30/)).toBeVisible();
  await expect(card.getByText("Room 5")).toBeVisible();
  await expect(card.getByText("Nurse Hart")).toBeVisible();
  await expect(card.getByText("In person")).toBeVisible();
  await expect(card.getByText("Your results are ready.")).toBeVisible();
  await expect(card.getByText(/^0 of \d+ questions answered\.$/)).toBeVisible();
  // The card comes before the day's actions.
  const cardTop = (await card.boundingBox())?.y ?? Infinity;
  const todoTop = (await page.getByRole("heading", { name: /^To do today/ }).boundingBox())?.y ?? 0;
  expect(cardTop).toBeLessThan(todoTop);
  await expectAccessible(page);

  await card.getByRole("link", { name: "Get ready for your review" }).click();
  await expect(page).toHaveURL(/\/preparation$/);
  await page.getByLabel("What is important to you right now?").fill("Walking to the shop without stopping.");
  await page.getByRole("button", { name: "Save and finish later" }).click();
  await expect(page.locator("#notice")).toBeVisible();
  await page.goto(`${baseURL}/today`);
  await expect(page.getByRole("region", { name: "Your review" }).getByText(/^1 of \d+ questions answered\.$/)).toBeVisible();
});

test("on a 320 px screen the three log buttons sit side by side, each big enough to tap", async ({ page, baseURL }, testInfo) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await signUpPatient(page, `Una${testInfo.project.name.replace(/[^a-z]/gi, "")}`);
  await addDailyAction(page, "Walk more", "Walk to the corner shop");
  await page.goto(`${baseURL}/today`);
  const buttons = page.locator(".app-log-buttons").first().getByRole("button");
  await expect(buttons).toHaveCount(3);
  const boxes = await buttons.evaluateAll((els) => els.map((e) => e.getBoundingClientRect()));
  expect(new Set(boxes.map((b) => Math.round(b.top))).size, "one row").toBe(1);
  for (const b of boxes) {
    expect(b.height).toBeGreaterThanOrEqual(44);
    expect(b.right).toBeLessThanOrEqual(320);
  }
  await expectAccessible(page);
});

test("on a phone the navigation leads to the person's pages as plain links, and More holds the rest", async ({ page, baseURL }, testInfo) => {
  await page.setViewportSize({ width: 412, height: 915 });
  await signUpPatient(page, `Nav${testInfo.project.name.replace(/[^a-z]/gi, "")}`);
  await page.goto(`${baseURL}/today`);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link")).toHaveText(["Today", "Plan", "Results", "Get ready", "More"]);
  await expect(nav.getByRole("link", { name: "Today" })).toHaveAttribute("aria-current", "page");

  await nav.getByRole("link", { name: "Plan" }).click();
  await expect(page).toHaveURL(/\/plan$/);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Plan" })).toHaveAttribute("aria-current", "page");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "More" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("More");
  await expect(page.getByRole("link", { name: "Who can see your plan" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Your passkeys" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expectAccessible(page);

  // Wider screens have Today's lists instead.
  await page.setViewportSize({ width: 1280, height: 900 });
  await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();
});
