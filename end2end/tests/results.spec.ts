import { test, expect, expectAccessible, demoLink, signUpWithLink } from "../fixtures";

// Each project signs up a different demo patient: their invitation links work once.
const person: Record<string, [string, string, string]> = {
  phone: ["Margaret Evans", "HbA1c (average blood sugar)", "58 mmol/mol"],
  desktop: ["David Hughes", "COPD assessment test (CAT)", "19 score"],
  "no-js": ["Aisha Rahman", "eGFR (kidney function)", "44 mL/min/1.73m²"],
};

test("a demo patient reads their released results, explained, with a chart and a table, and a blood-pressure chart with both lines", async ({ page, baseURL }, testInfo) => {
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

  // Every demo patient has blood pressure: a chart with axes, the target bands and two lines.
  await page.goto(`${baseURL}/results/blood_pressure`);
  const chart = page.getByRole("img", {
    name: /^Chart of 5 results for Blood pressure, from .*, with the targets for both numbers shaded\./,
  });
  await expect(chart).toBeVisible();
  await expect(chart.locator("polyline")).toHaveCount(2);
  await expect(chart.locator("circle")).toHaveCount(5);
  await expect(chart.locator("rect.app-chart__dot--second")).toHaveCount(5);
  await expect(chart.locator(".app-chart__band")).toHaveCount(2);
  await expect(chart.locator("text", { hasText: "mmHg" })).toHaveCount(1);
  const ticks = chart.locator("text.app-chart__label:not(.app-chart__date)", { hasText: /^\d+$/ });
  expect(await ticks.count()).toBeGreaterThanOrEqual(3);
  const dates = chart.locator("text.app-chart__date");
  expect(await dates.count()).toBeGreaterThanOrEqual(3);
  for (const label of await dates.allTextContents()) expect(label).toMatch(/^[A-Z][a-z]{2} \d{4}$/);
  await expect(page.getByText("Solid line, round dots: the top number (systolic)")).toBeVisible();
  await expect(page.getByText("Dashed line, square dots: the bottom number (diastolic)")).toBeVisible();
  await expect(page.getByText("Shaded band: the target for the top number, below 140")).toBeVisible();
  await expect(page.getByText("Shaded band: the target for the bottom number, below 90")).toBeVisible();
  await expect(page.getByRole("table", { name: "All your Blood pressure results" })).toBeVisible();
  await expectAccessible(page);

  // On a 320-pixel-wide phone the chart fits and its date labels do not run into each other.
  await page.setViewportSize({ width: 320, height: 720 });
  const box = await chart.boundingBox();
  expect(box?.width ?? 999).toBeLessThanOrEqual(320);
  const spans = await dates.evaluateAll((els) => els.map((e) => [e.getBoundingClientRect().left, e.getBoundingClientRect().right]));
  for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThan(spans[i - 1][1]);
  const fontSize = await dates.first().evaluate((e) => e.getBoundingClientRect().height);
  expect(fontSize).toBeGreaterThanOrEqual(9);
});
