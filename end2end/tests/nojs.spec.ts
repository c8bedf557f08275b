import { test, expect, expectAccessible, newInvitation } from "../fixtures";

test("without JavaScript the invitation page explains that passkeys need it and shows no dead button", async ({ page }) => {
  await page.goto(newInvitation("No Script Person"));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Set up your passkey");
  await expect(page.getByTestId("passkey-support")).toContainText("Passkeys need JavaScript");
  await expect(page.getByRole("button", { name: "Create a passkey" })).toBeHidden();
  await expectAccessible(page);
});

test("without JavaScript the sign-in page shows no dead button", async ({ page, baseURL }) => {
  await page.goto(`${baseURL}/`);
  await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeHidden();
  await expectAccessible(page);
});
