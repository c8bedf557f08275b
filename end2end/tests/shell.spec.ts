import { test, expect, expectAccessible, jsDisabled } from "../fixtures";

test("the sign-in page renders and passes axe", async ({ page, baseURL }) => {
  const res = await page.goto(`${baseURL}/`);
  expect(res?.status()).toBe(200);
  await expect(page).toHaveTitle("Sign in – Alongside");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Alongside");
  await expect(page.getByRole("banner")).toContainText("Alongside");
  await expect(page.getByRole("main")).toBeVisible();
  await expect(page.getByRole("contentinfo").getByRole("link", { name: "Accessibility statement" })).toBeVisible();
  await expectAccessible(page);
});

test("the passkey island wakes up with JavaScript and explains itself without it", async ({ page, baseURL }, testInfo) => {
  await page.goto(`${baseURL}/`);
  const status = page.getByTestId("passkey-support");
  if (jsDisabled(testInfo)) {
    await expect(status).toContainText("Passkeys need JavaScript");
  } else {
    // Hydration ran under the strict CSP (with the release wasm, wasm-opt included).
    await expect(status).toContainText("This browser can use passkeys.");
  }
  await expectAccessible(page);
});

test("the accessibility statement is reachable from the footer and passes axe", async ({ page, baseURL }) => {
  await page.goto(`${baseURL}/`);
  await page.getByRole("link", { name: "Accessibility statement" }).click();
  await expect(page).toHaveURL(`${baseURL}/accessibility`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Accessibility statement");
  await expectAccessible(page);
});

test("the skip link is the first thing a keyboard reaches and moves to the main content", async ({ page, baseURL }) => {
  await page.goto(`${baseURL}/accessibility`);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to main content" });
  await expect(skip).toBeFocused();
  await expect(skip).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#maincontent$/);
});

test("Today sends a visitor who is not signed in to sign in", async ({ page, baseURL }) => {
  await page.goto(`${baseURL}/today`);
  await expect(page).toHaveURL(`${baseURL}/`);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expectAccessible(page);
});

test("an unknown address shows a plain-English page that passes axe", async ({ page, baseURL }) => {
  const res = await page.goto(`${baseURL}/no-such-page`);
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expectAccessible(page);
});
