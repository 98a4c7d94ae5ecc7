/**
 * setup/woostore-setup.sh, tier 1: the real script runs under bash with FAKE `wp`, `curl` and
 * `php` first on PATH (tests/fixtures/setup). The fakes keep a small model of WordPress /
 * WooCommerce state in a temp dir per test and log every call, so these tests check the
 * script's logic: step order, idempotency, failure reporting, response validation, secret
 * masking. They do NOT exercise real WP-CLI, PHP or WooCommerce (see setup/README.md).
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { after, describe, test } from "node:test";

const REPO_ROOT = resolve(__dirname, "..", "..");
const SCRIPT = join(REPO_ROOT, "setup", "woostore-setup.sh");
const FAKES = join(REPO_ROOT, "tests", "fixtures", "setup");
/** Node stand-in for php (the script's JSON reader), used when no real php is installed. */
const PHP_SHIM = join(FAKES, "php-shim");
const PATH_DIRS = (process.env.PATH ?? "/usr/bin:/bin").split(delimiter).filter((d) => d !== "");
const REAL_PHP = PATH_DIRS.map((d) => join(d, "php")).find((p) => existsSync(p));
const TOOLS_DIR = process.env.WOOSTORE_TOOLS_DIR ?? "/var/cache/woostore-tools";

const ADMIN_PASSWORD = "Adm1n*S3cret&pw[x]$HOME";
const DB_PASSWORD = "Db-Pa55word-7f3a9c";
const WC_VERSION = "10.3.5";
const SKU = "woostore-demo";

/** Step names in execution order (the number in "n/10" is the index + 1). */
const STEPS = [
    "check-environment",
    "wait-for-wordpress-files",
    "wait-for-database",
    "install-wordpress",
    "install-woocommerce",
    "configure-store",
    "demo-product",
    "enable-cod",
    "verify-checkout",
    "write-result",
] as const;
type Step = (typeof STEPS)[number];

/** The Job's environment contract (docs/architecture.md), with test values. */
const CONTRACT_ENV: Record<string, string> = {
    STORE_NAME: "shop",
    STORE_URL: "http://shop.localhost",
    STORE_HOST: "shop.localhost",
    WP_INTERNAL_URL: "http://shop-wordpress.store-shop.svc.cluster.local",
    WP_ADMIN_USER: "admin",
    WP_ADMIN_EMAIL: "admin@example.com",
    WP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    STORE_TITLE: "Shop",
    WC_VERSION,
    WP_CORE_TARGET_VERSION: "6.8.3",
    WC_CURRENCY: "USD",
    WC_COUNTRY: "US:CA",
    DEMO_PRODUCT_SKU: SKU,
    TEST_ORDER_POLICY: "trash",
    SETUP_WAIT_SECONDS: "2",
    WORDPRESS_DB_HOST: "shop-mariadb",
    WORDPRESS_DB_USER: "wordpress",
    WORDPRESS_DB_NAME: "wordpress",
    WORDPRESS_DB_PASSWORD: DB_PASSWORD,
};

interface Store {
    dir: string;
    state: string;
    docroot: string;
    terminationLog: string;
}

interface Run {
    code: number | null;
    stdout: string;
    stderr: string;
    /** Every fake wp/curl invocation of this run, in order. */
    calls: string[];
    termination: string | null;
}

const stores: string[] = [];
after(() => {
    for (const dir of stores) rmSync(dir, { recursive: true, force: true });
});

function makeStore(opts: { wordpressFiles?: boolean } = {}): Store {
    const dir = mkdtempSync(join(tmpdir(), "woostore-setup-test-"));
    stores.push(dir);
    const docroot = join(dir, "html");
    mkdirSync(join(docroot, "wp-includes"), { recursive: true });
    if (opts.wordpressFiles !== false) {
        writeFileSync(join(docroot, "wp-includes", "version.php"), "<?php $wp_version = '6.8.3';\n");
        writeFileSync(join(docroot, "wp-config.php"), "<?php // fake\n");
    }
    const state = join(dir, "state");
    mkdirSync(state);
    return { dir, state, docroot, terminationLog: join(dir, "termination-log") };
}

