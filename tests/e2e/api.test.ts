/**
 * Tier 2: the self-service API with no fakes. `npm run serve` (embedded PostgreSQL, pg-boss
 * workers, the fleet's per-store stacks through the real Pulumi CLI) against the testbed's
 * kube-apiserver with KWOK nodes: two stores created over HTTP become Ready with URLs, their
 * credentials are readable, the server is killed (its whole process group, Pulumi included)
 * while Helm installs a third store's release and after a restart that store still becomes
 * Ready (the stale lock and the unfinished Helm install are cleared), and a deleted store's
 * namespace and stack are gone.
 */
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { PROJECT_DIR } from "../../automation/workspace";
import { processTree } from "../../bench/processTree";
import { Fleet } from "./fleetHarness";
import { Cluster, eventually, kubectlJson, loadTestbedEnv, startCluster } from "./testbed";

const STEP = { timeout: 20 * 60 * 1000 };
const step = (name: string, fn: () => Promise<void>) => it(name, STEP, fn);
const PORT = 49080;
const POD_READY_DELAY_MS = 8000;
const POSTGRES_PORT = 49081;
const ADMIN_TOKEN = "wst_e2e-api-admin-token-0123456789abcdefghijklmnop";
const BASE = `http://127.0.0.1:${PORT}/api/v1`;

type Store = { name: string; status: string; url: string | null; reason: string | null; operation: { attempts: number; state: string } | null };

