/**
 * The fleet (one stack per store): fingerprints, planning, the per-store program's refusal,
 * the record cache (stale and missing), lock messages, progress output and `npm run up` flags.
 * Pure logic: no Pulumi CLI. The stack tags are a fake `readTag` here, named as such.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { parseMigrateArgs } from "../../automation/migrate";
import { parseUpArgs, UsageError } from "../../automation/up";
import { loadProgramInputs, storesOfStack } from "../../components/program";
import { InputError } from "../../components/problems";
import { ownershipProblem, parseStackName, storeStackName } from "../../components/stackLayout";
import { canonicalJson, fingerprint, FingerprintParts } from "../../fleet/fingerprint";
import { describeLock, parseLockError } from "../../fleet/locks";
import { countWithChildren, storeComponents } from "../../fleet/migrate";
import { decodeRecord, DesiredStore, encodeRecord, ExistingStoreStack, planFleet, unknownSelections } from "../../fleet/plan";
import { FleetProgress } from "../../fleet/progress";
import { defaultParallelStores, resolveRecords, sameConfig } from "../../fleet/run";
import { fleetDir, prepareFleetDir, programVersion } from "../../fleet/workspace";
import { PROJECT_DIR } from "../helpers/config";

const parts = (overrides: Partial<FingerprintParts> = {}): FingerprintParts => ({
    store: { name: "shop", quota: { cpu: "2" } },
    stackConfig: { "woostore:domain": { value: "localhost", secret: false }, "woostore:smtp.password": { value: "s3cret", secret: true } },
    chartDigest: "abc",
    setupChecksum: "def",
    programVersion: "0.1.0+123",
    ...overrides,
});

describe("fleet: fingerprints", () => {
    it("are stable under key order and change with each of their parts", () => {
        const base = fingerprint(parts());
        assert.equal(fingerprint(parts({ store: { quota: { cpu: "2" }, name: "shop" } })), base);
        assert.notEqual(fingerprint(parts({ store: { name: "shop", quota: { cpu: "3" } } })), base);
        assert.notEqual(fingerprint(parts({ chartDigest: "abd" })), base);
        assert.notEqual(fingerprint(parts({ setupChecksum: "deg" })), base);
        assert.notEqual(fingerprint(parts({ programVersion: "0.1.1+123" })), base);
        assert.notEqual(fingerprint(parts({ stackConfig: { ...parts().stackConfig, "woostore:domain": { value: "example.com", secret: false } } })), base);
        assert.notEqual(fingerprint(parts({ stackConfig: { ...parts().stackConfig, "woostore:smtp.password": { value: "other", secret: true } } })), base, "a changed secret changes the fingerprint");
    });

    it("never carry a secret value", () => {
        assert.doesNotMatch(fingerprint(parts()), /s3cret/);
        assert.match(fingerprint(parts()), /^[0-9a-f]{32}$/);
    });

    it("canonical JSON sorts keys at every level and drops undefined", () => {
        assert.equal(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } }), '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
    });
});

const desired = (name: string, fp = `fp-${name}`, protect = false): DesiredStore => ({ name, fingerprint: fp, protect });
const existingStack = (store: string, record: ExistingStoreStack["record"]): ExistingStoreStack => ({ stack: `dev.${store}`, store, record });
const stackOf = (store: string) => storeStackName("dev", store);

describe("fleet: planning", () => {
    it("creates new stores, updates changed and failed ones, leaves unchanged ones alone and deletes removed ones", () => {
        const plan = planFleet(
            [desired("new"), desired("same"), desired("changed", "fp-2"), desired("failed"), desired("untagged")],
            [
                existingStack("same", { fingerprint: "fp-same", result: "succeeded", source: "stores.yaml" }),
                existingStack("changed", { fingerprint: "fp-1", result: "succeeded", source: "stores.yaml" }),
                existingStack("failed", { fingerprint: "fp-failed", result: "failed", source: "stores.yaml" }),
                existingStack("untagged", {}),
                existingStack("gone", { fingerprint: "x", result: "succeeded", source: "stores.yaml" }),
            ],
            stackOf,
        );
        assert.deepEqual(plan.map((p) => [p.store, p.action]), [
            ["changed", "update"], ["failed", "update"], ["gone", "delete"], ["new", "create"], ["same", "unchanged"], ["untagged", "update"],
        ]);
        assert.equal(plan.find((p) => p.store === "new")?.stack, "dev.new");
        assert.equal(plan.find((p) => p.store === "failed")?.why, "its last update failed");
    });

    it("refuses to delete a protected store and never deletes a store the API created", () => {
        const plan = planFleet([], [
            existingStack("kept", { fingerprint: "x", result: "succeeded", protect: true, source: "stores.yaml" }),
            existingStack("api-shop", { fingerprint: "x", result: "succeeded", source: "api" }),
        ], stackOf);
        assert.deepEqual(plan.map((p) => [p.store, p.action]), [["kept", "refuse"]]);
        assert.match(plan[0].why, /protected/);
    });

    it("--all updates every existing store, --refresh refreshes them and creates or deletes nothing, --store selects", () => {
        const existing = [existingStack("a", { fingerprint: "fp-a", result: "succeeded" }), existingStack("b", { fingerprint: "fp-b", result: "succeeded" }), existingStack("old", { result: "succeeded" })];
        const all = planFleet([desired("a"), desired("b")], existing, stackOf, { all: true });
        assert.deepEqual(all.map((p) => p.action), ["update", "update", "delete"]);
        const refresh = planFleet([desired("a"), desired("b")], existing, stackOf, { refresh: true });
        assert.deepEqual(refresh.map((p) => p.action), ["refresh", "refresh", "skip"]);
        const refreshWithNew = planFleet([desired("a"), desired("b"), desired("new")], existing, stackOf, { refresh: true });
        assert.deepEqual(refreshWithNew.map((p) => [p.store, p.action]), [["a", "refresh"], ["b", "refresh"], ["new", "skip"], ["old", "skip"]], "the drift check never creates a store");
        assert.match(refreshWithNew.find((p) => p.store === "new")!.why, /not deployed yet; --refresh does not create/);
        const only = planFleet([desired("a", "changed"), desired("b", "changed")], existing, stackOf, { only: ["b"] });
        assert.deepEqual(only.map((p) => [p.store, p.action]), [["a", "skip"], ["b", "update"], ["old", "skip"]]);
        assert.deepEqual(unknownSelections(["b", "nope"], [desired("a"), desired("b")], existing), ["nope"]);
    });

    it("the stack record round-trips through its tag and a damaged tag reads as no record", () => {
        const record = { fingerprint: "f", result: "failed" as const, source: "api" as const, protect: true };
        assert.deepEqual(decodeRecord(encodeRecord(record)), record);
        assert.ok(encodeRecord(record).length <= 256, "Pulumi stack tag values are at most 256 characters");
        assert.deepEqual(decodeRecord("{not json"), {});
        assert.deepEqual(decodeRecord(undefined), {});
    });
});

describe("fleet: the record cache is only a cache (fake readTag)", () => {
    const summaries = [
        { name: "dev.a", lastUpdate: "2026-11-26T10:00:00Z", resourceCount: 19 },
        { name: "dev.b", lastUpdate: "2026-11-26T11:00:00Z", resourceCount: 19 },
    ];
    const tags: Record<string, string> = {
        "dev.a": encodeRecord({ fingerprint: "tag-a", result: "succeeded" }),
        "dev.b": encodeRecord({ fingerprint: "tag-b", result: "failed" }),
    };

    it("a current cache answers without reading any tag", async () => {
        const reads: string[] = [];
        const cache = { stacks: Object.fromEntries(summaries.map((s) => [s.name, { record: { fingerprint: `cached-${s.name}`, result: "succeeded" as const }, lastUpdate: s.lastUpdate, resourceCount: s.resourceCount }])) };
        const { records } = await resolveRecords(summaries, cache, async (stack) => { reads.push(stack); return tags[stack]; });
        assert.deepEqual(reads, []);
        assert.equal(records.get("dev.a")?.fingerprint, "cached-dev.a");
    });

    it("a stale entry (the stack was updated since, e.g. by hand) is replaced by the stack's tag", async () => {
        const reads: string[] = [];
        const cache = { stacks: { "dev.a": { record: { fingerprint: "old", result: "succeeded" as const }, lastUpdate: "2026-11-25T00:00:00Z", resourceCount: 19 } } };
        const { records, index } = await resolveRecords(summaries, cache, async (stack) => { reads.push(stack); return tags[stack]; });
        assert.deepEqual(reads.sort(), ["dev.a", "dev.b"]);
        assert.equal(records.get("dev.a")?.fingerprint, "tag-a");
        assert.equal(records.get("dev.b")?.result, "failed");
        assert.equal(index.stacks["dev.a"].lastUpdate, summaries[0].lastUpdate, "the fresh cache records what it saw");
    });

    it("a missing cache reads every tag; a stack the cache knows but the backend does not is dropped", async () => {
        const cache = { stacks: { "dev.ghost": { record: { fingerprint: "x", result: "succeeded" as const }, lastUpdate: "t", resourceCount: 1 } } };
        const { records, index } = await resolveRecords(summaries, cache, async (stack) => tags[stack]);
        assert.deepEqual([...records.keys()].sort(), ["dev.a", "dev.b"]);
        assert.equal(index.stacks["dev.ghost"], undefined);
    });
});

describe("fleet: per-store stacks run only their own store", () => {
    const config = { "woostore:domain": "localhost", "woostore:storeList": "stores.yaml", "woostore:stackLayout": "perStore" };

    it("stack names carry the base stack and the store", () => {
        assert.deepEqual(parseStackName("dev.demo-shop"), { base: "dev", store: "demo-shop" });
        assert.deepEqual(parseStackName("prod"), { base: "prod" });
        assert.equal(storeStackName("prod", "bakery"), "prod.bakery");
    });

    it("a per-store stack registers exactly its store", () => {
        const inputs = storesOfStack(loadProgramInputs(PROJECT_DIR, "dev.bakery", config), "dev.bakery");
        assert.deepEqual(inputs.stores.map((s) => s.name), ["bakery"]);
    });

    it("a per-store stack whose store is not in the list refuses to run, saying why and what to do", () => {
        assert.throws(() => storesOfStack(loadProgramInputs(PROJECT_DIR, "dev.closed-shop", config), "dev.closed-shop"), (error: Error) => {
            assert.ok(error instanceof InputError);
            assert.match(error.message, /stack "dev\.closed-shop" owns store "closed-shop", which is not in the store list; it refuses to run/);
            assert.match(error.message, /npm run up -- --stack dev/);
            return true;
        });
    });

    it("a per-store stack of the self-service API registers the store entry from its config", () => {
        const apiConfig = { ...config, "woostore:apiStore": JSON.stringify({ name: "api-shop", admin: { email: "o@api-shop.example.com" }, title: "From the API" }) };
        const inputs = storesOfStack(loadProgramInputs(PROJECT_DIR, "dev.api-shop", apiConfig), "dev.api-shop");
        assert.deepEqual(inputs.stores.map((s) => [s.name, s.title, s.host]), [["api-shop", "From the API", "api-shop.localhost"]]);
    });

    it("an API store entry is refused when invalid, for another store, or also in the store list", () => {
        const withEntry = (stack: string, entry: unknown) => () => storesOfStack(loadProgramInputs(PROJECT_DIR, stack, { ...config, "woostore:apiStore": JSON.stringify(entry) }), stack);
        assert.throws(withEntry("dev.api-shop", { name: "api-shop", admin: { email: "nope" } }), /the API's store entry is invalid: admin\.email: "nope" is not an e-mail address/);
        assert.throws(withEntry("dev.api-shop", { name: "other", admin: { email: "o@x.example.com" } }), /the API's store entry is for "other"/);
        assert.throws(withEntry("dev.bakery", { name: "bakery", admin: { email: "o@x.example.com" } }), /store "bakery" is in the store list too/);
    });

    it("the base stack of a perStore layout registers nothing and says where the stores are", () => {
        assert.match(ownershipProblem("dev", "perStore", ["a"])!.message, /its stores live in one stack each \(dev\.<store>\)/);
        assert.match(ownershipProblem("dev.a", "single", ["a"])!.hint, /npm run migrate -- --stack dev --to single/);
        assert.equal(ownershipProblem("dev", "single", ["a"]), undefined);
        assert.equal(ownershipProblem("dev.a", "perStore", ["a"]), undefined);
    });
});

describe("fleet: locks", () => {
    const error = "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
        "  file:///home/x/.woostore/state/.pulumi/locks/woostore/dev.shop/0a1b.json: created by root@builder (pid 4242) at 2026-11-26T10:00:00Z";

    it("a fresh lock is left alone with a clear message", () => {
        const holders = parseLockError(error)!;
        assert.deepEqual(holders.map((h) => [h.user, h.host, h.pid]), [["root", "builder", 4242]]);
        const text = describeLock("dev.shop", holders, 60 * 60_000, "pulumi cancel --yes --stack dev.shop", new Date("2026-11-26T10:05:00Z"));
        assert.match(text, /stack dev\.shop is locked by root@builder \(pid 4242\) since 2026-11-26T10:00:00\.000Z: another operation is running on this store; it was left alone/);
        assert.doesNotMatch(text, /pulumi cancel/);
    });

    it("a lock older than the configured age is called stale and comes with the exact recovery command", () => {
        const text = describeLock("dev.shop", parseLockError(error)!, 60 * 60_000, "pulumi cancel --yes --stack dev.shop", new Date("2026-11-26T13:00:00Z"));
        assert.match(text, /since 2026-11-26T10:00:00\.000Z \(3 h ago, older than 60 min\): probably left by a crashed run/);
        assert.match(text, /remove the lock with: pulumi cancel --yes --stack dev\.shop$/);
    });

    it("other errors are not lock errors", () => {
        assert.equal(parseLockError("error: update failed"), undefined);
    });
});

describe("fleet: progress", () => {
    it("off a TTY prints one plain line per state change with the counts", () => {
        const lines: string[] = [];
        const progress = new FleetProgress({ write: (t) => lines.push(t), isTTY: false }, ["a", "b"]);
        progress.set("a", "running", "create");
        progress.detail("a", "creating Namespace a-ns"); // in-flight detail is not printed off a TTY
        progress.set("a", "ready", "Ready");
        progress.set("b", "failed", "setup failed at step install-woocommerce (5/10)");
        assert.deepEqual(lines, [
            "[queued 1 · running 1 · Ready 0 · Failed 0 · unchanged 0]  a: running — create\n",
            "[queued 1 · running 0 · Ready 1 · Failed 0 · unchanged 0]  a: ready — Ready\n",
            "[queued 0 · running 0 · Ready 1 · Failed 1 · unchanged 0]  b: failed — setup failed at step install-woocommerce (5/10)\n",
        ]);
    });

    it("on a TTY draws one live line per store in flight and redraws in place", () => {
        let screen = "";
        const progress = new FleetProgress({ write: (t) => { screen += t; }, isTTY: true, columns: 80 }, ["a", "b", "c"]);
        progress.set("a", "running");
        progress.set("b", "running");
        progress.detail("b", "creating Job b-setup");
        progress.finish();
        assert.match(screen, /\[queued 1 · running 2 · Ready 0 · Failed 0 · unchanged 0\]\n {2}a: starting\n {2}b: creating Job b-setup\n$/);
        progress.set("a", "ready");
        progress.finish();
        assert.match(screen, /\x1b\[3A\x1b\[0J\[queued 1 · running 1 · Ready 1/, "the second frame moves up over the first");
    });
});

describe("npm run up: flags", () => {
    it("parses the fleet flags", () => {
        const options = parseUpArgs(["--stack", "prod", "--store", "a", "--store", "b", "--parallel-stores", "4", "--parallel", "16", "--json", "--all", "--lock-stale-after", "30"]);
        assert.equal(options.stack, "prod");
        assert.deepEqual(options.only, ["a", "b"]);
        assert.equal(options.parallelStores, 4);
        assert.equal(options.pulumiParallel, 16);
        assert.equal(options.json, true);
        assert.equal(options.all, true);
        assert.equal(options.lockStaleAfterMinutes, 30);
    });

    it("reports every argument mistake at once, with the usage", () => {
        assert.throws(() => parseUpArgs(["--stack", "--parallel-stores", "0", "--bogus", "--store"]), (error: Error) => {
            assert.ok(error instanceof UsageError);
            assert.match(error.message, /--stack needs a value/);
            assert.match(error.message, /--parallel-stores "0": write a whole number of at least 1/);
            assert.match(error.message, /unknown option "--bogus"/);
            assert.match(error.message, /--store needs a value/);
            assert.match(error.message, /usage: npm run up/);
            return true;
        });
        assert.throws(() => parseUpArgs(["--refresh", "--destroy"]), /--refresh cannot be combined with --destroy/);
    });

    it("the default number of stores in flight follows cores and memory", () => {
        assert.equal(defaultParallelStores(2, 24 * 1024 ** 3), 4);
        assert.equal(defaultParallelStores(16, 2 * 1024 ** 3), 2);
        assert.equal(defaultParallelStores(1, 512 * 1024 ** 2), 1);
    });
});

describe("npm run migrate: planning the move (pure)", () => {
    const resources = [
        { urn: "urn:pulumi:dev::woostore::pulumi:pulumi:Stack::woostore-dev", type: "pulumi:pulumi:Stack" },
        { urn: "urn:pulumi:dev::woostore::pulumi:providers:kubernetes::kubernetes", type: "pulumi:providers:kubernetes" },
        { urn: "urn:pulumi:dev::woostore::woostore:index:WooStore::shop", type: "woostore:index:WooStore" },
        { urn: "urn:pulumi:dev::woostore::woostore:index:WooStore$kubernetes:core/v1:Namespace::shop-ns", type: "kubernetes:core/v1:Namespace", parent: "urn:pulumi:dev::woostore::woostore:index:WooStore::shop" },
        { urn: "urn:pulumi:dev::woostore::woostore:index:WooStore$kubernetes:core/v1:Namespace$kubernetes:core/v1:Secret::shop-credentials", type: "kubernetes:core/v1:Secret", parent: "urn:pulumi:dev::woostore::woostore:index:WooStore$kubernetes:core/v1:Namespace::shop-ns" },
        { urn: "urn:pulumi:dev::woostore::woostore:index:WooStore::shop-setup", type: "woostore:index:WooStore" },
    ];

    it("moves each store by its component URN (children follow), counting what moves", () => {
        assert.deepEqual(storeComponents(resources).map((c) => c.store), ["shop", "shop-setup"]);
        assert.equal(countWithChildren(resources, "urn:pulumi:dev::woostore::woostore:index:WooStore::shop"), 3);
        assert.equal(countWithChildren(resources, "urn:pulumi:dev::woostore::woostore:index:WooStore::shop-setup"), 1);
    });

    it("its flags: --stack and --to are required, --to is perStore or single", () => {
        assert.deepEqual(parseMigrateArgs(["--stack", "dev", "--to", "perStore"]), { stack: "dev", to: "perStore" });
        assert.deepEqual(parseMigrateArgs(["--help"]), { help: true });
        assert.throws(() => parseMigrateArgs([]), /--stack is required; --to is required/);
        assert.throws(() => parseMigrateArgs(["--stack", "dev", "--to", "sharded", "--x"]), /unknown option "--x"; --to "sharded": write perStore or single/);
        assert.throws(() => parseMigrateArgs(["--stack", "--to", "single"]), /--stack needs a value/);
    });
});

describe("fleet: the fleet directory (outside the project)", () => {
    it("is under ~/.woostore, keyed by the project path, and its Pulumi.yaml runs this project's program", () => {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-fleetdir-"));
        const dir = fleetDir(home, PROJECT_DIR);
        assert.ok(dir.startsWith(path.join(home, "fleet")));
        assert.notEqual(fleetDir(home, "/elsewhere/woostore"), fleetDir(home, "/other/woostore"));
        prepareFleetDir(dir, PROJECT_DIR);
        const project = parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as { name: string; main: string; runtime: { name: string } };
        assert.equal(project.name, "woostore");
        assert.equal(project.main, PROJECT_DIR);
        assert.equal(project.runtime.name, "nodejs");
        const before = fs.statSync(path.join(dir, "Pulumi.yaml")).mtimeMs;
        prepareFleetDir(dir, PROJECT_DIR);
        assert.equal(fs.statSync(path.join(dir, "Pulumi.yaml")).mtimeMs, before, "unchanged content is not rewritten");
    });

    it("the program version names the package version and a digest of the program's sources", () => {
        assert.match(programVersion(PROJECT_DIR), /^\d+\.\d+\.\d+\+[0-9a-f]{12}$/);
    });

    it("config comparison ignores other namespaces and sees changed values and secrecy", () => {
        const wanted = { "woostore:domain": { value: "localhost" }, "woostore:smtp": { value: "x", secret: true } };
        assert.ok(sameConfig({ ...wanted, "pulumi:tags": { value: "{}" } }, wanted));
        assert.ok(!sameConfig({ ...wanted, "woostore:smtp": { value: "x" } }, wanted));
        assert.ok(!sameConfig({ "woostore:domain": { value: "localhost" } }, wanted));
    });
});
