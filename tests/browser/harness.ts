/**
 * What the browser tests drive: Debian's Chromium through playwright-core (no browser download),
 * axe-core injected from node_modules, console errors collected per page, and screenshots
 * written to a folder the tests print.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Where scripts/install-tools.sh puts Chromium (apt-get install chromium). */
export const CHROMIUM = process.env.WOOSTORE_CHROMIUM ?? "/usr/bin/chromium";

export const CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function launchChromium(): Promise<Browser> {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM} — run bash scripts/install-tools.sh (apt-get install chromium)`);
    // launch() gives every run a fresh, temporary profile (its own --user-data-dir).
    return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** Console errors and uncaught page errors, per page, for the "no console errors" check. */
export function watchConsole(page: Page): string[] {
    const errors: string[] = [];
    page.on("console", (message) => {
        if (message.type() === "error") errors.push(`${message.text()} (${message.location().url})`);
    });
    page.on("pageerror", (error) => errors.push(`uncaught: ${error.message}`));
    return errors;
}

export async function newContext(browser: Browser, baseURL: string, viewport = { width: 1280, height: 860 }): Promise<BrowserContext> {
    const context = await browser.newContext({ baseURL, viewport, colorScheme: "light", reducedMotion: "reduce" });
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: baseURL });
    return context;
}

const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: string[] }

/**
 * Runs axe-core in the page (evaluated through the DevTools protocol, so the server's CSP, which
 * allows no inline script, still applies to the page itself) and returns the serious and
 * critical violations.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
    await page.evaluate(AXE_SOURCE);
    // A string, so this module needs no DOM types (tier-2 tests import it under the root tsconfig).
    const violations = await page.evaluate<AxeViolation[]>(`axe.run(document, { resultTypes: ["violations"] }).then((result) =>
        result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) })))`);
    return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

export function screenshotDir(): string {
    const dir = process.env.WOOSTORE_SCREENSHOTS ?? fs.mkdtempSync(path.join(os.tmpdir(), "woostore-dashboard-screenshots-"));
    fs.mkdirSync(dir, { recursive: true });
    return dir;
}
