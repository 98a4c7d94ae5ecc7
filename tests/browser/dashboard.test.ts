/**
 * The dashboard in Debian's Chromium against the API (issue 12): sign in, create a store and
 * watch it become Ready, credentials, delete, bad input at the fields, the rate limit's
 * countdown, ownership, the 375 px layout, axe-core, console errors and the first load's size.
 * Screenshots of every view go to the folder printed at the start.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import * as zlib from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { startApiUnderTest, type ApiUnderTest } from "./apiUnderTest";
import { launchChromium, newContext, screenshotDir, seriousAxeViolations, watchConsole } from "./harness";

const FIRST_LOAD_BUDGET_BYTES = 200 * 1024;
const README_SCREENSHOT = path.join(__dirname, "../../docs/images/dashboard.png");

let api: ApiUnderTest;
let browser: Browser;
let shots: string;
const consoleErrors: string[] = [];
const contexts: BrowserContext[] = [];

async function openPage(viewport?: { width: number; height: number }): Promise<Page> {
    const context = await newContext(browser, api.baseUrl, viewport);
    contexts.push(context);
    const page = await context.newPage();
    const errors = watchConsole(page);
    page.on("close", () => consoleErrors.push(...errors));
    (page as Page & { errors?: string[] }).errors = errors;
    return page;
}

async function signIn(page: Page, token: string) {
    await page.goto("/");
    await page.getByLabel("API token").fill(token);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: "Stores", level: 1 }).waitFor();
}

async function shot(page: Page, name: string) {
    const file = path.join(shots, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
}

async function assertAccessible(page: Page, view: string) {
    const violations = await seriousAxeViolations(page);
    assert.deepEqual(violations, [], `axe-core: serious or critical violations on ${view}`);
}

async function fillCreateForm(page: Page, fields: { name: string; email: string; title?: string; user?: string; currency?: string; country?: string }) {
    await page.getByLabel("Name", { exact: true }).fill(fields.name);
    if (fields.title) await page.getByLabel("Title (optional)").fill(fields.title);
    await page.getByLabel("Admin e-mail").fill(fields.email);
    if (fields.user) await page.getByLabel("Admin user (optional)").fill(fields.user);
    if (fields.currency) await page.getByLabel("Currency (optional)").fill(fields.currency);
    if (fields.country) await page.getByLabel("Country (optional)").fill(fields.country);
}

function pageErrors(page: Page): string[] {
    return (page as Page & { errors?: string[] }).errors ?? [];
}

/** Records every status the detail's badge and every line its progress shows, as they change. */
const RECORD_STATUS_AND_PROGRESS = `
    window.seenStatuses = [];
    window.seenProgress = [];
    new MutationObserver(() => {
        const badge = document.querySelector(".view-header .badge")?.textContent?.replace(/^\\W+/, "").trim();
        const progress = document.querySelector(".progress-now")?.textContent?.trim();
        if (badge && window.seenStatuses.at(-1) !== badge) window.seenStatuses.push(badge);
        if (progress && window.seenProgress.at(-1) !== progress) window.seenProgress.push(progress);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
`;

/** Console errors a page logged, less the API answers the scenario itself asked for (e.g. a 404). */
function unexpectedErrors(errors: string[], expectedStatuses = "401|404|409|422"): string[] {
    return errors.filter((e) => !new RegExp(`the server responded with a status of (${expectedStatuses})\\b`).test(e));
}

before(async () => {
    shots = screenshotDir();
    console.log(`# dashboard screenshots: ${shots}`);
    browser = await launchChromium();
});

after(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
});

