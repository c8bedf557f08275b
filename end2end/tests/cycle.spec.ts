import {
  test,
  expect,
  expectAccessible,
  newClinicianInvitation,
  newPatientInvitation,
  signUpWithLink,
  waitForEnhancedForms,
  day,
} from "../fixtures";

test("a clinician books the checks before a review, marks them done, sees the stage move on and filters the caseload by stage", async ({
  page,
  baseURL,
}, testInfo) => {
  const tag = testInfo.project.name.replace(/[^a-z]/gi, "");
  const given = `Cyd${tag}`;
  // A new person of the demo practice (with type 2 diabetes), made by the CLI.
  newPatientInvitation(given, "Tester");
  await signUpWithLink(page, newClinicianInvitation(`Dr Cycle ${tag}`));
  await page.goto(`${baseURL}/today`);
  await page.getByRole("link", { name: "Upcoming reviews" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Upcoming reviews");
  await expectAccessible(page);

  await page.getByRole("link", { name: `${given} Tester` }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`${given} Tester`);
  await waitForEnhancedForms(page);
  const cycle = page.locator("#cycle + p");
  await expect(cycle).toContainText("Review due");

  // One visit for every condition: the usual checks for diabetes are ticked already.
  await expect(page.getByRole("checkbox", { name: "Foot check" })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: "Eye screening" })).toBeChecked();
  await page.getByRole("button", { name: "Book the checks" }).click();
  await expect(page.locator(".nhsuk-error-summary")).toBeVisible();
  await expectAccessible(page);
  await page.locator("#checks-date").fill(day(0));
  await page.locator("#checks-time").fill("08:00");
  await page.locator("#checks-place").fill("Treatment room 2");
  await page.locator("#checks-with_whom").fill("Healthcare assistant");
  await page.getByRole("checkbox", { name: "Questionnaires" }).check();
  await page.getByRole("button", { name: "Book the checks" }).click();
  await expect(page.locator("#notice")).toHaveText(/The checks are booked/);
  await expect(cycle).toContainText("Checks booked");

  // Eye screening is done elsewhere this time: untick it.
  await waitForEnhancedForms(page);
  await page.getByRole("checkbox", { name: "Eye screening" }).uncheck();
  await page.getByRole("button", { name: "Mark the checks done" }).click();
  await expect(page.locator("#notice")).toHaveText(/The checks are marked done/);
  await expect(cycle).toContainText("Checks done, waiting for results");
  await expect(page.getByText("Bloods, blood pressure, weight, urine, foot check and questionnaires")).toBeVisible();
  await expectAccessible(page);

  // The caseload, filtered by stage with a plain GET form.
  await page.goto(`${baseURL}/team`);
  await page.getByLabel("Stage in the cycle").selectOption("checks_done");
  await page.getByRole("button", { name: "Show this stage" }).click();
  await expect(page).toHaveURL(/stage=checks_done/);
  await expect(page.getByRole("table")).toContainText(`${given} Tester`);
  await expect(page.getByRole("table")).not.toContainText("Margaret Evans");
  await expectAccessible(page);
  await page.getByLabel("Overdue only").check();
  await page.getByRole("button", { name: "Show this stage" }).click();
  await expect(page).toHaveURL(/overdue=on/);
  await expect(page.getByText(`${given} Tester`)).toHaveCount(0);
});

test("a practice administrator sets how many days before the review the preparation pack goes out", async ({
  page,
  baseURL,
}, testInfo) => {
  const tag = testInfo.project.name.replace(/[^a-z]/gi, "");
  await signUpWithLink(page, newClinicianInvitation(`Ann Settings ${tag}`));
  await page.goto(`${baseURL}/today`);
  await page.getByRole("link", { name: "Practice settings" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Practice settings");
  await waitForEnhancedForms(page);
  const days = page.getByLabel("Send the preparation pack this many days before the review");
  await expect(days).toHaveValue("7");
  await days.fill("40");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(".nhsuk-error-summary")).toContainText("from 1 to 28");
  await expectAccessible(page);
  // The same value again: other tests share the demo practice.
  await page.getByLabel("Send the preparation pack this many days before the review").fill("7");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#notice")).toHaveText(/The setting is saved/);
});
