import {
  test,
  expect,
  expectAccessible,
  jsDisabled,
  newAdminInvitation,
  newClinicianInvitation,
  signUpWithLink,
  testNhsNumber,
  waitForEnhancedForms,
  day,
} from "../fixtures";

test("the whole cycle: staff add a person, who signs up and answers; they agree a plan together, and the person sees it on their phone", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  // A whole journey: several people, a dozen pages, axe on each. Without JavaScript every step
  // is a full page load; on this 2-core machine on a slow day the no-js run took 65 s alone
  // (it reached its last check). The time is the number of steps, not a wait for a race.
  test.slow();
  const tag = testInfo.project.name.replace(/[^a-z]/gi, "");
  // Letters only, and new each run, so a rerun against the same database finds one person.
  const given = `Rhi${tag}${Array.from({ length: 4 }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join("")}`;
  const doctor = `Dr Morgan ${tag}`;

  // The clinician works at a desktop, with JavaScript, in their own browser.
  const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const staff = await staffContext.newPage();
  await signUpWithLink(staff, newClinicianInvitation(doctor));
  await staff.goto(`${baseURL}/team/patients/new`);
  await waitForEnhancedForms(staff);
  await staff.getByLabel("First name").fill(given);
  await staff.getByLabel("Last name").fill("Jones");
  await staff.getByLabel("Date of birth").fill("1956-04-12");
  await staff.getByLabel("NHS number").fill(testNhsNumber());
  await staff.getByLabel("Type 2 diabetes").check();
  await staff.getByRole("button", { name: "Add and make their letter" }).click();
  const link = (await staff.locator(".app-link-text").textContent())?.trim() ?? "";
  expect(link).toMatch(/\/invite\?token=/);

  // The person signs up from the letter on their phone (this test's own browser).
  await signUpWithLink(page, link);

  // Results, a review and the pack.
  await staff.goto(`${baseURL}/team`);
  await waitForEnhancedForms(staff);
  await staff.getByLabel("Search by name or NHS number").fill(given);
  await staff.getByRole("button", { name: "Show", exact: true }).click();
  await staff.getByRole("link", { name: `${given} Jones` }).click();
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText(`${given} Jones`);
  await waitForEnhancedForms(staff);
  await staff.locator("#result-code").selectOption("hba1c");
  await staff.locator("#result-value").fill("61");
  await staff.locator("#result-taken_on").fill(day(-2));
  await staff.getByRole("button", { name: "Add result" }).click();
  await expect(staff.locator("#notice")).toContainText("The result is added");
  await staff.locator("#review-date").fill(day(14));
  await staff.locator("#review-time").fill("09:30");
  await staff.locator("#review-with_whom").fill(doctor);
  await staff.locator("#review-place").fill("Room 2");
  await staff.getByRole("button", { name: "Book the review" }).click();
  await expect(staff.locator("#notice")).toHaveText(/The review is booked/);
  await staff.getByRole("button", { name: "Send the preparation pack now" }).click();
  await expect(staff.locator("#notice")).toContainText("The preparation pack is sent");

  // The person answers the prompts.
  await page.goto(`${baseURL}/preparation`);
  await waitForEnhancedForms(page);
  const important = page.getByLabel("What is important to you right now?");
  await important.fill("Dancing at my grandson's wedding");
  if (!jsDisabled(testInfo)) {
    // Let the draft save itself first, as it does when someone moves on from an answer.
    await important.blur();
    await expect(page.locator("#autosave-status")).toHaveText("Draft saved.");
  }
  await page.getByRole("button", { name: "Send to my care team" }).click();
  await expect(page.locator("#notice")).toContainText("sent to your care team");

  // The conversation: agenda beside results and the plan; goals and actions written together.
  await staff.reload();
  await staff.getByRole("link", { name: "Open the conversation view" }).click();
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText(`Conversation with ${given} Jones`);
  await expect(staff.getByText("Dancing at my grandson's wedding")).toBeVisible();
  await expect(staff.getByRole("table", { name: "Latest results" })).toContainText("61 mmol/mol");
  await expect(staff.getByText("No goals yet.")).toBeVisible();
  await expectAccessible(staff);

  await staff.getByRole("link", { name: "Add a goal together" }).click();
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText(`Add a goal with ${given}`);
  await expectAccessible(staff);
  await waitForEnhancedForms(staff);
  await staff.getByLabel("Your goal, in your own words").fill("Dance at the wedding in June");
  await staff.getByLabel("Why it matters to you").fill("It is my only grandson");
  await staff.getByLabel("How important is it to you?").selectOption("9");
  await staff.getByRole("button", { name: "Save goal" }).click();
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText("Dance at the wedding in June");
  await staff.getByRole("link", { name: "Add an action together" }).click();
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText("Add an action together");
  await expectAccessible(staff);
  await waitForEnhancedForms(staff);
  await staff.getByLabel("What will you do?").fill("Walk for 20 minutes after lunch");
  await staff.getByLabel("How confident are you that you can do this?").selectOption("8");
  await staff.getByRole("button", { name: "Save action" }).click();
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText(`Conversation with ${given} Jones`);
  await expect(staff.locator("#story").getByRole("heading", { name: "Walk for 20 minutes after lunch" })).toBeVisible();
  await expect(staff.locator("#plan")).toContainText("Walk for 20 minutes after lunch");

  // The person logs it on their phone with a note; the clinician reads it in the story.
  await page.goto(`${baseURL}/today`);
  await waitForEnhancedForms(page);
  await page.getByText("Add a note (optional)").first().click();
  await page.getByLabel("What helped, or what got in the way?").first().fill("Knee hurt on the hill, so I stopped halfway");
  await page.getByRole("button", { name: "Partly done (Walk for 20 minutes after lunch)" }).click();
  await expect(page.locator("#notice")).toContainText("Saved: partly done.");
  await staff.reload();
  await expect(staff.locator("#story")).toContainText("Knee hurt on the hill, so I stopped halfway");
  await expect(staff.locator("#story")).toContainText("partly done once");
  await expectAccessible(staff);

  // Changed together: confidence down to 6, seen then and now.
  await staff.locator("#story a", { hasText: "Change or stop this action" }).click();
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText("Walk for 20 minutes after lunch");
  await expectAccessible(staff);
  await waitForEnhancedForms(staff);
  await staff.getByLabel("How confident are you that you can do this?").selectOption("6");
  await staff.getByRole("button", { name: "Save action" }).click();
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText(`Conversation with ${given} Jones`);
  await expect(staff.locator("#story")).toContainText("Confidence 8 out of 10 at the start, 6 out of 10 now.");

  // The contingency plan, written with the person; they see it in their plan.
  await staff.getByRole("link", { name: "Write the contingency plan together" }).click();
  await expect(staff.getByRole("heading", { level: 1 })).toHaveText(`If things get worse for ${given}`);
  await expectAccessible(staff);
  await waitForEnhancedForms(staff);
  await staff.locator("#contingency-warning_signs").fill("Sugars over 15 for two days");
  await staff.getByRole("button", { name: "Save", exact: true }).click();
  await expect(staff.locator("#notice")).toContainText("The contingency plan is saved.");
  await staff.getByRole("link", { name: "Back to the conversation" }).click();
  await expect(staff.locator("#plan")).toContainText("Sugars over 15 for two days");
  await page.goto(`${baseURL}/plan`);
  await expect(page.getByText("Sugars over 15 for two days")).toBeVisible();

  // Agreed with the person, with the next review; and a note only the team sees.
  await waitForEnhancedForms(staff);
  await staff.getByLabel("Next review by").fill(day(180));
  await staff.getByRole("button", { name: "Mark the plan as agreed" }).click();
  await expect(staff.locator("#notice")).toContainText("The plan is marked as agreed");
  await expect(staff.getByText(`Agreed with ${given} on`)).toBeVisible();
  await staff.getByLabel("Add a working note").fill("Check foot pulses next time.");
  await staff.getByRole("button", { name: "Save note" }).click();
  await expect(staff.locator("#notice")).toContainText("Your note is saved");
  await expect(staff.getByText("Check foot pulses next time.")).toBeVisible();
  await expectAccessible(staff);

  // The person sees the agreed plan on their phone, and not the team's note.
  await page.goto(`${baseURL}/plan`);
  await expect(page.locator("#agreement")).toContainText(`You agreed this plan with ${doctor}, Riverside Medical Practice on`);
  await expect(page.getByText("Dance at the wedding in June")).toBeVisible();
  await expect(page.getByText("Walk for 20 minutes after lunch")).toBeVisible();
  await expect(page.getByText("foot pulses")).toHaveCount(0);
  await expectAccessible(page);
  await page.goto(`${baseURL}/plan/history`);
  await expect(page.getByRole("heading", { name: "Agreed the plan with you" })).toBeVisible();
  await staffContext.close();
});