describe("dashboard in Chromium", () => {
    before(async () => {
        api = await startApiUnderTest();
        api.addListedStore("catalog");
    });

    after(async () => {
        await api?.stop();
    });

    test("first load transfers at most 200 KiB of gzipped JS and CSS", async () => {
        const page = await openPage();
        const assets: { url: string; gzipped: number }[] = [];
        const pending: Promise<void>[] = [];
        page.on("response", (response) => {
            const type = response.request().resourceType();
            if (type === "script" || type === "stylesheet") {
                pending.push(response.body().then((body) => { assets.push({ url: response.url(), gzipped: zlib.gzipSync(body, { level: 9 }).length }); }));
            }
        });
        await page.goto("/");
        await page.getByLabel("API token").waitFor();
        await Promise.all(pending);
        const total = assets.reduce((sum, a) => sum + a.gzipped, 0);
        console.log(`# first load: ${assets.length} JS/CSS files, ${(total / 1024).toFixed(1)} KiB gzipped (budget ${FIRST_LOAD_BUDGET_BYTES / 1024} KiB)`);
        assert.ok(assets.some((a) => a.url.endsWith(".js")) && assets.some((a) => a.url.endsWith(".css")), "the page loads its script and stylesheet");
        assert.ok(total <= FIRST_LOAD_BUDGET_BYTES, `first load ${total} bytes gzipped is over the budget`);
        await page.close();
    });

    test("sign in: a wrong token is refused at the field, the right one shows the empty state; sign-out is one click", async () => {
        const page = await openPage();
        await page.goto("/");
        await assertAccessible(page, "sign-in");
        await shot(page, "01-sign-in");
        await page.getByLabel("API token").fill("wst_not-a-token");
        await page.keyboard.press("Enter");
        await page.getByText("The API did not accept this token").waitFor();
        assert.equal(await page.getByLabel("API token").getAttribute("aria-invalid"), "true");
        await shot(page, "02-sign-in-refused");

        await page.getByLabel("API token").fill(api.tokens.alice);
        await page.keyboard.press("Enter");
        await page.getByRole("heading", { name: "No stores yet" }).waitFor();
        assert.equal(await page.evaluate(() => sessionStorage.getItem("woostore.token")), api.tokens.alice);
        await assertAccessible(page, "empty store list");
        await shot(page, "03-empty-state");

        await page.getByRole("button", { name: "Sign out" }).click();
        await page.getByLabel("API token").waitFor();
        assert.equal(await page.evaluate(() => sessionStorage.getItem("woostore.token")), null);
        await page.close();
    });

    test("bad input shows errors at the fields, as you type and from the API (409, 422)", async () => {
        const page = await openPage();
        await signIn(page, api.tokens.alice);
        await page.getByRole("link", { name: "Create your first store" }).click();
        await page.getByRole("heading", { name: "New store" }).waitFor();

        // As you type: the same wording as the API's store entry schema.
        await page.getByLabel("Name", { exact: true }).fill("My Shop");
        await page.getByLabel("Admin e-mail").fill("owner@");
        await page.getByLabel("Currency (optional)").fill("usd");
        await page.getByText('name "My Shop" is not a DNS-1123 label').waitFor();
        await page.getByText('"owner@" is not an e-mail address').waitFor();
        await page.getByText('currency "usd" is not an ISO 4217 code').waitFor();
        assert.equal(await page.getByLabel("Name", { exact: true }).getAttribute("aria-invalid"), "true");
        await assertAccessible(page, "create form with errors");
        await shot(page, "04-create-form-errors");

        // Submitting with problems sends nothing and puts focus on the first bad field.
        let posts = 0;
        page.on("request", (request) => { if (request.method() === "POST" && request.url().endsWith("/api/v1/stores")) posts++; });
        await page.getByRole("button", { name: "Create store" }).click();
        assert.equal(await page.evaluate(() => document.activeElement?.id), "field-name");
        assert.equal(posts, 0);

        // The API's own 422: the request is changed on its way out (as a client with other
        // rules would send it), and the real answer's problems land at their fields.
        await fillCreateForm(page, { name: "shop-two", email: "owner@example.com", currency: "EUR" });
        await page.route("**/api/v1/stores", async (route) => {
            if (route.request().method() !== "POST") return route.fallback();
            const body = JSON.parse(route.request().postData() ?? "{}") as Record<string, unknown>;
            await route.continue({ postData: JSON.stringify({ ...body, woocommerce: { currency: "euro", country: "DE" } }) });
        });
        await page.getByRole("button", { name: "Create store" }).click();
        const currencyError = page.locator('[data-field="woocommerce.currency"]');
        await currencyError.waitFor();
        assert.match(await currencyError.innerText(), /currency "euro" is not an ISO 4217 code — write three capital letters/);
        assert.equal(await page.evaluate(() => document.activeElement?.id), "field-woocommerce-currency");
        await page.unroute("**/api/v1/stores");
        assert.deepEqual(unexpectedErrors(pageErrors(page), "422"), []);
        await page.close();
    });

    test("create a store and watch it go Queued → Provisioning → Ready, with the setup step shown", async () => {
        const page = await openPage();
        await signIn(page, api.tokens.alice);
        await page.getByRole("link", { name: "New store" }).first().click();
        await fillCreateForm(page, { name: "shop-one", title: "Shop One", email: "owner@example.com", country: "DE" });
        // Every status the badge and every line the progress shows, recorded in the page as they change.
        // (A string, not a function: tsx would wrap the inner arrow in a helper the page lacks.)
        await page.evaluate(RECORD_STATUS_AND_PROGRESS);
        // The operation waits at the WooCommerce step until the page has been checked there.
        const release = api.holdAtSetupStep("shop-one");
        await page.getByRole("button", { name: "Create store" }).click();
        await page.getByRole("heading", { name: /Shop One|shop-one/, level: 1 }).waitFor();
        await page.locator(".progress-now", { hasText: /installing WooCommerce \(5\/10\)/ }).waitFor({ timeout: 30_000 });
        assert.match(await page.locator(".view-header .badge").innerText(), /Provisioning/);
        await shot(page, "05-store-provisioning");
        await assertAccessible(page, "store detail while provisioning");
        release();
        await page.locator(".view-header .badge", { hasText: "Ready" }).waitFor({ timeout: 30_000 });
        const { seenStatuses, seenProgress } = await page.evaluate(() => {
            const record = window as unknown as { seenStatuses: string[]; seenProgress: string[] };
            return { seenStatuses: record.seenStatuses, seenProgress: record.seenProgress };
        });
        const seen = new Set(seenStatuses);
        const progress = new Set(seenProgress);
        assert.ok(seen.has("Ready"), `the store became Ready (saw ${[...seen].join(", ")})`);
        assert.ok(seen.has("Provisioning"), `Provisioning was shown (saw ${[...seen].join(", ")})`);
        assert.ok([...progress].some((p) => /installing WooCommerce \(5\/10\)/.test(p)), `the setup step was shown (saw ${[...progress].join(" | ")})`);
        assert.deepEqual(seenStatuses.filter((status) => ["Queued", "Provisioning", "Ready"].includes(status)).slice(-2), ["Provisioning", "Ready"], `status order: ${seenStatuses.join(" → ")}`);
        await page.getByRole("link", { name: /shop-one\.|http/ }).first().waitFor();
        await shot(page, "06-store-ready");
        await page.close();
    });

    test("a taken name: the API's 409 is shown at the name field", async () => {
        const page = await openPage();
        await signIn(page, api.tokens.alice);
        await page.goto("/#/new");
        await fillCreateForm(page, { name: "shop-one", email: "owner@example.com" });
        await page.getByRole("button", { name: "Create store" }).click();
        const nameError = page.locator('[data-field="name"]');
        await nameError.waitFor();
        assert.match(await nameError.innerText(), /the name "shop-one" is taken/);
        assert.equal(await page.getByLabel("Name", { exact: true }).getAttribute("aria-invalid"), "true");
        await shot(page, "06b-name-taken");
        assert.deepEqual(unexpectedErrors(pageErrors(page), "409"), []);
        await page.close();
    });

    test("a failed store shows the reason and Retry; after Retry it becomes Ready", async () => {
        api.failCreations("shop-fail");
        const page = await openPage();
        await signIn(page, api.tokens.alice);
        await page.goto("/#/new");
        await fillCreateForm(page, { name: "shop-fail", email: "owner@example.com" });
        await page.getByRole("button", { name: "Create store" }).click();
        const failed = page.getByRole("heading", { name: "Provisioning failed" });
        await failed.waitFor({ timeout: 45_000 });
        assert.match(await page.locator(".reason").innerText(), /setup Job failed/);
        assert.equal(await page.getByRole("button", { name: "Show credentials" }).count(), 0, "no credentials while Failed");
        await assertAccessible(page, "failed store");
        await shot(page, "06c-store-failed");
        await page.getByRole("button", { name: "Retry" }).click();
        await page.locator(".view-header .badge", { hasText: "Ready" }).waitFor({ timeout: 45_000 });
        assert.equal(await failed.count(), 0);
        await page.close();
    });

    test("credentials: shown on request only when Ready, copied, hidden again on navigation", async () => {
        const page = await openPage();
        await signIn(page, api.tokens.alice);
        await page.getByRole("link", { name: "shop-one", exact: true }).click();
        await page.getByRole("button", { name: "Show credentials" }).click();
        const password = await page.getByTestId("admin-password").innerText();
        assert.ok(password.length >= 8, "a password is shown");
        assert.equal(await page.getByTestId("admin-user").innerText(), "admin");
        await page.getByRole("button", { name: "Copy password" }).click();
        await page.getByText("Copied").waitFor();
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), password);
        await assertAccessible(page, "store detail with credentials");
        await shot(page, "07-credentials");

        await page.getByRole("link", { name: "Stores", exact: true }).first().click();
        await page.getByRole("heading", { name: "Stores", level: 1 }).waitFor();
        await page.getByRole("link", { name: "shop-one", exact: true }).click();
        await page.getByRole("button", { name: "Show credentials" }).waitFor();
        assert.equal(await page.getByTestId("admin-password").count(), 0, "the password is hidden after navigating away");
        assert.equal(await page.content().then((html) => html.includes(password)), false);
        await page.close();
    });

    test("another owner's store is not visible; an admin sees it with its owner", async () => {
        const bob = await openPage();
        await signIn(bob, api.tokens.bob);
        await bob.getByRole("heading", { name: "No stores yet" }).waitFor();
        assert.equal(await bob.locator("tr[data-store]").count(), 0, "bob sees none of alice's stores, nor stores.yaml's");
        await bob.goto("/#/stores/shop-one");
        await bob.getByText("There is no store by this name among yours").waitFor();
        await shot(bob, "08-other-owner-not-found");
        assert.deepEqual(unexpectedErrors(pageErrors(bob), "404"), []);
        await bob.close();

        const admin = await openPage();
        await signIn(admin, api.tokens.admin);
        const row = admin.locator('tr[data-store="shop-one"]');
        await row.waitFor();
        assert.match(await row.innerText(), /alice/);
        // The stores.yaml store: listed for admins, read-only, no Delete.
        const listed = admin.locator('tr[data-store="catalog"]');
        assert.match(await listed.innerText(), /Read-only \(stores\.yaml\)/);
        assert.equal(await listed.getByRole("button").count(), 0);
        await assertAccessible(admin, "store list (admin)");
        await shot(admin, "09-store-list-admin");
        // The README's picture: the admin's list, with owners and a stores.yaml store.
        if (process.env.WOOSTORE_UPDATE_README_SCREENSHOT === "1") {
            fs.mkdirSync(path.dirname(README_SCREENSHOT), { recursive: true });
            await admin.screenshot({ path: README_SCREENSHOT, clip: { x: 0, y: 0, width: 1280, height: 380 } });
        }
        await admin.close();
    });

    test("the store list, keyboard only: tab order reaches the store, Enter opens it, focus is visible", async () => {
        const page = await openPage();
        await signIn(page, api.tokens.alice);
        await shot(page, "10-store-list");
        const order: string[] = [];
        for (let i = 0; i < 12; i++) {
            await page.keyboard.press("Tab");
            const focused = await page.evaluate(() => {
                const el = document.activeElement as HTMLElement | null;
                if (!el) return { text: "", outline: "none" };
                return { text: (el.getAttribute("aria-label") ?? el.textContent ?? "").trim(), outline: getComputedStyle(el).outlineStyle };
            });
            order.push(focused.text);
            assert.notEqual(focused.outline, "none", `focus is visible on "${focused.text}"`);
            if (focused.text === "shop-one") break;
        }
        assert.deepEqual(order.slice(0, 5), ["Skip to content", "WooStore", "Stores", "New store", "Sign out"]);
        assert.equal(order.at(-1), "shop-one", `tab order: ${order.join(" → ")}`);
        await page.keyboard.press("Enter");
        await page.getByRole("button", { name: "Show credentials" }).waitFor();
        await page.close();
    });

    test("usable at 375 px: no sideways scrolling, the store is a card with its actions", async () => {
        const page = await openPage({ width: 375, height: 740 });
        await signIn(page, api.tokens.alice);
        await page.locator('tr[data-store="shop-one"]').waitFor();
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 0, `the list scrolls sideways by ${overflow}px`);
        assert.ok(await page.getByRole("button", { name: "Delete shop-one" }).isVisible());
        await assertAccessible(page, "store list at 375 px");
        await shot(page, "11-store-list-375px");
        await page.getByRole("link", { name: "New store" }).first().click();
        await page.getByLabel("Admin e-mail").waitFor();
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth));
        await shot(page, "12-create-form-375px");
        await page.goto("/#/stores/shop-one");
        await page.getByRole("button", { name: "Show credentials" }).waitFor();
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth));
        await shot(page, "13-store-detail-375px");
        await page.close();
    });

    test("dark scheme: the store list and a store pass axe-core's contrast checks", async () => {
        const context = await browser.newContext({ baseURL: api.baseUrl, viewport: { width: 1280, height: 860 }, colorScheme: "dark" });
        contexts.push(context);
        const page = await context.newPage();
        const errors = watchConsole(page);
        await signIn(page, api.tokens.admin);
        await page.locator('tr[data-store="shop-one"]').waitFor();
        assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), "rgb(18, 20, 23)");
        await assertAccessible(page, "store list, dark");
        await shot(page, "12b-store-list-dark");
        await page.getByRole("link", { name: "shop-fail", exact: true }).click();
        await page.getByRole("button", { name: "Show credentials" }).waitFor();
        await assertAccessible(page, "store detail, dark");
        await page.close();
        consoleErrors.push(...errors);
    });

    test("nothing refreshes while every store is Ready", async () => {
        const page = await openPage();
        await signIn(page, api.tokens.alice);
        await page.locator('tr[data-store="shop-one"]').waitFor();
        let requests = 0;
        page.on("request", (request) => { if (request.url().includes("/api/")) requests++; });
        await page.waitForTimeout(5000);
        assert.equal(requests, 0, "the list made requests while every store was Ready");
        await page.close();
    });

    test("delete: the dialog asks for the typed name, then the store goes away", async () => {
        const page = await openPage();
        await signIn(page, api.tokens.alice);
        await page.getByRole("link", { name: "shop-one", exact: true }).click();
        const opener = page.getByRole("button", { name: "Delete store…" });
        await opener.click();
        const dialog = page.getByRole("dialog", { name: "Delete shop-one?" });
        await dialog.waitFor();
        // Escape closes it and focus goes back to the button that opened it.
        assert.equal(await page.evaluate(() => document.activeElement?.id), "confirm-name", "focus starts in the name field");
        await page.keyboard.press("Escape");
        await dialog.waitFor({ state: "detached" });
        assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Delete store…");
        await page.keyboard.press("Enter");
        await dialog.waitFor();
        const confirm = dialog.getByRole("button", { name: "Delete store" });
        assert.equal(await confirm.isDisabled(), true);
        await dialog.getByLabel("Store name").fill("shop-on");
        assert.equal(await confirm.isDisabled(), true, "a wrong name does not enable Delete");
        await dialog.getByLabel("Store name").fill("shop-one");
        await assertAccessible(page, "delete dialog");
        await shot(page, "14-delete-dialog");
        await confirm.click();
        await page.getByRole("heading", { name: "Stores", level: 1 }).waitFor();
        await page.locator('tr[data-store="shop-one"]').waitFor({ state: "detached", timeout: 30_000 });
        await page.locator('tr[data-store="shop-fail"]').waitFor();
        await page.close();
    });

    test("no console errors on any page (besides the API answers the scenarios asked for)", () => {
        assert.deepEqual(unexpectedErrors(consoleErrors), []);
    });
});

