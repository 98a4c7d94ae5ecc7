/**
 * Backups in the dashboard (issue 14), in Debian's Chromium against the real API server on a
 * real PostgreSQL; only the backup Job is FAKE (PacedFakeOperations): "Back up now" with its
 * progress, the snapshot list (time, kind, orders), a failed backup, and a platform without
 * backups. Screenshots go to the folder printed at the start.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startApiUnderTest, type ApiUnderTest } from "./apiUnderTest";
import { launchChromium, newContext, screenshotDir, seriousAxeViolations, watchConsole } from "./harness";

let browser: Browser;
let shots: string;
const contexts: BrowserContext[] = [];

async function openPage(api: ApiUnderTest): Promise<{ page: Page; errors: string[] }> {
    const context = await newContext(browser, api.baseUrl);
    contexts.push(context);
    const page = await context.newPage();
    return { page, errors: watchConsole(page) };
}

async function signIn(page: Page, token: string) {
    await page.goto("/");
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Stores", level: 1 }).waitFor();
}

/** Creates a store through the API (the dashboard's create form has its own tests) and waits until it is Ready. */
async function readyStore(api: ApiUnderTest, token: string, name: string) {
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const created = await fetch(`${api.baseUrl}/api/v1/stores`, { method: "POST", headers, body: JSON.stringify({ name, admin: { email: `owner@${name}.test` } }) });
    assert.equal(created.status, 202, await created.text());
    for (let i = 0; i < 300; i++) {
        const store = await (await fetch(`${api.baseUrl}/api/v1/stores/${name}`, { headers })).json() as { status: string };
        if (store.status === "Ready") return;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${name} did not become Ready`);
}

async function shot(page: Page, name: string) {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
}

/** Console errors, less the API answers the scenario asked for. */
const unexpected = (errors: string[], statuses: string) => errors.filter((e) => !new RegExp(`the server responded with a status of (${statuses})\\b`).test(e));

before(async () => {
    shots = screenshotDir();
    console.log(`# backup screenshots: ${shots}`);
    browser = await launchChromium();
});

after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
});

