import {
  test,
  expect,
  expectAccessible,
  jsDisabled,
  newClinicianInvitation,
  signUpPatient,
  signUpWithLink,
  waitForEnhancedForms,
  day,
} from "../fixtures";

test("the care team books a review and sends the pack; the person drafts, comes back, sends; the team sees it", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  const noJs = jsDisabled(testInfo);
  const given = `Pia${testInfo.project.name.replace(/[^a-z]/gi, "")}`;
  await signUpPatient(page, given);

  // The clinician works on a desktop, with JavaScript, in their own browser.
  const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const staff = await staffContext.newPage();
  await signUpWithLink(staff, newClinicianInvitation(`Dr Rowan ${given}`));
  await staff.goto(`${baseURL}/team/reviews`);
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText("Upcoming reviews");
  await expectAccessible(staff);
  await staff.getByRole("link", { name: `${given} Tester` }).click();
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText(`${given} Tester`);
  await waitForEnhancedForms(staff);

  await staff.locator("#result-code").selectOption("hba1c");
  await staff.locator("#result-value").fill("52");
  await staff.locator("#result-taken_on").fill(day(-1));
  await staff.getByRole("button", { name: "Add result" }).click();
  await expect(staff.locator("#notice")).toContainText("The result is added");

  await staff.locator("#review-date").fill(day(20));
  await staff.locator("#review-time").fill("10:30");
  await staff.locator("#review-with_whom").fill("Dr Rowan");
  await staff.locator("#review-place").fill("Room 4");
  await staff.getByRole("button", { name: "Book the review" }).click();
  await expect(staff.locator("#notice")).toHaveText(/The review is booked/);
  await expect(staff.getByText("Their preparation pack has not been sent yet.")).toBeVisible();
  await staff.getByRole("button", { name: "Send the preparation pack now" }).click();
  await expect(staff.locator("#notice")).toContainText("The preparation pack is sent");
  await expectAccessible(staff);

  // The person gets ready on their phone (or with JavaScript off).
  await page.goto(`${baseURL}/today`);
  await page.getByRole("link", { name: "Get ready for your review" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Get ready for your review");
  await expect(page.getByText("at 10:30")).toBeVisible();
  await waitForEnhancedForms(page);
  const important = page.getByLabel("What is important to you right now?");
  const talk = page.getByLabel("What would you like to talk about?");
  await important.fill("Walking my dog every day");
  if (!noJs) {
    // A finished answer saves itself as a draft.
    await talk.fill("My feet");
    await talk.blur();
    await expect(page.locator("#autosave-status")).toHaveText("Draft saved.");
  }
  await page.getByRole("button", { name: "Save and finish later" }).click();
  await expect(page.locator("#notice")).toContainText("Your answers are saved");
  await expectAccessible(page);

  // The team sees no draft.
  await staff.reload();
  await expect(staff.getByText("They have opened their pack but not sent their answers yet.")).toBeVisible();
  await expect(staff.getByText("Walking my dog every day")).toHaveCount(0);

  // She leaves, comes back to her draft, and sends it.
  await page.goto(`${baseURL}/results`);
  await expect(page.getByText("52 mmol/mol").first()).toBeVisible();
  await page.goto(`${baseURL}/preparation`);
  await expect(important).toHaveValue("Walking my dog every day");
  if (!noJs) await expect(talk).toHaveValue("My feet");
  await waitForEnhancedForms(page);
  await page.getByRole("button", { name: "Send to my care team" }).click();
  await expect(page.locator("#notice")).toContainText("sent to your care team");
  await expect(page.getByText(new RegExp(`Sent by ${given} Tester on`))).toBeVisible();
  await expect(page.getByRole("button", { name: "Send my changes" })).toBeVisible();
  await expectAccessible(page);

  // The care team reads the agenda beside the results.
  await staff.reload();
  await expect(staff.getByText("Walking my dog every day")).toBeVisible();
  await expect(staff.getByText(new RegExp(`Sent by ${given} Tester on`))).toBeVisible();
  await expect(staff.getByRole("table", { name: "Latest results" })).toContainText("52 mmol/mol");
  await staff.goto(`${baseURL}/team/reviews`);
  const row = staff.getByRole("row").filter({ hasText: `${given} Tester` });
  await expect(row).not.toContainText("Not yet");
  await expectAccessible(staff);
  await staffContext.close();
});