function readCalls(store: Store): string[] {
    const file = join(store.state, "calls.log");
    return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter((l) => l !== "") : [];
}

/** Runs the script once; env values `undefined` remove a variable. */
function runSetup(store: Store, env: Record<string, string | undefined> = {}): Promise<Run> {
    const before = readCalls(store).length;
    const merged: Record<string, string | undefined> = {
        // Fake wp and curl first; php: the real one if installed, else the Node shim.
        PATH: [FAKES, ...(REAL_PHP && !env.WOOSTORE_TEST_PHP_SHIM ? [] : [PHP_SHIM]), ...PATH_DIRS].join(delimiter),
        HOME: store.dir,
        TMPDIR: store.dir,
        LANG: "C.UTF-8",
        FAKE_STATE: store.state,
        WP_DOCROOT: store.docroot,
        TERMINATION_LOG: store.terminationLog,
        SETUP_POLL_SECONDS: "0",
        ...CONTRACT_ENV,
        ...env,
    };
    const childEnv: Record<string, string> = {};
    for (const [k, v] of Object.entries(merged)) if (v !== undefined) childEnv[k] = v;
    if (existsSync(store.terminationLog)) rmSync(store.terminationLog);
    return new Promise((resolveRun, reject) => {
        const child = spawn("bash", [SCRIPT], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => child.kill("SIGKILL"), 120_000); // hang guard only
        child.on("error", reject);
        child.on("close", (code) => {
            clearTimeout(timer);
            resolveRun({
                code,
                stdout,
                stderr,
                calls: readCalls(store).slice(before),
                termination: existsSync(store.terminationLog) ? readFileSync(store.terminationLog, "utf8") : null,
            });
        });
    });
}

function lastLogLine(run: Run): string {
    const lines = run.stderr.split("\n").filter((l) => l.trim() !== "");
    return lines[lines.length - 1] ?? "";
}

function callIndex(calls: string[], prefix: string): number {
    const i = calls.findIndex((c) => c.startsWith(prefix));
    assert.ok(i >= 0, `expected a call starting with "${prefix}" in:\n${calls.join("\n")}`);
    return i;
}

function assertOk(run: Run): void {
    assert.equal(run.code, 0, `setup failed:\n${run.stderr}`);
}

function assertFailedAt(run: Run, step: Step, reason?: RegExp): void {
    assert.notEqual(run.code, 0, `expected a failure at ${step}, got exit 0:\n${run.stderr}`);
    const last = lastLogLine(run);
    const n = STEPS.indexOf(step) + 1;
    assert.match(last, new RegExp(`setup failed at step ${step} \\(${n}/10\\): `), `last log line: ${last}`);
    if (reason) assert.match(last, reason, `last log line: ${last}`);
    // Later steps never started, nothing was reported as a result.
    for (const later of STEPS.slice(n)) assert.ok(!run.stderr.includes(` ${later}\n`), `step ${later} ran after failure`);
    assert.equal(run.stdout, "");
    assert.ok(!run.termination, "no termination result on failure (the log tail is the message)");
}

function stateFile(store: Store, ...path: string[]): string | null {
    const file = join(store.state, ...path);
    return existsSync(file) ? readFileSync(file, "utf8") : null;
}

/** Everything but orders, counters and logs: what a re-run must leave unchanged. */
function durableState(store: Store): Record<string, string> {
    const out: Record<string, string> = {};
    const walk = (dir: string, rel: string): void => {
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
            const r = rel ? `${rel}/${entry.name}` : entry.name;
            if (["orders", "calls.log", "seq", "db_checks", "cart"].includes(r)) continue;
            if (entry.isDirectory()) walk(join(dir, entry.name), r);
            else out[r] = readFileSync(join(dir, entry.name), "utf8");
        }
    };
    walk(store.state, "");
    return out;
}

interface Result {
    woocommerce: string;
    productId: number;
    orderId: number;
    testOrderFinalStatus: string;
}