describe("dashboard rate limit in Chromium", () => {
    let limited: ApiUnderTest;
    let page: Page;
    before(async () => {
        // A server of its own, so the counters start empty and no other scenario is limited.
        limited = await startApiUnderTest();
        const context = await newContext(browser, limited.baseUrl);
        contexts.push(context);
        page = await context.newPage();
        (page as Page & { errors?: string[] }).errors = watchConsole(page);
    });
    after(async () => {
        await page?.context().close();
        await limited?.stop();
    });

    test("the sixth creation within a minute shows a countdown from Retry-After", async () => {
        await page.goto("/");
        await page.getByLabel("API token").fill(limited.tokens.alice);
        await page.keyboard.press("Enter");
        await page.getByRole("heading", { name: "Stores", level: 1 }).waitFor();
        for (let i = 1; i <= 6; i++) {
            await page.goto("/#/new");
            await fillCreateForm(page, { name: `burst-${i}`, email: "owner@example.com" });
            await page.getByRole("button", { name: "Create store" }).click();
            if (i <= 5) await page.getByRole("heading", { name: `burst-${i}`, level: 1 }).waitFor();
        }
        const countdown = page.getByTestId("countdown");
        await countdown.waitFor();
        const first = Number((await countdown.innerText()).replace(/\D/g, ""));
        assert.ok(first > 0 && first <= 60, `countdown starts within the minute (${first} s)`);
        assert.equal(await page.getByRole("button", { name: "Create store" }).isDisabled(), true);
        await assertAccessible(page, "create form, rate limited");
        await shot(page, "15-rate-limited");
        await page.waitForTimeout(2100);
        const later = Number((await countdown.innerText()).replace(/\D/g, ""));
        assert.ok(later <= first - 2, `the countdown counts down (${first} s, then ${later} s)`);
        assert.deepEqual(unexpectedErrors(pageErrors(page), "429"), []);
    });
});
