import { test, expect, expectAccessible, newInvitation, addVirtualAuthenticator } from "../fixtures";

test("a newcomer signs up from an invitation with a passkey, signs out and signs back in", async ({ page }, testInfo) => {
  const name = `Pat Tester ${testInfo.project.name}`;
  const link = newInvitation(name);
  const { cdp, authenticatorId } = await addVirtualAuthenticator(page);

  await page.goto(link);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Set up your passkey");
  await expect(page.getByText(`This invitation is for ${name}.`)).toBeVisible();
  await expectAccessible(page);
  await page.getByLabel("Name this passkey (optional)").fill("My test device");
  await page.getByRole("button", { name: "Create a passkey" }).click();

  await expect(page).toHaveURL(/\/today$/);
  await expect(page.getByText(`Hello, ${name}.`)).toBeVisible();
  await expectAccessible(page);
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0].isResidentCredential, "a discoverable passkey, for usernameless sign-in").toBe(true);

  // Signed out, the sign-in page offers the passkey in the browser's autofill (conditional
  // mediation). Chromium's virtual authenticator answers such a request at once, as if the
  // person had picked their passkey from the list, so this signs straight back in.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await expect(page).toHaveURL(/\/today$/);
  await expect(page.getByText(`Hello, ${name}.`)).toBeVisible();

  // Where a browser offers no autofill, the button does the same.
  await page.addInitScript(() => {
    PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto(new URL("/today", page.url()).href);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await expect(page.getByLabel("Your passkey")).toBeHidden();
  await expectAccessible(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/today$/);
  await expect(page.getByText(`Hello, ${name}.`)).toBeVisible();

  await page.getByRole("link", { name: "Your passkeys" }).click();
  await expect(page.getByRole("heading", { level: 2, name: "My test device" })).toBeVisible();
  await expect(page.getByText("This is your only passkey, so you cannot remove it.")).toBeVisible();
  await expectAccessible(page);

  await page.goto(new URL("/account/devices", page.url()).href);
  await expect(page.getByText("(this device)")).toBeVisible();
  await expectAccessible(page);

  // The invitation cannot be used twice.
  await page.goto(link);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("This invitation has already been used");
  await expectAccessible(page);
});

test("an unknown invitation link gets a plain-English page", async ({ page, baseURL }) => {
  await page.goto(`${baseURL}/invite?token=not-a-real-token`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("This invitation link does not work");
  await expectAccessible(page);
});

test("the recovery page explains itself and passes axe", async ({ page, baseURL }) => {
  await page.goto(`${baseURL}/recover`);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Use a recovery code");
  await expect(page.getByRole("button", { name: "Set up a new passkey" })).toBeVisible();
  await expectAccessible(page);
});

test("a care-team administrator makes a new invitation link for someone", async ({ page }, testInfo) => {
  const name = `Admin Tester ${testInfo.project.name}`;
  await addVirtualAuthenticator(page);
  await page.goto(newInvitation(name));
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await expect(page).toHaveURL(/\/today$/);

  await page.getByRole("link", { name: "Invitation links" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Invitation links");
  await expect(page.getByRole("cell", { name, exact: true })).toBeVisible();
  await expectAccessible(page);

  await page.getByRole("button", { name: `New link for ${name}` }).click();
  const card = page.getByTestId("new-invitation");
  await expect(card).toContainText(`New link for ${name}`);
  await expect(card).toContainText("/invite?token=");
  await expectAccessible(page);
  await page.reload();
  await expect(page.getByTestId("new-invitation")).toHaveCount(0);
});