function result(run: Run): Result {
    assert.ok(run.termination, "termination log written");
    return JSON.parse(run.termination) as Result;
}

describe("setup script (fake wp/curl on PATH)", { concurrency: true }, () => {
    test("setup script (fake wp/curl on PATH): happy path runs the steps in order and writes one JSON line", async () => {
        const store = makeStore();
        const run = await runSetup(store);
        assertOk(run);

        // Step banners in order.
        const banners = [...run.stderr.matchAll(/step (\d+)\/10 ([a-z-]+)/g)].map((m) => `${m[1]} ${m[2]}`);
        assert.deepEqual(banners, STEPS.map((s, i) => `${i + 1} ${s}`));

        // The calls the steps make, in order.
        const order = [
            "wp db check",
            "wp core is-installed",
            "wp core install --url=http://shop.localhost --title=Shop --admin_user=admin",
            "wp core version",
            "wp core update-db",
            `wp plugin install woocommerce --version=${WC_VERSION} --force`,
            "wp plugin activate woocommerce",
            "wp option update woocommerce_onboarding_profile {\"skipped\":true,\"completed\":true} --format=json",
            "wp option update woocommerce_task_list_hidden_lists [\"setup\",\"extended\"] --format=json",
            "wp transient delete _wc_activation_redirect",
            "wp option update woocommerce_coming_soon no",
            "wp option update woocommerce_store_pages_only no",
            "wp option update woocommerce_currency USD",
            "wp option update woocommerce_default_country US:CA",
            "wp option update woocommerce_enable_guest_checkout yes",
            "wp wc tool run install_pages --user=admin",
            "wp rewrite structure /%postname%/",
            "wp rewrite flush",
            `wp wc product list --sku=${SKU} --user=admin --format=ids`,
            `wp wc product create --name=WooStore demo product --type=simple --sku=${SKU} --regular_price=10.00 --virtual=true --status=publish`,
            "wp wc payment_gateway update cod --enabled=true --user=admin",
            "curl GET /wp-json/wc/store/v1/cart host=shop.localhost proto= nonce= token=",
            "curl POST /wp-json/wc/store/v1/cart/add-item host=shop.localhost proto= nonce=nonce-1 token=token-1",
            "curl POST /wp-json/wc/store/v1/checkout host=shop.localhost proto= nonce=nonce-2 token=token-1",
            "wp wc shop_order get",
            "wp wc shop_order delete",
        ];
        const positions = order.map((prefix) => callIndex(run.calls, prefix));
        assert.deepEqual(positions, [...positions].sort((a, b) => a - b), "calls out of order");

        // Result: one JSON line on stdout, the same in the termination log, ids from the store.
        assert.equal(run.stdout.split("\n").filter((l) => l).length, 1);
        assert.equal(run.stdout, run.termination);
        const res = result(run);
        assert.equal(res.woocommerce, WC_VERSION);
        assert.equal(String(res.productId), stateFile(store, "products", SKU));
        assert.ok(Number.isInteger(res.orderId) && res.orderId > 0);
        assert.equal(stateFile(store, "orders", String(res.orderId)), "trash", "default policy trashes the order");
        assert.equal(res.testOrderFinalStatus, "trash");
        assert.equal(stateFile(store, "cod_enabled"), "true");
        assert.equal(stateFile(store, "options", "woocommerce_coming_soon"), "no");
        assert.match(lastLogLine(run), /store shop is ready/);
    });

    test("setup script (fake wp/curl on PATH): a second run is a no-op for state (only a new, trashed verification order)", async () => {
        const store = makeStore();
        const first = await runSetup(store);
        assertOk(first);
        const before = durableState(store);

        const second = await runSetup(store);
        assertOk(second);
        assert.deepEqual(durableState(store), before, "re-run changed WordPress/WooCommerce state");
        for (const mutating of [
            "wp core install",
            "wp core update --",
            "wp plugin install",
            "wp plugin update",
            "wp plugin activate",
            "wp option update",
            "wp option patch",
            "wp rewrite structure",
            "wp wc product create",
            "wp wc product update",
            "wp wc payment_gateway update",
            "wp wc update",
        ]) {
            assert.ok(!second.calls.some((c) => c.startsWith(mutating)), `second run called "${mutating}"`);
        }
        const r1 = result(first);
        const r2 = result(second);
        assert.equal(r2.productId, r1.productId, "same demo product");
        assert.notEqual(r2.orderId, r1.orderId, "a new verification order");
        assert.equal(stateFile(store, "orders", String(r2.orderId)), "trash");
        assert.equal(readdirSync(join(store.state, "products")).length, 1, "no duplicate product");
    });

    test("setup script (fake wp/curl on PATH): WooCommerce at another version is updated to woocommerceVersion, then its database migrated", async () => {
        const store = makeStore();
        assertOk(await runSetup(store, { WC_VERSION: "10.2.0" }));
        assert.equal(stateFile(store, "options", "woocommerce_db_version"), "10.2.0");
        const run = await runSetup(store);
        assertOk(run);
        const update = callIndex(run.calls, `wp plugin update woocommerce --version=${WC_VERSION}`);
        const migrate = callIndex(run.calls, "wp wc update --user=admin");
        assert.ok(update < migrate, "plugin files first, then the database");
        assert.ok(!run.calls.some((c) => c.startsWith("wp plugin install")), "an installed plugin is updated, not reinstalled");
        assert.equal(stateFile(store, "plugin_version"), WC_VERSION);
        assert.equal(stateFile(store, "options", "woocommerce_db_version"), WC_VERSION);
        assert.equal(result(run).woocommerce, WC_VERSION);
    });

    test("setup script (fake wp/curl on PATH): WordPress core older than the image is updated to the image's version, then update-db, before WooCommerce", async () => {
        const store = makeStore();
        const run = await runSetup(store, { FAKE_WP_VERSION: "6.7.2" });
        assertOk(run);
        const install = callIndex(run.calls, "wp core install");
        const update = callIndex(run.calls, "wp core update --version=6.8.3");
        const updateDb = callIndex(run.calls, "wp core update-db");
        const woocommerce = callIndex(run.calls, "wp plugin install woocommerce");
        assert.ok(install < update && update < updateDb && updateDb < woocommerce, `order: ${run.calls.join(" | ")}`);
        assert.equal(stateFile(store, "core_version"), "6.8.3");
        assert.match(run.stderr, /updating WordPress core 6\.7\.2 -> 6\.8\.3/);

        // The next run finds core at the image's version: no update, update-db is the no-op check.
        const again = await runSetup(store, { FAKE_WP_VERSION: "6.7.2" });
        assertOk(again);
        assert.ok(!again.calls.some((c) => c.startsWith("wp core update --")), "second run updated core again");
        assert.match(again.stderr, /WordPress core already at the image's version 6\.8\.3/);
    });

    test("setup script (fake wp/curl on PATH): WordPress core newer than the image is never downgraded", async () => {
        const store = makeStore();
        const run = await runSetup(store, { FAKE_WP_VERSION: "6.8.10" });
        assertOk(run);
        assert.ok(!run.calls.some((c) => c.startsWith("wp core update --")), "core was downgraded");
        callIndex(run.calls, "wp core update-db");
        assert.match(run.stderr, /WordPress core 6\.8\.10 is newer than the image's 6\.8\.3: not downgrading/);
    });

    test("setup script (fake wp/curl on PATH): a failed core update fails step install-wordpress", async () => {
        const store = makeStore();
        const run = await runSetup(store, { FAKE_WP_VERSION: "6.7.2", FAKE_FAIL: "wp core update --version" });
        assert.equal(run.code, 1);
        assert.match(lastLogLine(run), /setup failed at step install-wordpress \(4\/10\): 'wp core update --version=6\.8\.3' exited 1/);
        assert.ok(!run.calls.some((c) => c.startsWith("wp plugin")), "WooCommerce must wait for core");
    });

    test("setup script (fake wp/curl on PATH): WP_CORE_TARGET_VERSION is required and must be a version", async () => {
        for (const [value, reason] of [[undefined, /required environment variable WP_CORE_TARGET_VERSION is not set/], ["latest", /WP_CORE_TARGET_VERSION='latest' is invalid/]] as const) {
            const run = await runSetup(makeStore(), { WP_CORE_TARGET_VERSION: value });
            assert.equal(run.code, 1);
            assert.match(lastLogLine(run), reason);
            assert.match(lastLogLine(run), /check-environment \(1\/10\)/);
        }
    });

    test("setup script (fake wp/curl on PATH): waits for the database, retrying without TLS verification after a MariaDB certificate error", async () => {
        const store = makeStore();
        const run = await runSetup(store, { FAKE_DB_TLS: "1", FAKE_DB_DOWN: "2" });
        assertOk(run);
        assert.deepEqual(
            run.calls.filter((c) => c.startsWith("wp db check")),
            ["wp db check", "wp db check --skip-ssl-verify-server-cert", "wp db check --skip-ssl-verify-server-cert"],
        );
        assert.match(run.stderr, /retrying with --skip-ssl-verify-server-cert/);
        assert.match(run.stderr, /database not reachable yet \(attempt 2\)/);
    });

    test("setup script (fake wp/curl on PATH): a drifted demo product and a switch to https are converged on re-run", async () => {
        const store = makeStore();
        const first = await runSetup(store);
        assertOk(first);
        const id = String(result(first).productId);
        writeFileSync(join(store.state, "product", id, "status"), "draft");
        const run = await runSetup(store, { STORE_URL: "https://shop.localhost" });
        assertOk(run);
        // https store: every Store API call carries the store Host and X-Forwarded-Proto https.
        const curls = run.calls.filter((c) => c.startsWith("curl "));
        assert.equal(curls.length, 3);
        for (const c of curls) assert.match(c, /host=shop\.localhost proto=https /);
        callIndex(run.calls, `wp wc product update ${id} --status=publish --virtual=true`);
        callIndex(run.calls, "wp option update home https://shop.localhost");
        callIndex(run.calls, "wp option update siteurl https://shop.localhost");
        assert.equal(stateFile(store, "product", id, "status"), "publish");
        assert.equal(result(run).productId, Number(id));
    });

    // Every step, made to fail: non-zero exit, the step named in the last log line, no result.
    const failures: { step: Step; what: string; env?: Record<string, string | undefined>; noFiles?: boolean; reason?: RegExp }[] = [
        { step: "check-environment", what: "WC_VERSION unset", env: { WC_VERSION: undefined }, reason: /WC_VERSION is not set/ },
        { step: "check-environment", what: "unknown TEST_ORDER_POLICY", env: { TEST_ORDER_POLICY: "shred" }, reason: /trash, delete or keep/ },
        { step: "check-environment", what: "malformed WC_COUNTRY", env: { WC_COUNTRY: "usa" }, reason: /WC_COUNTRY/ },
        { step: "wait-for-wordpress-files", what: "no version.php", noFiles: true, env: { SETUP_WAIT_SECONDS: "0" }, reason: /WordPress files not found/ },
        { step: "wait-for-database", what: "wp db check fails", env: { FAKE_FAIL: "wp db check", SETUP_WAIT_SECONDS: "0" }, reason: /database not reachable within SETUP_WAIT_SECONDS=0s \(1 attempts of 'wp db check'\)/ },
        { step: "install-wordpress", what: "wp core install fails", env: { FAKE_FAIL: "wp core install" }, reason: /'wp core install .*' exited 1/ },
        { step: "install-woocommerce", what: "wp plugin install fails", env: { FAKE_FAIL: "wp plugin install" }, reason: /wp plugin install woocommerce --version=10\.3\.5 --force' exited 1/ },
        { step: "install-woocommerce", what: "wp plugin activate fails", env: { FAKE_FAIL: "wp plugin activate" } },
        { step: "configure-store", what: "coming-soon option update fails", env: { FAKE_FAIL: "wp option update woocommerce_coming_soon" } },
        { step: "configure-store", what: "install_pages fails", env: { FAKE_FAIL: "wp wc tool run install_pages" } },
        { step: "demo-product", what: "wp wc product create fails", env: { FAKE_FAIL: "wp wc product create" } },
        { step: "enable-cod", what: "wp wc payment_gateway update fails", env: { FAKE_FAIL: "wp wc payment_gateway update" } },
        { step: "enable-cod", what: "COD does not read back enabled", env: { FAKE_COD_STUCK: "1" }, reason: /enabled='false'/ },
        { step: "verify-checkout", what: "Store API unreachable", env: { FAKE_FAIL: "curl GET /wp-json/wc/store/v1/cart" }, reason: /curl GET http:\/\/shop-wordpress\.store-shop\.svc\.cluster\.local\/wp-json\/wc\/store\/v1\/cart \(Host: shop\.localhost\) failed with exit 7/ },
        { step: "verify-checkout", what: "order not confirmed by wp wc shop_order get", env: { FAKE_FAIL: "wp wc shop_order get" } },
        { step: "verify-checkout", what: "trashing the test order fails", env: { FAKE_FAIL: "wp wc shop_order delete" } },
        { step: "write-result", what: "termination log not writable", env: { TERMINATION_LOG: "/nonexistent-dir/termination-log" }, reason: /cannot write the result/ },
    ];

    test("setup script (fake wp/curl on PATH): the failure table covers every step", () => {
        assert.deepEqual([...new Set(failures.map((f) => f.step))], [...STEPS]);
    });

    for (const f of failures) {
        test(`setup script (fake wp/curl on PATH): ${f.step} fails (${f.what}) -> non-zero exit naming the step`, async () => {
            const store = makeStore({ wordpressFiles: !f.noFiles });
            const run = await runSetup(store, f.env);
            assertFailedAt(run, f.step, f.reason);
        });
    }

    test("setup script (fake wp/curl on PATH): checkout response without order_id fails at verify-checkout", async () => {
        const store = makeStore();
        const run = await runSetup(store, { FAKE_CHECKOUT: "no-order-id" });
        assertFailedAt(run, "verify-checkout", /checkout response has no numeric order_id/);
        assert.ok(!run.calls.some((c) => c.startsWith("wp wc shop_order")), "no order lookup without an id");
    });

    test("setup script (fake wp/curl on PATH): checkout with status other than processing fails", async () => {
        const store = makeStore();
        const run = await runSetup(store, { FAKE_CHECKOUT: "status-pending" });
        assertFailedAt(run, "verify-checkout", /status 'pending', expected 'processing'/);
    });

    test("setup script (fake wp/curl on PATH): checkout with a failed payment result fails", async () => {
        const store = makeStore();
        const run = await runSetup(store, { FAKE_CHECKOUT: "payment-failure" });
        assertFailedAt(run, "verify-checkout", /status 'failed'/);
    });

    test("setup script (fake wp/curl on PATH): checkout HTTP error reports the Store API error code", async () => {
        const store = makeStore();
        const run = await runSetup(store, { FAKE_CHECKOUT: "http-500" });
        assertFailedAt(run, "verify-checkout", /checkout returned HTTP 500: woocommerce_rest_unknown_server_error: Critical error\./);
    });

    test("setup script (fake wp/curl on PATH): cart response without Nonce and Cart-Token fails", async () => {
        const store = makeStore();
        const run = await runSetup(store, { FAKE_NO_TOKENS: "1" });
        assertFailedAt(run, "verify-checkout", /neither a Nonce nor a Cart-Token header/);
    });

    test("setup script (fake wp/curl on PATH): TEST_ORDER_POLICY=delete removes the order for good", async () => {
        const store = makeStore();
        const run = await runSetup(store, { TEST_ORDER_POLICY: "delete" });
        assertOk(run);
        const res = result(run);
        callIndex(run.calls, `wp wc shop_order delete ${res.orderId} --force=true --user=admin`);
        assert.equal(stateFile(store, "orders", String(res.orderId)), null);
        assert.equal(res.testOrderFinalStatus, "deleted");
    });

    test("setup script (fake wp/curl on PATH): TEST_ORDER_POLICY=keep leaves the order processing with a note (run with the Node php shim)", async () => {
        const store = makeStore();
        // This run also covers the Node stand-in for php (used where no php is installed).
        const run = await runSetup(store, { TEST_ORDER_POLICY: "keep", WOOSTORE_TEST_PHP_SHIM: "1" });
        assertOk(run);
        const res = result(run);
        assert.ok(!run.calls.some((c) => c.startsWith("wp wc shop_order delete")));
        assert.equal(stateFile(store, "orders", String(res.orderId)), "processing");
        assert.match(stateFile(store, "orders", `${res.orderId}.notes`) ?? "", /TEST_ORDER_POLICY=keep/);
    });

    test("setup script (fake wp/curl on PATH): passwords never appear in the script's output, even when a command echoes them", async () => {
        const ok = await runSetup(makeStore());
        assertOk(ok);
        // The fake wp did receive the admin password (wp core install argument)...
        assert.ok(ok.calls.some((c) => c.includes(`--admin_password=${ADMIN_PASSWORD}`)));
        // ...but the script's own logging never shows it.
        for (const secret of [ADMIN_PASSWORD, DB_PASSWORD]) {
            assert.ok(!ok.stderr.includes(secret) && !ok.stdout.includes(secret), "secret in happy-path output");
        }
        // The injected failure message repeats the whole command line, password included.
        const failed = await runSetup(makeStore(), { FAKE_FAIL: "wp core install" });
        assertFailedAt(failed, "install-wordpress");
        assert.ok(!failed.stderr.includes(ADMIN_PASSWORD), `password leaked:\n${failed.stderr}`);
        assert.match(failed.stderr, /--admin_password=\*\*\*/);
        assert.ok(!failed.stdout.includes(ADMIN_PASSWORD));
    });
});

describe("setup script helpers (php shim vs real php)", () => {
    test("setup script JSON reader: the Node php shim agrees with real php", { skip: REAL_PHP ? false : "no php binary on PATH" }, () => {
        const dir = mkdtempSync(join(tmpdir(), "woostore-json-"));
        stores.push(dir);
        const docs: Record<string, string> = {
            checkout: '{"order_id":123,"status":"processing","payment_result":{"payment_status":"success","payment_details":[]},"customer_note":"a\\nb","total":10.5,"zero":0,"t":true,"f":false,"n":null}',
            list: '[{"id":7},{"id":8}]',
            scalar: "42",
            broken: "{not json",
            empty: "",
        };
        const paths = ["order_id", "status", "payment_result.payment_status", "payment_result.payment_details", "customer_note", "total", "zero", "t", "f", "n", "missing", "payment_result.missing.deeper", "0.id", "1"];
        for (const [name, content] of Object.entries(docs)) {
            const file = join(dir, `${name}.json`);
            writeFileSync(file, content);
            const outputs = [dirname(REAL_PHP as string), PHP_SHIM].map((phpDir) => {
                const r = spawnSync("bash", ["-c", `source "$1"; shift; json_query "$@"`, "_", SCRIPT, file, ...paths], {
                    env: { PATH: [phpDir, ...PATH_DIRS].join(delimiter) },
                    encoding: "utf8",
                });
                return { status: r.status, stdout: r.stdout };
            });
            assert.deepEqual(outputs[1], outputs[0], `fake and real php differ for ${name}`);
        }
    });
});

describe("setup script lint", () => {
    test("setup script: shellcheck clean (script and bash fakes), with the project's shellcheck", () => {
        const shellcheck = join(TOOLS_DIR, "bin", "shellcheck");
        assert.ok(
            existsSync(shellcheck),
            `${shellcheck} missing: run \`bash scripts/install-tools.sh\` (installs shellcheck into the tools dir)`,
        );
        const r = spawnSync(shellcheck, ["--shell=bash", "--severity=style", SCRIPT, join(FAKES, "wp"), join(FAKES, "curl")], {
            encoding: "utf8",
        });
        assert.equal(r.status, 0, `shellcheck findings:\n${r.stdout}${r.stderr}`);
    });
});
