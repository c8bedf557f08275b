// The reminders page as a person meets it, with and without JavaScript: what reminders say,
// choosing what and when, and a mistake shown beside its field.
import { test, expect, expectAccessible, jsDisabled, signUpPatient, waitForEnhancedForms } from "../fixtures";

test("the reminders page explains itself and keeps the person's choices, with mistakes shown by the field", async ({
  page,
  baseURL,
}, testInfo) => {
  await signUpPatient(page, `Rem${testInfo.project.name.replace(/[^a-z]/gi, "")}`);
  await page.goto(`${baseURL}/today`);
  await page.getByRole("link", { name: "Reminders" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Reminders");
  await expect(page.getByText("A reminder never says anything about your health.")).toBeVisible();
  if (jsDisabled(testInfo)) {
    await expect(page.getByText("To get reminders on this device, turn on JavaScript")).toBeVisible();
  } else {
    await expect(page.getByRole("button", { name: "Turn on reminders on this device" })).toBeVisible();
  }
  await expect(page.getByText("No devices get reminders yet.")).toBeVisible();
  await expectAccessible(page);

  // A reminder at 23:00 would fall in the quiet hours (21:00 to 08:00).
  await waitForEnhancedForms(page);
  await page.getByLabel("First time").fill("23:00");
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page.getByRole("alert")).toContainText("There is a problem");
  const field = page.getByLabel("First time");
  await expect(field).toHaveValue("23:00");
  await expect(page.locator("#choices-time_1-error")).toContainText("23:00 is in your quiet hours (21:00 to 08:00)");
  await expectAccessible(page);

  await field.fill("08:30");
  await page.getByLabel("The day before your review").uncheck();
  await page.getByLabel("Your time zone").selectOption("Europe/Dublin");
  await page.getByRole("button", { name: "Save my choices" }).click();
  await expect(page.locator("#notice")).toHaveText(/Your reminder choices are saved/);
  await page.reload();
  await expect(page.getByLabel("First time")).toHaveValue("08:30");
  await expect(page.getByLabel("The day before your review")).not.toBeChecked();
  await expect(page.getByLabel("When the questions for your review are ready")).toBeChecked();
  await expect(page.getByLabel("Your time zone")).toHaveValue("Europe/Dublin");
});
