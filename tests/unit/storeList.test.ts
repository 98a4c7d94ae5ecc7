import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { formatProblem } from "../../components/problems";
import { quotaFit, resolveStore, storeEntrySchema, validateStoreList } from "../../components/storeList";
import { minimalConfig, PROJECT_DIR, stackConfig } from "../helpers/config";

const config = minimalConfig();

/** A valid entry to build bad ones from (line numbers below count from `stores:` = line 1). */
const entry = (name: string, extra = "") => `  - name: ${name}\n    admin:\n      email: owner@example.com\n${extra}`;

interface BadCase {
    title: string;
    yaml: string;
    /** Every expected problem: its line, its store (if any) and text it must contain. */
    expected: { line: number; store?: string; text: string }[];
}

const badCases: BadCase[] = [
    { title: "YAML syntax error", yaml: "stores:\n  - name: [shop\n", expected: [{ line: 3, text: "YAML syntax error" }] },
    { title: "tab indentation", yaml: "stores:\n\t- name: shop\n", expected: [{ line: 2, text: "YAML syntax error" }] },
    { title: "duplicate key in an entry", yaml: "stores:\n  - name: shop\n    name: other\n    admin: {email: a@example.com}\n", expected: [{ line: 3, text: "duplicate key" }] },
    { title: "stores is not a list", yaml: "stores: shop\n", expected: [{ line: 1, text: "\"stores\" must be a list" }] },
    { title: "missing stores key", yaml: "shops: []\n", expected: [{ line: 1, text: "unknown key \"shops\"" }, { line: 1, text: "\"stores\" is required" }] },
    { title: "unknown top-level key", yaml: `stores:\n${entry("shop")}extra: 1\n`, expected: [{ line: 5, text: "unknown key \"extra\"" }] },
    { title: "unknown key in an entry, with a suggestion", yaml: `stores:\n${entry("shop", "    protekt: true\n")}`, expected: [{ line: 5, store: "shop", text: "did you mean \"protect\"" }] },
    { title: "unknown key nested in admin", yaml: "stores:\n  - name: shop\n    admin:\n      email: a@example.com\n      mail: b@example.com\n", expected: [{ line: 5, store: "shop", text: "unknown key \"mail\"" }] },
    { title: "missing name", yaml: "stores:\n  - admin:\n      email: a@example.com\n", expected: [{ line: 2, text: "\"name\" is required" }] },
    { title: "missing admin email", yaml: "stores:\n  - name: shop\n    admin: {}\n", expected: [{ line: 3, store: "shop", text: "\"email\" is required" }] },
    { title: "name with capitals and underscore", yaml: `stores:\n${entry("Shop_1")}`, expected: [{ line: 2, store: "Shop_1", text: "not a DNS-1123 label" }] },
    { title: "name starting with a digit", yaml: `stores:\n${entry("1shop")}`, expected: [{ line: 2, store: "1shop", text: "not a DNS-1123 label" }] },
    { title: "over-long name", yaml: `stores:\n${entry("s".repeat(41))}`, expected: [{ line: 2, store: "s".repeat(41), text: "longer than 40" }] },
    { title: "name of wrong type", yaml: "stores:\n  - name: 42\n    admin: {email: a@example.com}\n", expected: [{ line: 2, text: "name must be text, got the number 42 — quote it" }] },
    { title: "invalid e-mail", yaml: "stores:\n  - name: shop\n    admin: {email: not-an-email}\n", expected: [{ line: 3, store: "shop", text: "not an e-mail address" }] },
    { title: "invalid host", yaml: `stores:\n${entry("shop", "    host: Shop.Example.com\n")}`, expected: [{ line: 5, store: "shop", text: "has capital letters" }] },
    { title: "duplicate name", yaml: `stores:\n${entry("shop")}${entry("shop")}`, expected: [{ line: 5, store: "shop", text: "duplicate store name" }] },
    { title: "duplicate host via explicit host", yaml: `stores:\n${entry("a", "    host: same.localhost\n")}${entry("b", "    host: same.localhost\n")}`, expected: [{ line: 9, store: "b", text: "duplicate host \"same.localhost\"" }] },
    { title: "explicit host equal to another store's default host", yaml: `stores:\n${entry("a")}${entry("b", "    host: a.localhost\n")}`, expected: [{ line: 8, store: "b", text: "duplicate host \"a.localhost\"" }] },
    { title: "bad currency", yaml: `stores:\n${entry("shop", "    woocommerce: {currency: usd}\n")}`, expected: [{ line: 5, store: "shop", text: "ISO 4217" }] },
    { title: "bad country", yaml: `stores:\n${entry("shop", "    woocommerce: {country: USA}\n")}`, expected: [{ line: 5, store: "shop", text: "did you mean US (United States of America)?" }] },
    { title: "bad CPU quantity", yaml: `stores:\n${entry("shop", "    quota: {cpu: 2Gi}\n")}`, expected: [{ line: 5, store: "shop", text: "not a CPU quantity" }] },
    { title: "bad memory quantity", yaml: `stores:\n${entry("shop", "    quota: {memory: lots}\n")}`, expected: [{ line: 5, store: "shop", text: "not a memory/storage quantity" }] },
    { title: "quota above its bound", yaml: `stores:\n${entry("shop", "    quota:\n      cpu: \"9\"\n")}`, expected: [{ line: 6, store: "shop", text: "above the bound 4" }] },
    { title: "container limit above its bound", yaml: `stores:\n${entry("shop", "    quota: {cpu: \"4\", memory: 4Gi}\n    container:\n      limits: {memory: 3Gi}\n")}`, expected: [{ line: 7, store: "shop", text: "above the bound 2Gi" }, { line: 7, store: "shop", text: "above the per-container maximum" }] },
    { title: "request above limit", yaml: `stores:\n${entry("shop", "    container:\n      requests: {cpu: 600m}\n")}`, expected: [{ line: 6, store: "shop", text: "above its limit" }] },
    { title: "quota too small for the store's containers", yaml: `stores:\n${entry("shop", "    quota: {cpu: \"1\"}\n")}`, expected: [{ line: 5, store: "shop", text: "cannot hold the store's 4 pods at their limits (WordPress, MariaDB, setup Job, WP-Cron Job: 2" }] },
    { title: "quota storage smaller than the volumes", yaml: `stores:\n${entry("shop", "    quota: {storage: 1Gi}\n")}`, expected: [{ line: 5, store: "shop", text: "smaller than the store's volumes (2Gi)" }] },
    { title: "unknown egress mode", yaml: `stores:\n${entry("shop", "    egress: all\n")}`, expected: [{ line: 5, store: "shop", text: "must be \"web\" or \"none\"" }] },
    { title: "container memory too small for two PHP workers", yaml: `stores:\n${entry("shop", "    container:\n      requests: {memory: 128Mi}\n      limits: {memory: 256Mi}\n")}`, expected: [{ line: 7, store: "shop", text: "leaves room for 1 PHP worker(s) of 128M" }] },
    { title: "protect is not a boolean", yaml: `stores:\n${entry("shop", "    protect: \"yes\"\n")}`, expected: [{ line: 5, store: "shop", text: "protect must be a boolean" }] },
];