describe("self-service API on the testbed (real npm run serve, embedded PostgreSQL, Pulumi CLI, kube-apiserver with KWOK nodes)", () => {
    let cluster: Cluster;
    let fleet: Fleet;
    let server: ChildProcess | undefined;
    let serverLog = "";

    const api = async (method: string, url: string, body?: unknown) => {
        const response = await fetch(`${BASE}${url}`, {
            method,
            headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body ? { "content-type": "application/json" } : {}) },
            body: body ? JSON.stringify(body) : undefined,
        });
        const text = await response.text();
        return { status: response.status, body: text ? JSON.parse(text) as Record<string, unknown> : {} };
    };
    const store = async (name: string) => (await api("GET", `/stores/${name}`)).body as unknown as Store;
    const namespaces = async () => (await kubectlJson<{ items: { metadata: { name: string } }[] }>(cluster, ["get", "namespaces", "-l", "woostore.io/store"])).items.map((item) => item.metadata.name).sort();
    const helmRecords = async (name: string) => (await kubectlJson<{ items: { metadata: { labels: Record<string, string> } }[] }>(cluster, ["-n", `store-${name}`, "get", "secrets", "-l", `owner=helm,name=${name}`]))
        .items.map((item) => ({ revision: Number(item.metadata.labels.version), status: item.metadata.labels.status })).sort((a, b) => a.revision - b.revision);
    /** Polls closely (Helm's install or upgrade lasts about POD_READY_DELAY_MS) until a record of the store's release has `status`. */
    const untilHelmStatus = async (name: string, status: string, seconds: number) => {
        const deadline = Date.now() + seconds * 1000;
        while (!(await helmRecords(name).catch(() => [])).some((record) => record.status === status)) {
            if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting for ${name}'s Helm release to be ${status}\nserver log tail:\n${serverLog.slice(-4000)}`);
            await new Promise((resolve) => setTimeout(resolve, 200));
        }
    };
    const untilStatus = async (name: string, wanted: string, seconds = 900) => {
        let last: Store | undefined;
        await eventually(`store ${name} ${wanted} (last: ${JSON.stringify(last)})`, seconds, async () => {
            last = await store(name);
            if (last.status === "Failed" && wanted !== "Failed") throw new Error(`store ${name} Failed: ${last.reason}`);
            return last.status === wanted;
        }).catch((error: Error) => {
            throw new Error(`${error.message}\nlast: ${JSON.stringify(last)}\nserver log tail:\n${serverLog.slice(-4000)}`);
        });
        return last!;
    };

    /** `npm run serve` in its own process group, so that a kill takes the Pulumi CLI with it (as a crashed host would). */
    const startServer = async () => {
        const child = spawn("npm", ["run", "serve", "--", "--listen", `127.0.0.1:${PORT}`, "--stack", fleet.stack], {
            cwd: PROJECT_DIR, detached: true, stdio: ["ignore", "pipe", "pipe"],
            env: { ...fleet.env(), WOOSTORE_ADMIN_TOKEN: ADMIN_TOKEN, WOOSTORE_POSTGRES_PORT: String(POSTGRES_PORT), WOOSTORE_LOG_LEVEL: "info" },
        });
        child.stdout!.on("data", (chunk: Buffer) => { serverLog += chunk.toString(); });
        child.stderr!.on("data", (chunk: Buffer) => { serverLog += chunk.toString(); });
        server = child;
        await eventually("the API to be ready", 120, async () => (await fetch(`http://127.0.0.1:${PORT}/readyz`)).status === 200)
            .catch((error: Error) => { throw new Error(`${error.message}\nserver log:\n${serverLog.slice(-4000)}`); });
    };
    const killServer = async (signal: NodeJS.Signals) => {
        const child = server!;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        process.kill(-child.pid!, signal);
        await exited;
        server = undefined;
    };

    before(async () => {
        loadTestbedEnv();
        // Pods take a few seconds to become Ready, as image pulls make them on a real cluster:
        // Helm's install is then in progress long enough for the kill below to land inside it.
        cluster = startCluster("api", 49000, { POD_READY_DELAY_MS: String(POD_READY_DELAY_MS) });
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-api-state-"));
        fleet = new Fleet(`e2eapi${process.pid}`, cluster, `file://${backend}`);
        // The embedded PostgreSQL runs as the postgres user when the tests run as root: its data dir must be reachable.
        fs.chmodSync(fleet.dir, 0o755);
        await startServer();
    }, STEP);

    after(async () => {
        try {
            if (server) await killServer("SIGTERM");
        } finally {
            fleet?.dispose();
            cluster?.down();
        }
    });

    step("two stores created over HTTP become Ready with their URLs", async () => {
        for (const name of ["alpha", "beta"]) {
            const response = await api("POST", "/stores", { name, admin: { email: `owner@${name}.example.com` } });
            assert.equal(response.status, 202, JSON.stringify(response.body));
            assert.equal(response.body.status, "Queued");
        }
        for (const name of ["alpha", "beta"]) {
            const ready = await untilStatus(name, "Ready");
            assert.equal(ready.url, `http://${name}.localhost`);
        }
        assert.deepEqual(await namespaces(), ["store-alpha", "store-beta"]);
        assert.deepEqual(fleet.stacks(), [`${fleet.stack}.alpha`, `${fleet.stack}.beta`]);
    });

    step("credentials of a Ready store are readable", async () => {
        const response = await api("GET", "/stores/alpha/credentials");
        assert.equal(response.status, 200, JSON.stringify(response.body));
        assert.equal(response.body.adminUser, "admin");
        assert.ok(typeof response.body.adminPassword === "string" && response.body.adminPassword.length >= 16);
        assert.ok(!serverLog.includes(String(response.body.adminPassword)), "the password is not in the server's log");
    });

    step("the server is killed while Helm installs a third store's release; after a restart that store still becomes Ready", async () => {
        const response = await api("POST", "/stores", { name: "gamma", admin: { email: "owner@gamma.example.com" } });
        assert.equal(response.status, 202);
        // Mid-operation, at the worst moment: Helm is installing the store's release (its record
        // says pending-install), so the killed run leaves a release that Pulumi's state lacks.
        await untilHelmStatus("gamma", "pending-install", 600);
        assert.equal((await store("gamma")).status, "Provisioning");
        await killServer("SIGKILL");
        const left = await helmRecords("gamma");
        assert.deepEqual(left.map((record) => record.status), ["pending-install"], "the kill left Helm's install unfinished");
        await startServer();
        const ready = await untilStatus("gamma", "Ready");
        assert.equal(ready.url, "http://gamma.localhost");
        assert.ok((ready.operation?.attempts ?? 0) >= 2, `the operation ran again after the crash: ${JSON.stringify(ready.operation)}`);
        // The killed Pulumi CLI held the stack's lock; the restarted worker removed it deliberately, and said so.
        const events = await (await fetch(`${BASE}/stores/gamma/events`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).text();
        assert.match(events, /removing the stale lock of pid \d+ on this host/);
        // …and the release the killed run left to Helm but not to Pulumi's state (still
        // pending-install, or deployed when the orphaned provider process finished the install)
        // was cleared and installed again, adopting what it had created.
        assert.match(events, /killed while it created Helm release store-gamma\/gamma: Helm has it \(revision 1 (pending-install|deployed)\)/);
        assert.deepEqual((await helmRecords("gamma")).map((record) => record.status), ["deployed"]);
        assert.match(events, /event: end\ndata: \{"status":"Ready"\}/);
    });

    step("`npm run up` killed while Helm upgrades a store's release: after the lock's recovery command, the next run clears the unfinished revision and converges", async () => {
        fleet.writeStores([{ name: "delta" }]);
        const created = await fleet.upJson();
        assert.equal(created.result.code, 0, created.result.stderr);
        assert.equal(created.summary.stores.find((entry) => entry.name === "delta")?.status, "Ready", JSON.stringify(created.summary));
        // A lower CPU limit changes the WordPress Deployment: Helm upgrades and waits for the new pod.
        fleet.writeStores([{ name: "delta", container: { limits: { cpu: "400m" } } }]);
        const run = fleet.start(["--json"]);
        const exited = new Promise((resolve) => run.once("exit", resolve));
        await untilHelmStatus("delta", "pending-upgrade", 600);
        // As if the machine running it died: the run and all its descendants, the provider
        // plugins included (they are in process groups of their own, and would finish the upgrade).
        for (const pid of processTree(run.pid!)) {
            try { process.kill(pid, "SIGKILL"); } catch { /* already gone */ }
        }
        await exited;
        assert.deepEqual((await helmRecords("delta")).map((record) => record.status), ["deployed", "pending-upgrade"], "the kill left Helm's upgrade unfinished");
        // A CLI run never removes a lock by itself: the user runs the command it names (README "Safety").
        fleet.pulumi(["cancel", "--yes", "--stack", `${fleet.stack}.delta`]);
        const rerun = await fleet.upJson();
        assert.equal(rerun.result.code, 0, `${rerun.result.stdout}\n${rerun.result.stderr}`);
        const delta = rerun.summary.stores.find((entry) => entry.name === "delta");
        assert.equal(delta?.status, "Ready", JSON.stringify(rerun.summary));
        assert.match(fs.readFileSync(delta!.log!, "utf8"), /killed while Helm upgraded release store-delta\/delta \(revision 2 pending-upgrade\); removing the unfinished revision/);
        assert.deepEqual((await helmRecords("delta")).map((record) => record.status), ["superseded", "deployed"]);
        fleet.writeStores([]);
        const removed = await fleet.upJson(["--allow-empty"]);
        assert.deepEqual(removed.summary.stores.map((entry) => [entry.name, entry.action]), [["delta", "deleted"]], JSON.stringify(removed.summary));
    });

    step("a deleted store answers 404, and its namespace and stack are gone", async () => {
        const response = await api("DELETE", "/stores/beta");
        assert.equal(response.status, 202, JSON.stringify(response.body));
        assert.equal(response.body.status, "Deleting");
        await eventually("beta to be gone", 900, async () => (await api("GET", "/stores/beta")).status === 404);
        await eventually("beta's namespace to be gone", 300, async () => !(await namespaces()).includes("store-beta"));
        assert.deepEqual(fleet.stacks(), [`${fleet.stack}.alpha`, `${fleet.stack}.gamma`]);
    });
});
