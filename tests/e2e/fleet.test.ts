/**
 * Tier 2: a perStore fleet through the real `npm run up` (automation/up.ts as a process), the
 * real Pulumi CLI and providers, against the testbed's kube-apiserver with KWOK nodes: add,
 * change one, a failing store beside healthy ones, a preview of a removal and an addition
 * (nothing changes), remove one, two runs at once, an interrupt and a rerun, a stale lock, the
 * per-store program's refusal, migration both ways with the same UIDs, and destroy. The PostgreSQL backend run is in fleetPostgres.test.ts.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { PROJECT_DIR } from "../../automation/workspace";
import { CREDENTIALS_SECRET_NAME } from "../../components/defaults";
import type { FleetSummary } from "../../fleet/run";
import { fleetDir } from "../../fleet/workspace";
import { collect, Fleet } from "./fleetHarness";
import { Cluster, eventually, failJobPodsStage, kubectl, kubectlJson, loadTestbedEnv, startCluster } from "./testbed";

const STEP = { timeout: 20 * 60 * 1000 };
const step = (name: string, fn: () => Promise<void>) => it(name, STEP, fn);

const byName = (summary: FleetSummary) => Object.fromEntries(summary.stores.map((store) => [store.name, store]));
const gitStatus = () => execFileSync("git", ["status", "--porcelain", "--untracked-files=all"], { cwd: PROJECT_DIR, encoding: "utf8" });

describe("fleet: one stack per store on the testbed (real npm run up, Pulumi CLI, kube-apiserver with KWOK nodes)", () => {
    let cluster: Cluster;
    let fleet: Fleet;
    let gitBefore: string;
    const storeNamespaces = async () => (await kubectlJson<{ items: { metadata: { name: string } }[] }>(cluster, ["get", "namespaces", "-l", "woostore.io/store"])).items.map((item) => item.metadata.name).sort();
    const uids = async (store: string) => {
        const ns = `store-${store}`;
        const one = async (args: string[]) => (await kubectlJson<{ metadata: { uid: string } }>(cluster, args)).metadata.uid;
        const pvcs = (await kubectlJson<{ items: { metadata: { name: string; uid: string } }[] }>(cluster, ["-n", ns, "get", "pvc"])).items.map((p) => `${p.metadata.name}=${p.metadata.uid}`).sort();
        return { namespace: await one(["get", "namespace", ns]), secret: await one(["-n", ns, "get", "secret", CREDENTIALS_SECRET_NAME]), pvcs };
    };

    before(async () => {
        loadTestbedEnv();
        cluster = startCluster("fleet", 46000);
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-fleet-state-"));
        fleet = new Fleet(`e2efleet${process.pid}`, cluster, `file://${backend}`);
        gitBefore = gitStatus();
    }, STEP);

    after(async () => {
        try {
            await fleet?.run(["--destroy"]).catch(() => undefined);
        } finally {
            fleet?.dispose();
            cluster?.down();
        }
    });

    step("creates a stack per new store, both Ready, and writes nothing into the project", async () => {
        fleet.writeStores([{ name: "alpha" }, { name: "beta" }]);
        const { result, summary } = await fleet.upJson();
        assert.equal(result.code, 0, result.stderr);
        assert.equal(summary.layout, "perStore");
        const stores = byName(summary);
        for (const name of ["alpha", "beta"]) {
            assert.equal(stores[name].action, "created");
            assert.equal(stores[name].status, "Ready");
            assert.equal(stores[name].url, `http://${name}.localhost`);
            assert.equal(stores[name].stack, `${fleet.stack}.${name}`);
            assert.ok(stores[name].log && fs.existsSync(stores[name].log!), "each store's Pulumi output is in its log file");
        }
        assert.deepEqual(fleet.stacks(), [`${fleet.stack}.alpha`, `${fleet.stack}.beta`]);
        assert.deepEqual(await storeNamespaces(), ["store-alpha", "store-beta"]);
        assert.equal(gitStatus(), gitBefore, "git status is unchanged: no file per store in the project");
    });

    step("a second run with nothing changed touches no store", async () => {
        const { result, summary } = await fleet.upJson();
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(summary.stores.map((s) => [s.name, s.action]), [["alpha", "unchanged"], ["beta", "unchanged"]]);
    });

    step("a missing cache changes nothing: the stacks' tags are the truth", async () => {
        fs.rmSync(path.join(fleetDir(fleet.home, PROJECT_DIR), "index.json"));
        const { summary } = await fleet.upJson();
        assert.deepEqual(summary.stores.map((s) => s.action), ["unchanged", "unchanged"]);
    });

    step("changing one store's quota updates only that store", async () => {
        fleet.writeStores([{ name: "alpha", quota: { cpu: "3" } }, { name: "beta" }]);
        const { result, summary } = await fleet.upJson();
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(summary.stores.map((s) => [s.name, s.action, s.status]), [["alpha", "updated", "Ready"], ["beta", "unchanged", "Ready"]]);
        const quota = await kubectlJson<{ spec: { hard: Record<string, string> } }>(cluster, ["-n", "store-alpha", "get", "resourcequota", "woostore-quota"]);
        assert.equal(quota.spec.hard["limits.cpu"], "3");
    });

    step("a failing store beside healthy ones: it fails with its step and log, the others converge, exit 1; fixing it converges", async () => {
        await kubectl(cluster, ["apply", "-f", "-"], failJobPodsStage("store-broken"));
        fleet.writeStores([{ name: "alpha", quota: { cpu: "3" } }, { name: "beta" }, { name: "broken" }, { name: "gamma" }]);
        const { result, summary } = await fleet.upJson();
        assert.equal(result.code, 1);
        const stores = byName(summary);
        assert.equal(stores.broken.action, "failed");
        assert.match(stores.broken.reason ?? "", /setup failed at step install-woocommerce/);
        assert.ok(stores.broken.log && fs.readFileSync(stores.broken.log, "utf8").includes("broken-setup"));
        assert.equal(stores.gamma.action, "created");
        assert.equal(stores.gamma.status, "Ready");
        assert.equal(stores.alpha.action, "unchanged");

        await kubectl(cluster, ["delete", "stage", "fail-job-pods-store-broken"]);
        const rerun = await fleet.upJson();
        assert.equal(rerun.result.code, 0, rerun.result.stderr);
        assert.deepEqual(rerun.summary.stores.map((s) => [s.name, s.action]), [["alpha", "unchanged"], ["beta", "unchanged"], ["broken", "updated"], ["gamma", "unchanged"]]);
        assert.equal(byName(rerun.summary).broken.status, "Ready");
    });

    step("a preview (as on a pull request) of a removed and a new store changes nothing; the drift check does not create the new one", async () => {
        fleet.writeStores([{ name: "alpha", quota: { cpu: "3" } }, { name: "broken" }, { name: "delta" }, { name: "gamma" }]);
        const stacksBefore = fleet.stacks();
        const { result, summary } = await fleet.upJson(["--preview"]);
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(summary.stores.map((s) => [s.name, s.action, s.status]), [
            ["alpha", "unchanged", "Ready"], ["beta", "previewed", "would be deleted"], ["broken", "unchanged", "Ready"], ["delta", "previewed", "would be created"], ["gamma", "unchanged", "Ready"],
        ]);
        assert.match(fs.readFileSync(byName(summary).beta.log!, "utf8"), /\d+ to delete/, "beta's log holds the destroy preview");
        assert.deepEqual(fleet.stacks(), stacksBefore, "no stack created or removed by a preview");
        assert.ok((await storeNamespaces()).includes("store-beta"), "beta is still there");

        const refresh = await fleet.upJson(["--refresh", "--store", "delta"]);
        assert.equal(refresh.result.code, 0, refresh.result.stderr);
        assert.deepEqual(byName(refresh.summary).delta, { name: "delta", stack: `${fleet.stack}.delta`, action: "skipped", reason: "not deployed yet; --refresh does not create" });
        assert.deepEqual(fleet.stacks(), stacksBefore);
        assert.ok(!(await storeNamespaces()).includes("store-delta"));
    });

    step("removing a store destroys it and removes its stack; the others are untouched", async () => {
        fleet.writeStores([{ name: "alpha", quota: { cpu: "3" } }, { name: "broken" }, { name: "gamma" }]);
        const { result, summary } = await fleet.upJson();
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(summary.stores.map((s) => [s.name, s.action]), [["alpha", "unchanged"], ["beta", "deleted"], ["broken", "unchanged"], ["gamma", "unchanged"]]);
        await eventually("namespace store-beta to be gone", 180, async () => !(await storeNamespaces()).includes("store-beta"));
        assert.ok(!fleet.stacks().includes(`${fleet.stack}.beta`));
    });

    step("two runs at once: the store is updated (the second run waits for the lock and tries again, or reports it), nothing is corrupted", async () => {
        const [first, second] = await Promise.all([fleet.run(["--json", "--all", "--store", "alpha"]), fleet.run(["--json", "--all", "--store", "alpha"])]);
        const results = [first, second].map((r) => ({ code: r.code, store: byName(JSON.parse(r.stdout) as FleetSummary).alpha }));
        const updated = results.filter((r) => r.store.action === "updated");
        const locked = results.filter((r) => r.store.action === "failed");
        assert.ok(updated.length >= 1, JSON.stringify(results));
        for (const r of locked) {
            assert.match(r.store.reason ?? "", /is locked by .*another operation is running on this store; it was left alone/);
            assert.equal(r.code, 1);
        }
        fleet.pulumi(["preview", "--stack", `${fleet.stack}.alpha`, "--expect-no-changes"]);
    });

    step("Ctrl-C stops the operation in flight gracefully, starts nothing more, says which stores are where; a rerun converges", async () => {
        const stores = [{ name: "alpha", quota: { cpu: "3" } }, { name: "broken" }, { name: "gamma" }];
        fleet.writeStores([...stores, { name: "delta" }, { name: "epsilon" }]);
        // One store at a time: when the first new store runs, the second is still queued.
        const child = fleet.start(["--parallel-stores", "1"]);
        const done = collect(child);
        let seen = "";
        child.stdout?.on("data", (chunk: Buffer) => {
            seen += chunk.toString();
            if (/delta: running/.test(seen) && !child.killed) child.kill("SIGINT");
        });
        const result = await done;
        assert.equal(result.code, 130, result.stdout);
        assert.match(result.stdout, /Interrupted: stopping the operations in flight/);
        assert.match(result.stdout, /epsilon +skipped .*|epsilon: skipped — interrupted before it started/);
        assert.match(result.stdout, /^ {2}delta +(created|failed) /m, "the store in flight is reported with how it ended");
        for (const name of ["alpha", "broken", "gamma"]) assert.match(result.stdout, new RegExp(`^  ${name} +unchanged `, "m"));
        const rerun = await fleet.upJson();
        assert.equal(rerun.result.code, 0, rerun.result.stderr);
        assert.ok(rerun.summary.stores.every((s) => s.status === "Ready"), JSON.stringify(rerun.summary));
        fleet.writeStores(stores);
        const removed = await fleet.upJson();
        assert.deepEqual(removed.summary.stores.filter((s) => s.action === "deleted").map((s) => s.name), ["delta", "epsilon"]);
    });

    step("a stale lock left by a crashed run is reported with the exact recovery command, never removed silently", async () => {
        const backendDir = fleet.backendUrl.replace(/^file:\/\//, "");
        // DIY backends keep a stack's locks under locks/<organization>/<project>/<stack>/.
        const lockDir = path.join(backendDir, ".pulumi", "locks", "organization", "woostore", `${fleet.stack}.gamma`);
        fs.mkdirSync(lockDir, { recursive: true });
        const lockFile = path.join(lockDir, "0000-crashed.json");
        fs.writeFileSync(lockFile, JSON.stringify({ pid: 99999, username: "ci", hostname: "gone-runner", timestamp: "2026-01-01T00:00:00Z" }));
        const { result, summary } = await fleet.upJson(["--all", "--store", "gamma", "--lock-stale-after", "30"]);
        assert.equal(result.code, 1);
        const reason = byName(summary).gamma.reason ?? "";
        assert.match(reason, /locked by ci@gone-runner \(pid 99999\) since 2026-01-01T00:00:00\.000Z .*older than 30 min\): probably left by a crashed run/);
        const command = /remove the lock with: (.+)$/.exec(reason)?.[1];
        assert.ok(command, reason);
        assert.ok(fs.existsSync(lockFile), "the lock is still there");
        execFileSync("sh", ["-c", command], { env: fleet.env(), stdio: "inherit" });
        assert.ok(!fs.existsSync(lockFile), "the recovery command removed it");
        const rerun = await fleet.upJson(["--all", "--store", "gamma"]);
        assert.equal(byName(rerun.summary).gamma.action, "updated");
    });

    step("a per-store stack whose store left the list refuses to run under the plain CLI", async () => {
        const stack = `${fleet.stack}.ghost`;
        const dir = fleetDir(fleet.home, PROJECT_DIR);
        fleet.pulumi(["stack", "init", stack]);
        fleet.pulumi(["config", "set", "woostore:stackLayout", "perStore", "--stack", stack]);
        fleet.pulumi(["config", "set", "woostore:domain", "localhost", "--stack", stack]);
        fleet.pulumi(["config", "set", "woostore:storeList", fleet.storeListFile, "--stack", stack]);
        assert.throws(() => fleet.pulumi(["preview", "--stack", stack], dir), (error: Error & { stdout?: string; stderr?: string }) => {
            assert.match(`${error.stdout}${error.stderr}`, /owns store "ghost", which is not in the store list; it refuses to run/);
            return true;
        });
        fleet.pulumi(["stack", "rm", "--yes", "--stack", stack]);
    });

    step("migration to one stack and back moves state only: same UIDs, and the next npm run up changes nothing", async () => {
        const before = { alpha: await uids("alpha"), gamma: await uids("gamma") };
        const toSingle = await fleet.run(["--to", "single"], "migrate");
        assert.equal(toSingle.code, 0, `${toSingle.stdout}${toSingle.stderr}`);
        assert.deepEqual(fleet.stacks(), []);
        assert.deepEqual({ alpha: await uids("alpha"), gamma: await uids("gamma") }, before);
        const single = await fleet.run(["--preview"]);
        assert.equal(single.code, 0, single.stderr);

        const toPerStore = await fleet.run(["--to", "perStore"], "migrate");
        assert.equal(toPerStore.code, 0, `${toPerStore.stdout}${toPerStore.stderr}`);
        assert.deepEqual(fleet.stacks(), [`${fleet.stack}.alpha`, `${fleet.stack}.broken`, `${fleet.stack}.gamma`]);
        assert.deepEqual({ alpha: await uids("alpha"), gamma: await uids("gamma") }, before);
        const { summary } = await fleet.upJson();
        assert.deepEqual(summary.stores.map((s) => s.action), ["unchanged", "unchanged", "unchanged"]);
    });

    step("--destroy removes every store and stack", async () => {
        const result = await fleet.run(["--destroy"]);
        assert.equal(result.code, 0, result.stderr);
        await eventually("store namespaces to be gone", 180, async () => (await storeNamespaces()).length === 0);
        assert.deepEqual(fleet.stacks(), []);
    });
});
