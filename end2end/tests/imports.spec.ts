import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import {
  test, expect, expectAccessible, signUpWithLink, newClinicianInvitation, bookReviewAndSendPack, testNhsNumber,
} from "../fixtures";

/** A new patient with a known NHS number, so a lab file can name them; returns the link and number. */
function patientWithNumber(given: string): { link: string; nhs: string } {
  const nhs = testNhsNumber();
  const out = execFileSync(
    process.env.E2E_BIN ?? "",
    ["invite-patient", "--given", given, "--family", "Tester", "--born", "1955-06-01", "--nhs-number", nhs,
      "--organisation", "Riverside Medical Practice", "--condition", "type2_diabetes"],
    { env: JSON.parse(process.env.E2E_SERVER_ENV ?? "{}"), encoding: "utf8" },
  );
  const link = out.match(/https?:\/\/\S+\/invite\?token=\S+/)?.[0];
  if (!link) throw new Error(`no invitation link in: ${out}`);
  return { link, nhs };
}

/**
 * A pathology report in the shape NHS England's messaging sends (written here from the public
 * specification): the Patient, the Specimen that dates the results, an HbA1c, an eGFR given as a
 * bound (">90"), a lipid panel that only groups other results, a total cholesterol (a test
 * Alongside does not show), and the HbA1c amended by the lab later in the same file.
 */
function pathologyReport(nhs: string, collected: string): string {
  const patient = "urn:uuid:5b0a4b9e-3c2f-4f7e-9a1d-2e6c8b7a9d10";
  const specimen = "urn:uuid:8e2d7c6b-1a4f-4e3d-9b8c-7f6e5d4c3b21";
  const observation = (id: string, status: string, coding: object, value: object) => ({
    fullUrl: `urn:uuid:${crypto.randomUUID()}`,
    resource: {
      resourceType: "Observation",
      identifier: [{ system: "https://pathology.example-trust.nhs.uk/result-id", value: id }],
      status,
      category: [{ coding: [{ system: "http://terminology.hl7.org/CodeSystem/observation-category", code: "laboratory" }] }],
      code: { coding: [coding] },
      subject: { reference: patient },
      specimen: { reference: specimen },
      issued: collected,
      performer: [{ display: "Riverside Hospital Pathology" }],
      ...value,
    },
  });
  const ucum = (value: number, unit: string, comparator?: string) => ({
    valueQuantity: { value, unit, system: "http://unitsofmeasure.org", code: unit, ...(comparator ? { comparator } : {}) },
  });
  return JSON.stringify({
    resourceType: "Bundle",
    type: "collection",
    entry: [
      { fullUrl: patient, resource: {
        resourceType: "Patient",
        identifier: [{ system: "https://fhir.nhs.uk/Id/nhs-number", value: nhs }],
        name: [{ family: "Tester", given: ["Iris"] }],
        birthDate: "1955-06-01",
      } },
      { fullUrl: specimen, resource: { resourceType: "Specimen", collection: { collectedDateTime: collected } } },
      observation("R1", "final", { system: "http://loinc.org", code: "4548-4", display: "Hemoglobin A1c" }, ucum(64, "mmol/mol")),
      observation("R2", "final", { system: "http://snomed.info/sct", code: "1011481000000105", display: "eGFR using creatinine (CKD-EPI)" }, ucum(90, "mL/min/{1.73_m2}", ">")),
      observation("R3", "final", { system: "http://loinc.org", code: "57698-3", display: "Lipid panel" }, { hasMember: [{ reference: "urn:uuid:00000000-0000-4000-8000-000000000001" }] }),
      observation("R4", "final", { system: "http://loinc.org", code: "2093-3", display: "Cholesterol [Mass/volume] in Serum or Plasma" }, ucum(4.9, "mmol/L")),
      observation("R1", "amended", { system: "http://loinc.org", code: "4548-4", display: "Hemoglobin A1c" }, ucum(58, "mmol/mol")),
    ],
  });
}

test("a clinician imports a pathology report with a bound, a panel and an amendment, and the person sees one HbA1c and 'more than 90'", async ({ page, browser, baseURL }, testInfo) => {
  const given = `Iris${testInfo.project.name.replace(/[^a-z]/gi, "")}`;
  const { link, nhs } = patientWithNumber(given);
  await signUpWithLink(page, link);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const staff = await context.newPage();
  await signUpWithLink(staff, newClinicianInvitation(`Dr Lab ${given}`));
  await staff.goto(`${baseURL}/team/results/import`);
  const collected = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 19) + "Z";
  await staff.getByLabel("File of results").setInputFiles({
    name: "pathology.json",
    mimeType: "application/fhir+json",
    buffer: Buffer.from(pathologyReport(nhs, collected)),
  });
  await staff.getByRole("button", { name: "Import" }).click();
  await expect(staff.locator("#notice")).toContainText("2 results imported; 1 result corrected");
  const report = staff.getByRole("region", { name: "What this import did" });
  await expect(report.getByText(/HbA1c 64 mmol\/mol, taken on .*, added/)).toBeVisible();
  await expect(report.getByText(/HbA1c 58 mmol\/mol, taken on .*, corrected \(was 64 mmol\/mol\)/)).toBeVisible();
  await expect(report.getByText(/eGFR more than 90/)).toBeVisible();
  await expect(report.getByText(/Lipid panel.*a panel/)).toBeVisible();
  await expect(report.getByText(/Cholesterol.*not something Alongside shows/)).toBeVisible();
  await expectAccessible(staff);
  await context.close();

  await bookReviewAndSendPack(browser, given, `Nurse Lab ${given}`, "Room 4");
  await page.goto(`${baseURL}/results`);
  await expect(page.getByText(/more than 90/).first()).toBeVisible();
  await expectAccessible(page);
  await page.goto(`${baseURL}/results/hba1c`);
  const table = page.getByRole("table", { name: /All your HbA1c/ });
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table).toContainText("58 mmol/mol");
  await expect(table).not.toContainText("64 mmol/mol");
  await expectAccessible(page);

  // The person takes their plan away as a FHIR file: their results go with it, the bound intact.
  await page.goto(`${baseURL}/plan`);
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download your plan as a file other health and care systems can read" }).click();
  const file = await downloading;
  expect(file.suggestedFilename()).toBe("alongside-plan.fhir.json");
  const path = await file.path();
  const bundle = JSON.parse(readFileSync(path, "utf8"));
  expect(bundle.resourceType).toBe("Bundle");
  const observations = bundle.entry.map((e: { resource: any }) => e.resource).filter((r: any) => r.resourceType === "Observation");
  expect(observations.filter((o: any) => o.valueQuantity?.comparator === ">" && o.valueQuantity?.value === 90)).toHaveLength(1);
  const hba1c = observations.filter((o: any) => o.code.coding.some((c: any) => c.code === "4548-4"));
  expect(hba1c.map((o: any) => o.valueQuantity.value)).toEqual([58]);
});
