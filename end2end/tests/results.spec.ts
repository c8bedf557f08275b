import { test, expect, expectAccessible, demoLink, signUpWithLink } from "../fixtures";

// Each project signs up a different demo patient: their invitation links work once.
const person: Record<string, [string, string, string]> = {
  phone: ["Margaret Evans", "HbA1c (average blood sugar)", "58 mmol/mol"],
  desktop: ["David Hughes", "COPD assessment test (CAT)", "19 score"],
  "no-js": ["Aisha Rahman", "eGFR (kidney function)", "44 mL/min/1.73m²"],
};

test("a demo patient reads their released results, explained, with a chart and a table", async ({ page, baseURL }, testInfo) => {
  const [name, result, latest] = person[testInfo.project.name];
  await signUpWithLink(page, demoLink(name));
  await page.goto(`${baseURL}/results`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your results");
  await expect(page.getByText(latest).first()).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("link", { name: result }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(result);
  await expect(page.getByRole("heading", { name: "What the numbers mean" })).toBeVisible();
  await expect(page.getByRole("table", { name: `All your ${result} results` })).toBeVisible();
  await expect(page.getByText(/results from .* to .*: from/)).toBeVisible();
  await expectAccessible(page);
});