describe("dashboard backups in Chromium (FAKE backup Job)", () => {
    let api: ApiUnderTest;
    before(async () => {
        api = await startApiUnderTest({ backups: true, postgresPort: 55480 });
        api.operations.stepMs = 100;
        await readyStore(api, api.tokens.alice, "bk-shop");
        // Each backup step lasts longer than a poll of the events stream (500 ms), so the page can show each one.
        api.operations.stepMs = 800;
    });
    after(async () => {
        await api?.stop();
    });

    test("Back up now: the button waits, the backup's steps show, the new snapshot is listed with time, kind and orders", async () => {
        const { page, errors } = await openPage(api);
        await signIn(page, api.tokens.alice);
        await page.goto("/#/stores/bk-shop");
        const panel = page.locator(".backups");
        await panel.getByRole("heading", { name: "Backups" }).waitFor();
        await panel.getByText("No backups yet.").waitFor();
        await shot(page, "backup-01-none-yet");

        // Every progress line the panel shows, recorded in the page as it changes.
        await page.evaluate(`window.seenProgress = [];
            new MutationObserver(() => {
                const line = document.querySelector(".backups .progress-now")?.textContent?.trim();
                if (line && window.seenProgress.at(-1) !== line) window.seenProgress.push(line);
            }).observe(document.body, { subtree: true, childList: true, characterData: true });`);
        await panel.getByRole("button", { name: "Back up now" }).click();
        const busy = panel.getByRole("button", { name: "Backing up…" });
        await busy.waitFor();
        assert.equal(await busy.isDisabled(), true, "one backup at a time");
        // The running backup's progress line (which step shows depends on how the stream's polls fall).
        await panel.locator(".progress-now").waitFor();
        await shot(page, "backup-02-running");
        assert.equal(await page.locator(".view-header .badge").innerText().then((text) => text.replace(/^\W+/, "").trim()), "Ready", "the store stays Ready while it is backed up");

        const row = panel.locator("table.snapshots tbody tr");
        await row.first().waitFor({ timeout: 15_000 });
        await panel.getByRole("button", { name: "Back up now" }).waitFor();
        assert.equal(await row.count(), 1);
        const cells = await row.first().locator("td").allInnerTexts();
        assert.match(cells[0], /^\d{4}-\d\d-\d\d \d\d:\d\d UTC \(\d+ s ago\)$/);
        assert.equal(cells[1], "Manual");
        assert.equal(cells[2], "3");
        assert.equal(cells[3], "4.1 kB");
        assert.match(cells[4], /^[0-9a-f]{8}$/);
        const seen = await page.evaluate<string[]>("window.seenProgress");
        // Lines that arrive in one poll of the stream show only the last of them: any of the backup's own steps counts.
        assert.ok(seen.some((line) => /dumping the database|uploading the snapshot|applying the retention policy/.test(line)), `progress seen: ${seen.join(" | ")}`);
        assert.ok(!seen.some((line) => /create Namespace/.test(line)), `a backup's progress does not replay the store's creation: ${seen.join(" | ")}`);
        const violations = await seriousAxeViolations(page);
        assert.deepEqual(violations, [], "axe-core: serious or critical violations on the backups panel");
        await shot(page, "backup-03-listed");
        assert.deepEqual(unexpected(errors, "401"), []);
        await page.close();
    });

    test("a failed backup says why (secrets masked); the store stays Ready and can be backed up again", async () => {
        api.operations.stepMs = 50;
        // Both attempts (the test queue retries once) fail.
        api.operations.script.set("bk-shop", ["fail", "fail"]);
        const { page, errors } = await openPage(api);
        await signIn(page, api.tokens.alice);
        await page.goto("/#/stores/bk-shop");
        const panel = page.locator(".backups");
        await panel.getByRole("button", { name: "Back up now" }).click();
        const alert = panel.getByRole("alert");
        await alert.waitFor({ timeout: 20_000 });
        const text = await alert.innerText();
        assert.match(text, /^The last backup failed: .*unreachable \(fake\)/);
        assert.doesNotMatch(text, /hunter2/);
        assert.equal(await page.locator(".view-header .badge").innerText().then((t) => t.replace(/^\W+/, "").trim()), "Ready");
        await shot(page, "backup-04-failed");
        // The list is still there, and a new backup works.
        assert.equal(await panel.locator("table.snapshots tbody tr").count(), 1);
        await panel.getByRole("button", { name: "Back up now" }).click();
        await panel.locator("table.snapshots tbody tr").nth(1).waitFor({ timeout: 15_000 });
        assert.equal(await alert.count(), 0, "the failure notice goes once a backup has succeeded");
        assert.deepEqual(unexpected(errors, "401"), []);
        await page.close();
    });

    test("another owner cannot see the store, nor its backups", async () => {
        const { page } = await openPage(api);
        await signIn(page, api.tokens.bob);
        await page.goto("/#/stores/bk-shop");
        await page.getByText("There is no store by this name among yours").waitFor();
        assert.equal(await page.locator(".backups").count(), 0);
        await page.close();
    });
});

describe("dashboard on a platform without backups", () => {
    let api: ApiUnderTest;
    before(async () => {
        api = await startApiUnderTest({ postgresPort: 55481 });
        api.operations.stepMs = 50;
        await readyStore(api, api.tokens.alice, "plain-shop");
    });
    after(async () => {
        await api?.stop();
    });

    test("the panel says backups are not configured, and offers no Back up now", async () => {
        const { page, errors } = await openPage(api);
        await signIn(page, api.tokens.alice);
        await page.goto("/#/stores/plain-shop");
        await page.getByTestId("backups-not-configured").waitFor();
        assert.equal(await page.getByRole("button", { name: "Back up now" }).count(), 0);
        await shot(page, "backup-05-not-configured");
        assert.deepEqual(unexpected(errors, "401|409"), []);
        await page.close();
    });
});
