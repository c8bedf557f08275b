import { test, expect, expectAccessible, newInvitation, addVirtualAuthenticator, signUpWithLink, newClinicianInvitation } from "../fixtures";

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
  // Every page answer from here on, so that if this ever fails again (it has, rarely: an
  // empty page at /today) the report says what the server and the service worker answered.
  const answers: string[] = [];
  page.on("response", (r) => {
    if (r.request().resourceType() !== "document" && !new URL(r.url()).pathname.startsWith("/pkg/")) return;
    const via = r.fromServiceWorker() ? " (service worker)" : "";
    answers.push(`${r.status()} ${new URL(r.url()).pathname} ${r.headers()["location"] ?? ""}${via}`);
  });
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto(new URL("/today", page.url()).href);
  await expect(page.getByRole("heading", { name: "Sign in", exact: true }), `at ${page.url()}; answers: ${answers.join("; ")}`).toBeVisible();
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

test("an administrator makes a sign-up link for a newcomer, and a recovery link that works only once a second person approves it", async ({
  page,
  browser,
}, testInfo) => {
  // Names of their own in each project and each repeat (`--repeat-each`), since the page lists
  // every link of the practice.
  const tag = `${testInfo.project.name} ${testInfo.repeatEachIndex}`;
  const name = `Admin Tester ${tag}`;
  const newcomer = `New Member ${tag}`;
  const colleague = `Second Admin ${tag}`;
  const approver = `Third Admin ${tag}`;
  await addVirtualAuthenticator(page);
  await page.goto(newInvitation(name));
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await expect(page).toHaveURL(/\/today$/);
  newInvitation(newcomer);
  const other = await browser.newContext();
  const colleaguePage = await other.newPage();
  await signUpWithLink(colleaguePage, newInvitation(colleague));
  const third = await browser.newContext();
  const approverPage = await third.newPage();
  await signUpWithLink(approverPage, newInvitation(approver));

  // A newcomer without a passkey gets a sign-up link; nobody is offered a link for themself.
  await page.getByRole("link", { name: "Invitation links" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Invitation links");
  await expect(page.getByRole("cell", { name: newcomer, exact: true })).toBeVisible();
  await expect(page.getByRole("cell", { name, exact: true })).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole("button", { name: `New link for ${newcomer}` }).click();
  const card = page.getByTestId("new-invitation");
  await expect(card).toContainText(`New link for ${newcomer}`);
  await expect(card).toContainText("/invite?token=");
  await expectAccessible(page);
  await page.reload();
  await expect(page.getByTestId("new-invitation")).toHaveCount(0);

  // A colleague who has a passkey gets a recovery link, which waits for a second person.
  await page.getByRole("button", { name: `Recovery link for ${colleague}` }).click();
  const recoveryLink = ((await page.getByTestId("new-invitation").locator("code").textContent()) ?? "").trim();
  expect(recoveryLink).toMatch(/\/invite\?token=/);
  const waiting = page.getByTestId("recovery-links").getByRole("row").filter({ hasText: colleague });
  await expect(waiting).toContainText("Waiting for someone else in the care team");
  await expectAccessible(page);
  const stranger = await browser.newContext();
  const strangerPage = await stranger.newPage();
  await strangerPage.goto(recoveryLink);
  await expect(strangerPage.getByRole("heading", { level: 1 })).toHaveText("This link does not work yet");

  // A second administrator approves it; then it works, and offers to stop the old passkeys.
  await approverPage.goto(page.url());
  await approverPage.getByRole("button", { name: `Approve the link for ${colleague}` }).click();
  await expect(approverPage.locator("#notice")).toContainText("You approved the recovery link");
  await expectAccessible(approverPage);
  await page.reload();
  await expect(page.getByTestId("recovery-links").getByRole("row").filter({ hasText: colleague })).toContainText(`Yes, by ${approver}`);
  await strangerPage.goto(recoveryLink);
  await expect(strangerPage.getByRole("heading", { level: 1 })).toHaveText("Set up your passkey");
  await expect(strangerPage.getByRole("checkbox", { name: "Stop my other passkeys working" })).toBeVisible();
  await expectAccessible(strangerPage);
  await Promise.all([other.close(), third.close(), stranger.close()]);
});

test("a clinician who signs back in starts at Upcoming reviews, where each person is in the cycle", async ({ page }, testInfo) => {
  await addVirtualAuthenticator(page);
  await page.goto(newClinicianInvitation(`Dr Landing ${testInfo.project.name}`));
  await page.getByRole("button", { name: "Create a passkey" }).click();
  await expect(page).toHaveURL(/\/today$/);
  // Signed out, the autofill signs straight back in (see above): this time to the reviews.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  await expect(page).toHaveURL(/\/team\/reviews$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Upcoming reviews");
  await expectAccessible(page);
});
