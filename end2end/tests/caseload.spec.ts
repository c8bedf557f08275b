import {
  test,
  expect,
  expectAccessible,
  newClinicianInvitation,
  signUpWithLink,
  testNhsNumber,
  waitForEnhancedForms,
} from "../fixtures";

test("a clinician finds people on the caseload, adds a person and prints their letter; the person signs up from it", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  const tag = testInfo.project.name.replace(/[^a-z]/gi, "");
  await signUpWithLink(page, newClinicianInvitation(`Dr Casey ${tag}`));
  await page.goto(`${baseURL}/today`);
  await page.getByRole("link", { name: "Caseload" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Caseload");
  await expectAccessible(page);
  await waitForEnhancedForms(page);

  await page.getByLabel("Search by name or NHS number").fill("123 456 7890");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page.locator(".nhsuk-error-summary")).toBeVisible();
  await page.getByLabel("Search by name or NHS number").fill("Margaret");
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page.getByRole("table")).toContainText("Margaret Evans");
  await expect(page.getByRole("table")).not.toContainText("David Hughes");
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page.getByRole("table")).toContainText("David Hughes");
  // The list comes 50 at a time, and says which part of the whole it is.
  await expect(page.locator("caption")).toHaveText(/^Showing 1 to \d+ of [\d,]+$/);
  const total = Number((await page.locator("caption").textContent())?.match(/of ([\d,]+)$/)?.[1].replace(/,/g, ""));
  if (total > 50) {
    const pages = page.getByRole("navigation", { name: "Pages of the caseload" });
    await pages.getByRole("link", { name: "Page 2" }).click();
    await expect(page).toHaveURL(/\/team\?page=2$/);
    await expect(page.locator("caption")).toHaveText(/^Showing 51 to \d+ of /);
    await expectAccessible(page);
  }

  await page.getByRole("link", { name: "Add a person" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Add a person");
  await waitForEnhancedForms(page);
  const given = `Nia${tag}`;
  await page.getByRole("button", { name: "Add and make their letter" }).click();
  await expect(page.locator(".nhsuk-error-summary")).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("First name").fill(given);
  await page.getByLabel("Last name").fill("Roberts");
  await page.getByLabel("Date of birth").fill("1948-02-29");
  await page.getByLabel("NHS number").fill(testNhsNumber());
  await page.getByLabel("COPD (a long-term lung condition)").check();
  await page.getByRole("button", { name: "Add and make their letter" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Invitation letter for ${given} Roberts`);
  await expect(page.getByRole("img", { name: "QR code of the link below" })).toBeVisible();
  const link = (await page.locator(".app-link-text").textContent())?.trim() ?? "";
  expect(link).toMatch(/\/invite\?token=/);
  await expectAccessible(page);

  // The person signs up on their own phone from the letter.
  const phone = await browser.newContext({ viewport: { width: 412, height: 915 } });
  const theirs = await phone.newPage();
  await signUpWithLink(theirs, link);
  await theirs.goto(`${baseURL}/today`);
  await expect(theirs.getByText(`Hello, ${given} Roberts.`)).toBeVisible();
  await phone.close();
});
