/**
 * Durability of operations on a real PostgreSQL with real pg-boss workers (only the Pulumi
 * operation is FAKE): a worker killed mid-operation, a graceful restart, two workers racing.
 */
import assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as repo from "../../server/db/repository";
import { enqueueOperation } from "../../server/jobs/queue";
import { FakeStoreOperations } from "./fakeOperations";
import { createToken, json, startTestApi, startTestDatabase, startTestWorkers, storeBody, TestApi, TestDatabase, waitFor } from "./harness";

let db: TestDatabase;
let api: TestApi;
let token: string;
let ip = 0;
const children: ChildProcess[] = [];

const create = (name: string) => api.app.inject({ method: "POST", url: "/api/v1/stores", headers: { authorization: `Bearer ${token}` }, payload: storeBody(name), remoteAddress: `10.2.0.${++ip}` });
const show = async (name: string) => json<{ status: string; reason: string | null; operation: { attempts: number; state: string } }>(await api.app.inject({ method: "GET", url: `/api/v1/stores/${name}`, headers: { authorization: `Bearer ${token}` } }));
const status = (name: string, wanted: string, timeoutMs = 60_000) => waitFor(`${name} ${wanted}`, async () => {
    const store = await show(name);
    return store.status === wanted ? store : undefined;
}, timeoutMs);

/** Starts a worker process whose operations hang; resolves once it is polling, and gives a promise for the first started store. */
async function hangingWorker(): Promise<{ child: ChildProcess; started: Promise<string> }> {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "fakeWorkerProcess.ts")], { env: { ...process.env, TEST_DATABASE_URL: db.url }, stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    let output = "";
    let onStarted: (store: string) => void = () => undefined;
    const started = new Promise<string>((resolve) => { onStarted = resolve; });
    await new Promise<void>((resolve, reject) => {
        child.stdout!.on("data", (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes("ready\n")) resolve();
            const match = /started (\S+)\n/.exec(output);
            if (match) onStarted(match[1]);
        });
        child.on("exit", (code) => reject(new Error(`worker process exited (${code})`)));
    });
    return { child, started };
}

function kill(child: ChildProcess): Promise<void> {
    return new Promise((resolve) => {
        child.once("exit", () => resolve());
        child.kill("SIGKILL");
    });
}

before(async () => {
    db = await startTestDatabase(55432);
    api = await startTestApi(db, new FakeStoreOperations());
    token = await createToken(db, "owner");
});
after(async () => {
    children.forEach((child) => child.kill("SIGKILL"));
    await api?.close();
    await db?.stop();
});

describe("recovery with the FAKE Pulumi operation", () => {
    it("a worker killed mid-operation: its job is retried once the heartbeat expires; dead-lettered after the last attempt, the store is Failed with why; retry makes it Ready", async () => {
        const first = await hangingWorker();
        assert.equal((await create("shop-crash")).statusCode, 202);
        assert.equal(await first.started, "shop-crash");
        assert.equal((await show("shop-crash")).status, "Provisioning");
        await kill(first.child);
        // A second worker (also dying) picks the job up after the first one's heartbeat expired.
        const second = await hangingWorker();
        assert.equal(await second.started, "shop-crash");
        const retried = await show("shop-crash");
        assert.equal(retried.status, "Provisioning");
        assert.equal(retried.operation.attempts, 2);
        await kill(second.child);
        // Out of retries: the dead-letter worker of a healthy instance marks the store Failed.
        const fake = new FakeStoreOperations();
        const workers = await startTestWorkers(db, fake);
        try {
            const failed = await status("shop-crash", "Failed");
            assert.match(failed.reason ?? "", /stopped without a result on every attempt/);
            assert.equal(fake.calls.length, 0, "the dead job is not run again by itself");
            const retry = await api.app.inject({ method: "POST", url: "/api/v1/stores/shop-crash/retry", headers: { authorization: `Bearer ${token}` } });
            assert.equal(retry.statusCode, 202);
            await status("shop-crash", "Ready");
        } finally {
            await workers.stop();
        }
    });

    it("a graceful shutdown interrupts the operation (its signal) and the next worker finishes it", async () => {
        const fake = new FakeStoreOperations();
        fake.defaultAnswer = "hang";
        const workers = await startTestWorkers(db, fake);
        assert.equal((await create("shop-restart")).statusCode, 202);
        await waitFor("operation started", async () => (fake.calls.length ? true : undefined));
        await workers.stop();
        const interrupted = await show("shop-restart");
        assert.equal(interrupted.status, "Provisioning");
        assert.match(interrupted.reason ?? "", /interrupted by a server shutdown/);
        const next = new FakeStoreOperations();
        const restarted = await startTestWorkers(db, next);
        try {
            await status("shop-restart", "Ready");
            assert.equal(next.callsFor("shop-restart", "up").length, 1);
        } finally {
            await restarted.stop();
        }
    });

    it("two workers racing: every store's operation runs exactly once, and a second job for a busy store is refused", async () => {
        const a = new FakeStoreOperations();
        const b = new FakeStoreOperations();
        a.delayMs = b.delayMs = 200;
        const [workersA, workersB] = await Promise.all([startTestWorkers(db, a, 3), startTestWorkers(db, b, 3)]);
        try {
            const names = Array.from({ length: 8 }, (_, i) => `shop-race-${i}`);
            for (const name of names) assert.equal((await create(name)).statusCode, 202);
            for (const name of names) await status(name, "Ready");
            for (const name of names) {
                assert.equal(a.callsFor(name).length + b.callsFor(name).length, 1, name);
            }
            assert.ok(a.calls.length > 0 && b.calls.length > 0, `both workers took jobs (${a.calls.length}/${b.calls.length})`);
            a.defaultAnswer = b.defaultAnswer = "hang";
            const del = await api.app.inject({ method: "DELETE", url: "/api/v1/stores/shop-race-0", headers: { authorization: `Bearer ${token}` } });
            assert.equal(del.statusCode, 202);
            const second = await repo.withTransaction(db.pool, async (client) => enqueueOperation(api.boss, client, { store: "shop-race-0", operationId: "0", kind: "delete" }));
            assert.equal(second, undefined, "one job per store: the singleton key refuses a second");
            a.releaseAll();
            b.releaseAll();
        } finally {
            a.defaultAnswer = b.defaultAnswer = "succeed";
            a.releaseAll();
            b.releaseAll();
            await Promise.all([workersA.stop(), workersB.stop()]);
        }
    });
});