describe("stores.yaml validation: bad input", () => {
    it(`has at least 20 bad-input cases (${badCases.length})`, () => assert.ok(badCases.length >= 20));
    for (const badCase of badCases) {
        it(`reports ${badCase.title} with line and store`, () => {
            const { stores, problems } = validateStoreList(badCase.yaml, "stores.yaml", config);
            assert.deepEqual(stores, [], "nothing is returned to build from");
            for (const expected of badCase.expected) {
                const match = problems.find((problem) => formatProblem(problem).includes(expected.text));
                assert.ok(match, `no problem mentions ${JSON.stringify(expected.text)}; got:\n${problems.map(formatProblem).join("\n")}`);
                assert.equal(match.line, expected.line, formatProblem(match));
                assert.ok(match.col > 0, "has a column");
                assert.equal(match.store, expected.store, formatProblem(match));
                assert.ok(match.hint.length > 0, "says how to fix it");
                assert.match(formatProblem(match), /^stores\.yaml:\d+:\d+ /);
            }
        });
    }

    it("reports every problem at once, across entries, in file order", () => {
        const yaml = `stores:\n${entry("Bad_One")}${entry("ok", "    woocommerce: {currency: eur}\n")}${entry("ok")}`;
        const { problems } = validateStoreList(yaml, "stores.yaml", config);
        assert.deepEqual(problems.map((problem) => [problem.line, problem.store]), [[2, "Bad_One"], [8, "ok"], [9, "ok"]]);
    });
});

