import {
  test,
  expect,
  addDailyAction,
  bookReviewAndSendPack,
  expectAccessible,
  signUpPatient,
  signUpWithLink,
  waitForEnhancedForms,
} from "../fixtures";

test("a person invites a carer, who logs an action for them; the person sees it and the visit, then stops their access", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  const tag = testInfo.project.name.replace(/[^a-z]/gi, "");
  const given = `Meg${tag}`;
  await signUpPatient(page, given);

  // She writes a goal and an action, so there is something to log.
  const actionPage = await addDailyAction(page, "Keep my garden going", "Water the tomatoes");

  // She invites her daughter to see the plan and log actions.
  await page.goto(`${baseURL}/today`);
  await page.getByRole("link", { name: "People who help you" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("People who help you");
  await expectAccessible(page);
  await waitForEnhancedForms(page);
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.locator(".nhsuk-error-summary")).toContainText("Choose at least one thing they can do");
  await page.getByLabel("Their full name").fill(`Sian ${tag}`);
  await page.getByLabel("How they are related").fill("Daughter");
  await page.getByRole("checkbox", { name: "See the plan" }).check();
  await page.getByRole("checkbox", { name: "Log what was done" }).check();
  await page.getByRole("button", { name: "Invite" }).click();
  await expect(page.getByTestId("new-invitation")).toContainText(`Invitation link for Sian ${tag}`);
  const link = (await page.locator(".app-link-text").textContent())?.trim() ?? "";
  expect(link).toMatch(/\/invite\?token=/);
  await expect(page.getByText("Invited, not signed up yet")).toBeVisible();
  await expectAccessible(page);

  // The daughter signs up on her own phone and logs the action.
  const phone = await browser.newContext({ viewport: { width: 412, height: 915 } });
  const carer = await phone.newPage();
  await signUpWithLink(carer, link);
  await carer.goto(`${baseURL}/today`);
  await expect(carer.getByTestId("acting-for")).toContainText(`You are looking at ${given} Tester's plan.`);
  await expectAccessible(carer);
  await carer.getByRole("link", { name: "Water the tomatoes" }).click();
  await expect(carer.getByTestId("acting-for")).toContainText(`${given} Tester's plan`);
  await waitForEnhancedForms(carer);
  await carer.getByRole("button", { name: "Done (Water the tomatoes)", exact: true }).click();
  await expect(carer.locator("#notice")).toContainText("Saved: done");
  await carer.goto(`${baseURL}/people`);
  await expect(carer.getByRole("heading", { level: 1 })).toHaveText("People you help");
  await expectAccessible(carer);

  // She sees it is her daughter's log, and her daughter's visit.
  await page.goto(actionPage);
  await expect(page.getByText(`Logged by Sian ${tag} (carer)`)).toBeVisible();
  await page.goto(`${baseURL}/account/access-log`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Who has looked at your record");
  const rows = page.getByRole("row").filter({ hasText: `Sian ${tag} (carer)` });
  await expect(rows.filter({ hasText: "logged an action" }).first()).toBeVisible();
  await expect(rows.filter({ hasText: "looked at your plan" }).first()).toBeVisible();
  await expectAccessible(page);

  // She stops it; the daughter's next request finds nothing.
  await page.goto(`${baseURL}/carers`);
  await waitForEnhancedForms(page);
  await page.getByRole("button", { name: `Stop Sian ${tag}'s access` }).click();
  await expect(page.locator("#notice")).toContainText("Their access has stopped");
  await expect(page.getByText(/^Stopped\. Can: See the plan/)).toBeVisible();
  await carer.goto(actionPage.replace(/^https?:\/\/[^/]+/, baseURL));
  await expect(carer.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await carer.goto(`${baseURL}/today`);
  await expect(carer.getByTestId("acting-for")).toHaveCount(0);
  await expect(carer.getByText("Water the tomatoes")).toHaveCount(0);
  await phone.close();
});

test("a carer who may only see the plan is shown the person's plan in the third person, with no control they cannot use", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  const tag = testInfo.project.name.replace(/[^a-z]/gi, "");
  const given = `Rhi${tag}`;
  await signUpPatient(page, given);
  const actionPage = await addDailyAction(page, "Walk to the shop", "Walk to the corner");
  await page.goto(`${baseURL}/today`);
  await waitForEnhancedForms(page);
  await page.getByRole("button", { name: "Done (Walk to the corner)", exact: true }).click();
  await expect(page.locator("#notice")).toContainText("Saved: done");

  // She lets her neighbour see the plan, and nothing else.
  await page.goto(`${baseURL}/carers`);
  await waitForEnhancedForms(page);
  await page.getByLabel("Their full name").fill(`Nia ${tag}`);
  await page.getByLabel("How they are related").fill("Neighbour");
  await page.getByRole("checkbox", { name: "See the plan" }).check();
  await page.getByRole("button", { name: "Invite" }).click();
  const link = (await page.locator(".app-link-text").textContent())?.trim() ?? "";

  const phone = await browser.newContext({ viewport: { width: 412, height: 915 } });
  const carer = await phone.newPage();
  await signUpWithLink(carer, link);

  // Today speaks about her by name, offers only the plan, and no way to log or undo.
  await carer.goto(`${baseURL}/today`);
  await expect(carer.getByRole("heading", { name: `${given}'s next review` })).toBeVisible();
  await expect(carer.getByRole("link", { name: `See ${given}'s whole plan` })).toBeVisible();
  await expect(carer.getByRole("link", { name: /results/i })).toHaveCount(0);
  await expect(carer.getByRole("link", { name: /Get ready/ })).toHaveCount(0);
  // The phone's navigation offers only what the grant allows.
  await expect(carer.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(["Today", "Plan", "More"]);
  await expect(carer.getByText("Today: Done")).toBeVisible();
  await expect(carer.getByRole("button", { name: /Undo|Done|Partly/ })).toHaveCount(0);
  await expectAccessible(carer);

  // The plan is hers: "Rhi's plan", with no "Change" links.
  await carer.goto(`${baseURL}/plan`);
  await expect(carer.getByRole("heading", { level: 1 })).toHaveText(`${given}'s plan`);
  await expect(carer.getByRole("heading", { name: `${given}'s goals and actions` })).toBeVisible();
  const sections = carer.locator("#about-me, #goals, #contingency, #support");
  await expect(sections).toHaveCount(4);
  await expect(sections.getByRole("link", { name: /^Change|Add a goal/ })).toHaveCount(0);
  await expect(carer.getByText(/^Your plan/)).toHaveCount(0);
  await expectAccessible(carer);

  // The action's page shows the week without a log form or Undo.
  await carer.goto(actionPage.replace(/^https?:\/\/[^/]+/, baseURL ?? ""));
  await expect(carer.getByRole("heading", { level: 1 })).toHaveText("Walk to the corner");
  await expect(carer.getByRole("button", { name: /Undo|Done|Partly|Not today|Save/ })).toHaveCount(0);
  await expectAccessible(carer);
  await phone.close();
});

test("a carer who helps the person get ready answers for them, and every page names the person, never 'you'", async ({
  page,
  browser,
  baseURL,
}, testInfo) => {
  const tag = testInfo.project.name.replace(/[^a-z]/gi, "");
  const given = `Ife${tag}`;
  await signUpPatient(page, given);
  await addDailyAction(page, "Sleep better", "Bed by eleven");
  await bookReviewAndSendPack(browser, given, "Nurse Okafor", "Room 4");

  // He may see the plan, answer the questions and be reminded; not see results.
  await page.goto(`${baseURL}/carers`);
  await waitForEnhancedForms(page);
  await page.getByLabel("Their full name").fill(`Tunde ${tag}`);
  await page.getByLabel("How they are related").fill("Son");
  await page.getByRole("checkbox", { name: "See the plan" }).check();
  await page.getByRole("checkbox", { name: "Answer the questions before a review" }).check();
  await page.getByRole("checkbox", { name: "Get reminders" }).check();
  await page.getByRole("button", { name: "Invite" }).click();
  const link = (await page.locator(".app-link-text").textContent())?.trim() ?? "";

  const phone = await browser.newContext({ viewport: { width: 412, height: 915 } });
  const carer = await phone.newPage();
  await signUpWithLink(carer, link);

  // Get ready: her review, her questions; no results link he could not follow.
  await carer.goto(`${baseURL}/preparation`);
  await expect(carer.getByRole("heading", { level: 1 })).toHaveText(`Get ready for ${given}'s review`);
  await expect(carer.getByRole("heading", { name: `${given}'s review`, exact: true })).toBeVisible();
  await expect(carer.getByText("Room 4")).toBeVisible();
  await expect(carer.getByRole("heading", { name: `What ${given} wants to talk about` })).toBeVisible();
  await expect(carer.getByRole("link", { name: /results, explained/ })).toHaveCount(0);
  // (The questions themselves speak to the person, as she answers them too.)
  await expect(carer.locator("h1, h2, p").filter({ hasText: /\byour (review|care team|results)\b/i })).toHaveCount(0);
  await expectAccessible(carer);
  await waitForEnhancedForms(carer);
  await carer.getByLabel("What is important to you right now?").fill("Sleeping through the night");
  await carer.getByRole("button", { name: `Send to ${given}'s care team` }).click();
  await expect(carer.locator("#notice")).toContainText(`${given}'s answers are sent to the care team.`);

  // The person sees what he wrote for her, as her own draft to change.
  await page.goto(`${baseURL}/preparation`);
  await expect(page.getByLabel("What is important to you right now?")).toHaveValue("Sleeping through the night");

  // The plan's history is hers, told about her.
  await carer.goto(`${baseURL}/plan/history`);
  await expect(carer.getByRole("heading", { level: 1 })).toHaveText(`Changes to ${given}'s plan`);
  await expect(carer.getByText("Bed by eleven").first()).toBeVisible();
  await expectAccessible(carer);

  // Reminders about her review say "their review", not "your review".
  await carer.goto(`${baseURL}/account/reminders`);
  await expect(carer.getByText("The day before their review")).toBeVisible();
  await expect(carer.getByText("your review")).toHaveCount(0);
  await expectAccessible(carer);
  await phone.close();
});
