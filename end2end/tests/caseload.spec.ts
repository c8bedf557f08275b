import {
  test,
  expect,
  expectAccessible,
  newAdminInvitation,
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

test("a clinician of a practice of over a thousand sees the list counted a thousand ahead, goes on by keyboard and reaches the last page", async ({
  page,
  baseURL,
}, testInfo) => {
  // A thousand and one people are added first: the part of this test that takes the time.
  test.setTimeout(120_000);
  const tag = testInfo.project.name.replace(/[^a-z]/gi, "");
  const practice = `Large Practice ${tag} ${Date.now()}`;
  await signUpWithLink(page, newAdminInvitation(`Dr Large ${tag}`, practice, "gp_practice", "clinician"));
  // Added the way the "Add a person" form adds them (its post, without drawing the page), ten
  // at a time. Family names sort in the order they are made.
  const family = (i: number) => `Family${String(i).padStart(4, "0")}`;
  for (let start = 0; start < 1_001; start += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, 1_001 - start) }, async (_, k) => {
        const res = await page.request.post(`${baseURL}/api/team/add_patient`, {
          headers: { Origin: baseURL ?? "" },
          form: {
            given: "Large",
            family: family(start + k),
            born: "1950-01-01",
            nhs_number: testNhsNumber(),
            phone: "",
            email: "",
            conditions_type2_diabetes: "on",
          },
        });
        expect(res.status(), await res.text()).toBe(200);
      }),
    );
  }

  // The first page is counted only a thousand ahead: it says so, and offers no last page yet.
  await page.goto(`${baseURL}/team`);
  await expect(page.locator("caption")).toHaveText("Showing 1 to 50 of more than 1,000");
  const table = page.getByRole("table");
  await expect(table).toContainText(`Large ${family(0)}`);
  await expect(table).toContainText(`Large ${family(49)}`);
  await expect(table).not.toContainText(family(50));
  const pages = page.getByRole("navigation", { name: "Pages of the caseload" });
  await expect(pages.getByRole("link", { name: "Page 21" })).toHaveCount(0);
  await expectAccessible(page);

  // On to the next page by keyboard: now counted to the end.
  await pages.getByRole("link", { name: "Next page" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/team\?page=2$/);
  await expect(page.locator("caption")).toHaveText("Showing 51 to 100 of 1,001");
  await expect(table).toContainText(`Large ${family(50)}`);

  // The last page is offered now, and is the last: the thousand and first person, no next page.
  await pages.getByRole("link", { name: "Page 21" }).click();
  await expect(page).toHaveURL(/\/team\?page=21$/);
  await expect(page.locator("caption")).toHaveText("Showing 1,001 to 1,001 of 1,001");
  await expect(table).toContainText(`Large ${family(1_000)}`);
  await expect(pages.getByRole("link", { name: "Next page" })).toHaveCount(0);
  await expectAccessible(page);
});