describe("stores.yaml validation: good input", () => {
    it("the repository's stores.yaml is valid for dev and prod", () => {
        const text = fs.readFileSync(path.join(PROJECT_DIR, "stores.yaml"), "utf8");
        for (const stack of ["dev", "prod"] as const) {
            const { stores, problems } = validateStoreList(text, "stores.yaml", stackConfig(stack));
            assert.deepEqual(problems, []);
            assert.ok(stores.length >= 2);
        }
    });

    it("resolves defaults: host from the domain, http in dev, https in prod, protect from the stack", () => {
        const parsed = storeEntrySchema.parse({ name: "shop", admin: { email: "a@example.com" } });
        const dev = resolveStore(parsed, stackConfig("dev"));
        assert.equal(dev.host, "shop.localhost");
        assert.equal(dev.url, "http://shop.localhost");
        assert.equal(dev.protect, false);
        assert.deepEqual(dev.quota, { cpu: "2", memory: "2Gi", storage: "2Gi", ephemeralStorage: "4Gi", pods: 10, persistentVolumeClaims: 4 });
        assert.equal(dev.egress, "web");
        assert.equal(dev.acmeSolver, false);
        assert.deepEqual(dev.container.requests, { cpu: "250m", memory: "256Mi" });
        assert.deepEqual(dev.container.limits, { cpu: "500m", memory: "512Mi" });
        const prod = resolveStore(parsed, stackConfig("prod"));
        assert.equal(prod.url, "https://shop.store.example.com");
        assert.equal(prod.protect, true);
        assert.equal(prod.quota.cpu, "4");
        assert.equal(prod.acmeSolver, true, "prod issues certificates through cert-manager");
    });

    it("merges a store's overrides over the stack defaults, key by key", () => {
        const parsed = storeEntrySchema.parse({ name: "shop", admin: { email: "a@example.com" }, quota: { cpu: "3" }, container: { limits: { memory: "640Mi" } }, protect: true });
        const store = resolveStore(parsed, minimalConfig());
        assert.deepEqual(store.quota, { cpu: "3", memory: "2Gi", storage: "2Gi", ephemeralStorage: "4Gi", pods: 10, persistentVolumeClaims: 4 });
        assert.deepEqual(store.container.limits, { cpu: "500m", memory: "640Mi" });
        assert.equal(store.protect, true);
    });

    it("a store's egress overrides the stack's", () => {
        const parsed = storeEntrySchema.parse({ name: "shop", admin: { email: "a@example.com" }, egress: "none" });
        assert.equal(resolveStore(parsed, minimalConfig()).egress, "none");
        assert.equal(resolveStore(storeEntrySchema.parse({ name: "shop", admin: { email: "a@example.com" } }), minimalConfig({ egress: "none" })).egress, "none");
        assert.equal(resolveStore(storeEntrySchema.parse({ name: "shop", admin: { email: "a@example.com" }, egress: "web" }), minimalConfig({ egress: "none" })).egress, "web");
    });

    it("the default quota holds WordPress, MariaDB, the setup Job and the WP-Cron Job at their limits, and both volumes", () => {
        const store = resolveStore(storeEntrySchema.parse({ name: "shop", admin: { email: "a@example.com" } }), minimalConfig());
        assert.deepEqual(quotaFit(store), []);
    });
});
