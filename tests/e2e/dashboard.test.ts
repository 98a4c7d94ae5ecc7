/**
 * Tier 2: the dashboard in Debian's Chromium against `npm run serve` as a real process (embedded
 * PostgreSQL, pg-boss workers, the fleet's per-store stacks through the real Pulumi CLI and
 * providers) on the testbed's kube-apiserver with KWOK nodes. No fakes: a store created in the
 * page becomes Ready with its URL shown, and deleting it in the page removes its namespace.
 */
import assert from "node:assert/strict";
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { PROJECT_DIR } from "../../automation/workspace";
import { launchChromium, screenshotDir, seriousAxeViolations, watchConsole } from "../browser/harness";
import { Fleet } from "./fleetHarness";
import { Cluster, eventually, kubectlJson, loadTestbedEnv, startCluster } from "./testbed";

const STEP = { timeout: 20 * 60 * 1000 };
const CLUSTER_PORT_BASE = 47600;
const API_PORT = 47690;
const POSTGRES_PORT = 47691;
const ADMIN_TOKEN = `wst_e2e-dashboard-${process.pid}-admin-token-0000000000`;
const STORE = "dash-e2e";

describe("dashboard on the testbed: a store created in the page becomes Ready (real npm run serve, Pulumi, kube-apiserver)", () => {
    let cluster: Cluster;
    let fleet: Fleet;
    let server: ChildProcess;
    let serverLog = "";
    let browser: Browser;
    let page: Page;
    let consoleErrors: string[];
    const shots = screenshotDir();

    before(async () => {
        loadTestbedEnv();
        if (!fs.existsSync(path.join(PROJECT_DIR, "dashboard", "dist", "index.html"))) {
            execFileSync("npm", ["run", "build"], { cwd: PROJECT_DIR, stdio: "inherit" });
        }
        cluster = startCluster("dashboard", CLUSTER_PORT_BASE);
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-dashboard-state-"));
        fleet = new Fleet(`e2edash${process.pid}`, cluster, `file://${backend}`);
        // The embedded PostgreSQL lives in the fleet's ~/.woostore; run as root, initdb runs as
        // the postgres user, which must be able to reach it.
        fs.mkdirSync(fleet.home, { recursive: true });
        for (const dir of [fleet.dir, fleet.home]) fs.chmodSync(dir, 0o755);
        server = spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "server", "serve.ts"), "--stack", fleet.stack, "--listen", `127.0.0.1:${API_PORT}`], {
            cwd: PROJECT_DIR,
            env: { ...fleet.env(), WOOSTORE_ADMIN_TOKEN: ADMIN_TOKEN, WOOSTORE_POSTGRES_PORT: String(POSTGRES_PORT), WOOSTORE_LOG_LEVEL: "warn" },
            stdio: ["ignore", "pipe", "pipe"],
        });
        server.stdout?.on("data", (chunk: Buffer) => { serverLog += chunk.toString(); });
        server.stderr?.on("data", (chunk: Buffer) => { serverLog += chunk.toString(); });
        try {
            await eventually("npm run serve listening", 180, async () => {
                if (server.exitCode !== null) throw new Error(`npm run serve exited ${server.exitCode}`);
                return /listening on/.test(serverLog);
            });
        } catch (error) {
            throw new Error(`${(error as Error).message}:\n${serverLog}`);
        }
        browser = await launchChromium();
        const context = await browser.newContext({ baseURL: `http://127.0.0.1:${API_PORT}`, viewport: { width: 1280, height: 860 } });
        page = await context.newPage();
        consoleErrors = watchConsole(page);
        console.log(`# dashboard e2e screenshots: ${shots}`);
    }, STEP);

    after(async () => {
        try {
            await browser?.close();
            if (server && server.exitCode === null) {
                const exited = new Promise((resolve) => server.once("exit", resolve));
                server.kill("SIGTERM");
                await exited;
            }
        } finally {
            fleet?.dispose();
            cluster?.down();
        }
    });

    it("signs in, creates a store in the page, and the store becomes Ready with its URL shown", STEP, async () => {
        await page.goto("/");
        await page.getByLabel("API token").fill(ADMIN_TOKEN);
        await page.keyboard.press("Enter");
        await page.getByRole("heading", { name: "No stores yet" }).waitFor();
        await page.getByRole("link", { name: "Create your first store" }).click();
        await page.getByLabel("Name", { exact: true }).fill(STORE);
        await page.getByLabel("Admin e-mail").fill("owner@dash-e2e.example.com");
        await page.getByRole("button", { name: "Create store" }).click();
        await page.getByRole("heading", { name: STORE, level: 1 }).waitFor();
        // Progress from the real engine's events, e.g. "create Namespace store-dash-e2e".
        await page.locator(".progress-now", { hasText: /^create \S+/ }).waitFor({ timeout: 10 * 60 * 1000 });
        await page.screenshot({ path: path.join(shots, "e2e-provisioning.png"), fullPage: true });
        await page.locator(".view-header .badge", { hasText: /Ready|Failed/ }).waitFor({ timeout: 15 * 60 * 1000 });
        const status = await page.locator(".view-header .badge").innerText();
        assert.match(status, /Ready/, `the store ended ${status}: ${await page.locator(".reason").innerText().catch(() => "")}\n${serverLog.slice(-4000)}`);
        const link = page.getByRole("link", { name: `http://${STORE}.localhost` });
        await link.waitFor();
        assert.equal(await link.getAttribute("href"), `http://${STORE}.localhost`);
        // The credentials come from the store's real stack (generated by @pulumi/random).
        await page.getByRole("button", { name: "Show credentials" }).click();
        assert.equal(await page.getByTestId("admin-user").innerText(), "admin");
        assert.ok((await page.getByTestId("admin-password").innerText()).length >= 16, "a generated password is shown");
        assert.deepEqual(await seriousAxeViolations(page), []);
        await page.screenshot({ path: path.join(shots, "e2e-ready.png"), fullPage: true });
        await page.getByRole("button", { name: "Hide" }).click();
    });

    it("deletes the store in the page: it leaves the list and its namespace is gone", STEP, async () => {
        await page.getByRole("button", { name: "Delete store…" }).click();
        await page.getByLabel("Store name").fill(STORE);
        await page.getByRole("button", { name: "Delete store", exact: true }).click();
        await page.getByRole("heading", { name: "Stores", level: 1 }).waitFor();
        await page.getByRole("heading", { name: "No stores yet" }).waitFor({ timeout: 15 * 60 * 1000 });
        await eventually(`namespace store-${STORE} gone`, 120, async () => {
            const namespaces = await kubectlJson<{ items: { metadata: { name: string } }[] }>(cluster, ["get", "namespaces"]);
            return !namespaces.items.some((ns) => ns.metadata.name === `store-${STORE}`);
        });
        assert.deepEqual(consoleErrors.filter((e) => !/status of (404|409)\b/.test(e)), []);
    });
});