test("a person shares their plan with a social care team and stops; an administrator manages members", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  // A whole journey: several people, a dozen pages, axe on each. Without JavaScript every step
  // is a full page load; on this 2-core machine on a slow day the no-js run took 65 s alone
  // (it reached its last check). The time is the number of steps, not a wait for a race.
  test.slow();
  const tag = testInfo.project.name.replace(/[^a-z]/gi, "");
  const team = `Millbrook Social Care ${tag}`;
  const given = `Cai${tag}`;

  // A practice administrator adds the person and manages the team's members.
  const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const admin = await adminContext.newPage();
  await signUpWithLink(admin, newClinicianInvitation(`Dr Ellis ${tag}`));
  await admin.goto(`${baseURL}/team/members`);
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Members of Riverside Medical Practice");
  await expectAccessible(admin);
  await waitForEnhancedForms(admin);
  await admin.getByRole("button", { name: "Invite" }).click();
  await expect(admin.locator(".nhsuk-error-summary")).toContainText("Enter their full name");
  await admin.getByLabel("Full name").fill(`Nurse Obi ${tag}`);
  await admin.getByRole("radio", { name: "Care coordinator" }).check();
  await admin.getByRole("button", { name: "Invite" }).click();
  await expect(admin.getByTestId("new-invitation")).toContainText(`Invitation link for Nurse Obi ${tag}`);
  const card = admin.locator(".nhsuk-card").filter({ hasText: `Nurse Obi ${tag}` }).last();
  await expect(card).toContainText("Care coordinator. Not signed up yet.");
  await card.getByLabel("Clinician").check();
  await card.getByRole("button", { name: "Save roles" }).click();
  await expect(admin.locator("#notice")).toContainText("Their roles are changed");
  await expect(admin.locator(".nhsuk-card").filter({ hasText: `Nurse Obi ${tag}` }).last()).toContainText("Clinician, Care coordinator.");
  await admin.locator(".nhsuk-card").filter({ hasText: `Nurse Obi ${tag}` }).last()
    .getByRole("button", { name: `Remove Nurse Obi ${tag} from the organisation` }).click();
  await expect(admin.locator("#notice")).toContainText("They are removed");
  await expect(admin.locator(".nhsuk-card").filter({ hasText: `Nurse Obi ${tag}` })).toHaveCount(0);
  await expectAccessible(admin);

  await admin.goto(`${baseURL}/team/patients/new`);
  await waitForEnhancedForms(admin);
  await admin.getByLabel("First name").fill(given);
  await admin.getByLabel("Last name").fill("Price");
  await admin.getByLabel("Date of birth").fill("1950-09-30");
  await admin.getByLabel("NHS number").fill(testNhsNumber());
  await admin.getByRole("button", { name: "Add and make their letter" }).click();
  const link = (await admin.locator(".app-link-text").textContent())?.trim() ?? "";
  await adminContext.close();

  // A social care team exists, with a social care worker.
  const workerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const worker = await workerContext.newPage();
  await signUpWithLink(worker, newAdminInvitation(`Jo Baker ${tag}`, team, "social_care_team", "social_care_worker"));
  await worker.goto(`${baseURL}/team`);
  await expect(worker.getByText(`${given} Price`)).toHaveCount(0);

  // The person chooses to share with the team.
  await signUpWithLink(page, link);
  await page.goto(`${baseURL}/today`);
  await page.getByRole("link", { name: "Who can see your plan" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Who can see your plan");
  await expectAccessible(page);
  await waitForEnhancedForms(page);
  await page.getByRole("button", { name: "Share my plan" }).click();
  await expect(page.locator(".nhsuk-error-summary")).toContainText("Choose a team to share your plan with");
  await page.getByLabel(`${team} (a social care team)`).check();
  await page.getByRole("button", { name: "Share my plan" }).click();
  await expect(page.locator("#notice")).toContainText("Your plan is now shared");
  await expect(page.getByRole("button", { name: `Stop sharing with ${team}` })).toBeVisible();
  await expectAccessible(page);

  await worker.reload();
  const row = worker.getByRole("row").filter({ hasText: `${given} Price` });
  await expect(row).toContainText("Shared with you");
  await row.getByRole("link", { name: `${given} Price` }).click();
  await worker.getByRole("link", { name: "Open the conversation view" }).click();
  await expect(worker.getByRole("heading", { level: 1 })).toHaveText(`Conversation with ${given} Price`);
  await expect(worker.getByText(`Only ${team} can read them.`)).toBeVisible();
  await expectAccessible(worker);
  const conversation = worker.url();

  // Her own workspace: the people who shared with her, and no health tools; a health page
  // she may not use is a plain-English page, never JSON.
  await worker.goto(`${baseURL}/today`);
  await expect(worker.getByRole("link", { name: "Caseload" })).toBeVisible();
  await expect(worker.getByRole("link", { name: "Import results" })).toHaveCount(0);
  await expect(worker.getByRole("link", { name: "Upcoming reviews" })).toHaveCount(0);
  await expectAccessible(worker);
  await worker.goto(`${baseURL}/team/results/import`);
  await expect(worker.getByRole("heading", { level: 1 })).toHaveText("Page not found");

  // She stops sharing: the team's next request finds nothing.
  await page.getByRole("button", { name: `Stop sharing with ${team}` }).click();
  await expect(page.locator("#notice")).toContainText("You have stopped sharing");
  await worker.goto(conversation);
  await expect(worker.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await workerContext.close();
});
