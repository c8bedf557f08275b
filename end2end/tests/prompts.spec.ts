import {
  test, expect, expectAccessible, signUpWithLink, newAdminInvitation, newPatientInvitation, waitForEnhancedForms, day,
} from "../fixtures";

// #19: a practice keeps its own questions before a review, and the person is asked them.
test("a practice administrator rewords a question, sees the preview, and the person is asked it", async ({ page, browser, baseURL }, testInfo) => {
  const tag = testInfo.project.name.replace(/[^a-z]/gi, "");
  const practice = `Hillside Surgery ${tag}`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const admin = await context.newPage();
  await signUpWithLink(admin, newAdminInvitation(`Dr Amal ${tag}`, practice, "gp_practice", "clinician"));

  await admin.goto(`${baseURL}/today`);
  await admin.getByRole("link", { name: "Questions before a review" }).click();
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Questions before a review");
  await expectAccessible(admin);
  await admin.getByRole("button", { name: "Make these our own" }).click();
  await expect(admin.locator("#notice")).toContainText("now your practice's own");
  await waitForEnhancedForms(admin);
  await admin.getByLabel(/^Question 1 /).fill("What matters most to you this year?");
  await admin.getByRole("button", { name: "Save wording of question 1", exact: true }).click();
  await expect(admin.locator("#notice")).toContainText("The new wording is saved.");
  await admin.getByText("Someone with Type 2 diabetes").click();
  await expect(admin.locator("details", { hasText: "Someone with Type 2 diabetes" }).getByText("What matters most to you this year?")).toBeVisible();
  await expectAccessible(admin);

  // A person of the practice: their review is booked and their pack sent.
  const given = `Rhys${tag}`;
  const link = newPatientInvitation(given, "Tester", practice);
  await admin.goto(`${baseURL}/team/reviews`);
  await admin.getByRole("link", { name: `${given} Tester` }).click();
  await waitForEnhancedForms(admin);
  await admin.locator("#review-date").fill(day(20));
  await admin.locator("#review-time").fill("10:30");
  await admin.locator("#review-with_whom").fill(`Dr Amal ${tag}`);
  await admin.locator("#review-place").fill("Room 1");
  await admin.getByRole("button", { name: "Book the review" }).click();
  await expect(admin.locator("#notice")).toHaveText(/The review is booked/);
  await admin.getByRole("button", { name: "Send the preparation pack now" }).click();
  await expect(admin.locator("#notice")).toContainText("The preparation pack is sent");
  await context.close();

  await signUpWithLink(page, link);
  await page.goto(`${baseURL}/preparation`);
  await expect(page.getByLabel("What matters most to you this year?")).toBeVisible();
  await expect(page.getByLabel("What is important to you right now?")).toHaveCount(0);
  await expectAccessible(page);
});
