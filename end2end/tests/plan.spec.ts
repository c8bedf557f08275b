import { test, expect, expectAccessible, jsDisabled, signUpPatient, waitForEnhancedForms } from "../fixtures";
import type { Page } from "@playwright/test";

/** With JavaScript on, a form must update the page in place: this marker would not survive a page load. */
async function markPage(page: Page) {
  if (!jsDisabled(test.info())) await page.evaluate(() => ((window as unknown as { stay: number }).stay = 1));
}
async function expectSamePage(page: Page) {
  if (jsDisabled(test.info())) return;
  expect(await page.evaluate(() => (window as unknown as { stay?: number }).stay), "no page load").toBe(1);
}

test("a person sets a goal and an action, logs it from Today in one tap, and can undo it", async ({ page, baseURL }, testInfo) => {
  await signUpPatient(page, `Lily ${testInfo.project.name}`);
  await page.goto(`${baseURL}/plan`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your plan");
  await expectAccessible(page);

  await page.getByRole("link", { name: "Add a goal" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Add a goal");
  await expectAccessible(page);
  await page.getByLabel("Your goal, in your own words").fill("Walk to the park with my grandson");
  await page.getByLabel("How important is it to you?").selectOption("8");
  await page.getByLabel("In progress").check();
  await page.getByRole("button", { name: "Save goal" }).click();
  await expect(page).toHaveURL(/\/plan\/goals\/[0-9a-f-]{36}$/);
  await expect(page.locator("#notice")).toContainText("Your goal is saved.");

  await page.getByRole("link", { name: "Add an action" }).click();
  await page.getByLabel("What will you do?").fill("Walk round the block");
  await page.getByLabel("Every day").check();
  await page.getByLabel("How confident are you that you can do this?").selectOption("7");
  await page.getByRole("button", { name: "Save action" }).click();
  await expect(page).toHaveURL(/\/plan\/actions\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("table", { name: "Each week, planned and done" })).toBeVisible();
  await expectAccessible(page);

  await page.goto(`${baseURL}/today`);
  await waitForEnhancedForms(page);
  await expect(page.getByRole("heading", { name: "Walk round the block" })).toBeVisible();
  await expectAccessible(page);
  await markPage(page);
  await page.getByRole("button", { name: "Done (Walk round the block)", exact: true }).click();
  await expect(page.getByText("Today: Done")).toBeVisible();
  await expect(page.getByText("1 day in a row")).toBeVisible();
  await expectSamePage(page);
  await expectAccessible(page);

  await page.getByRole("button", { name: "Undo (Walk round the block)" }).click();
  await expect(page.getByRole("button", { name: "Done (Walk round the block)", exact: true })).toBeVisible();
  await expect(page.getByText("Today: Done")).toBeHidden();
  await expectSamePage(page);

  // With a note, partly done. (Back-dating is checked over HTTP, where an action can have
  // started long ago.)
  await page.getByText("Add a note (optional)").click();
  await page.getByLabel("What helped, or what got in the way?").fill("Rain, so only halfway");
  await page.getByRole("button", { name: "Partly done (Walk round the block)" }).click();
  await expect(page.locator("#notice")).toContainText("Saved: partly done.");
  await expect(page.getByText("Today: Partly done")).toBeVisible();
  await expectSamePage(page);
  await page.getByRole("link", { name: "Walk round the block" }).click();
  await expect(page.getByText("Rain, so only halfway")).toBeVisible();
  await expectAccessible(page);
});

test("a form with a mistake shows the problem beside the field and keeps what was typed", async ({ page, baseURL }, testInfo) => {
  await signUpPatient(page, `Max ${testInfo.project.name}`);
  await page.goto(`${baseURL}/plan/goals/new`);
  await waitForEnhancedForms(page);
  await markPage(page);
  await page.getByLabel("Why it matters to you").fill("So I can keep up with my grandson");
  await page.getByRole("button", { name: "Save goal" }).click();

  await expect(page.getByRole("alert").getByText("There is a problem")).toBeVisible();
  await expect(page.getByRole("link", { name: "Enter your goal" })).toBeVisible();
  await expect(page.locator("#goal-title-error")).toContainText("Enter your goal");
  // Nothing is chosen for the person: how important it is is theirs to say.
  await expect(page.locator("#goal-importance-error")).toContainText("Choose how important it is from 1 to 10");
  await expect(page.getByLabel("Why it matters to you")).toHaveValue("So I can keep up with my grandson");
  await expectSamePage(page);
  await expectAccessible(page);

  await page.getByLabel("Your goal, in your own words").fill("Keep up with my grandson");
  await page.getByLabel("How important is it to you?").selectOption("7");
  await page.getByRole("button", { name: "Save goal" }).click();
  await expect(page.locator("#notice")).toContainText("Your goal is saved.");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Keep up with my grandson");
});

test("the plan prints as a clean copy without the site's header or its controls", async ({ page, baseURL }, testInfo) => {
  await signUpPatient(page, `Nia ${testInfo.project.name}`);
  await page.goto(`${baseURL}/plan`);
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByRole("banner")).toBeHidden();
  await expect(page.getByRole("link", { name: "Add a goal" })).toBeHidden();
  await expect(page.getByRole("heading", { name: "If things get worse" })).toBeVisible();
});

test("about me, the contingency plan, support and the history each save and pass axe", async ({ page, baseURL }, testInfo) => {
  await signUpPatient(page, `Owen ${testInfo.project.name}`);
  await page.goto(`${baseURL}/plan/about-me`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("About me");
  await expectAccessible(page);
  await page.getByLabel("What matters most to me").fill("Gardening with my wife");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#notice")).toContainText("Your \"About me\" is saved.");
  await expect(page.getByText("Gardening with my wife")).toBeVisible();

  await page.goto(`${baseURL}/plan/contingency`);
  await expectAccessible(page);
  await page.getByLabel("Name", { exact: true }).fill("NHS 111");
  await page.getByLabel("Phone number").fill("111");
  await page.getByRole("button", { name: "Add contact" }).click();
  await expect(page.getByRole("link", { name: "Call 111" })).toHaveAttribute("href", "tel:111");
  await expectAccessible(page);

  await page.goto(`${baseURL}/plan/support`);
  await page.getByLabel("Name of the service or group").fill("Riverside walking group");
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Riverside walking group" })).toBeVisible();
  await expectAccessible(page);

  await page.goto(`${baseURL}/plan/history`);
  await expect(page.getByRole("heading", { name: "Added \"Riverside walking group\"" })).toBeVisible();
  await expectAccessible(page);
});

test("on a 412 px phone the action form fits in two screens, and nothing is chosen for the person", async ({ page, baseURL }, testInfo) => {
  await page.setViewportSize({ width: 412, height: 915 });
  await signUpPatient(page, `Ivy${testInfo.project.name.replace(/[^a-z]/gi, "")}`);
  await page.goto(`${baseURL}/plan/goals/new`);
  await expect(page.getByLabel("How important is it to you?")).toHaveValue("");
  await page.getByLabel("Your goal, in your own words").fill("Sleep through the night");
  await page.getByLabel("How important is it to you?").selectOption("6");
  await page.getByRole("button", { name: "Save goal" }).click();
  await page.getByRole("link", { name: "Add an action" }).click();
  await expect(page.getByLabel("How confident are you that you can do this?")).toHaveValue("");
  const height = await page.locator("form#action").evaluate((f) => f.getBoundingClientRect().height);
  expect(height, `the action form is ${height} px tall`).toBeLessThanOrEqual(2 * 915);
  await expectAccessible(page);
});
