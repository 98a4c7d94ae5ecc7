/**
 * Backups through the API (issue 14): POST/GET /api/v1/stores/{name}/backups on a real
 * PostgreSQL with real pg-boss workers; only the backup Job itself is FAKE (FakeStoreOperations).
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { FakeStoreOperations } from "./fakeOperations";
import { createToken, json, startTestApi, startTestDatabase, startTestWorkers, storeBody, TestApi, TestDatabase, waitFor, Workers } from "./harness";

type Operation = { id: string; kind: string; state: string; attempts: number; error: string | null };
type Store = { name: string; status: string; reason: string | null; url: string | null; operation: Operation | null };
type Problem = { type: string; title: string; status: number; detail: string };
type Snapshot = { id: string; time: string; kind: string | null; orders: number | null; sizeBytes: number | null };

let db: TestDatabase;
/** Backups configured (woostore:backup.target set). */
let fake: FakeStoreOperations;
let api: TestApi;
/** The same database served by an API whose stack has no woostore:backup. */
let unconfigured: FakeStoreOperations;
let unconfiguredApi: TestApi;
let workers: Workers;
let owner: string;
let other: string;
let admin: string;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const backups = (name: string) => `/api/v1/stores/${name}/backups`;

async function getStore(token: string, name: string): Promise<Store | undefined> {
    const response = await api.app.inject({ method: "GET", url: `/api/v1/stores/${name}`, headers: auth(token) });
    return response.statusCode === 200 ? json<Store>(response) : undefined;
}
const until = (name: string, what: string, check: (store: Store) => boolean) =>
    waitFor(`${name} ${what}`, async () => {
        const store = await getStore(owner, name);
        return store && check(store) ? store : undefined;
    });
/** Creates a store through the API and waits until it is Ready. */
async function readyStore(name: string): Promise<void> {
    const response = await api.app.inject({ method: "POST", url: "/api/v1/stores", headers: auth(owner), payload: storeBody(name), remoteAddress: `10.9.0.${name.length}` });
    assert.equal(response.statusCode, 202, response.body);
    await until(name, "Ready", (store) => store.status === "Ready");
}

before(async () => {
    db = await startTestDatabase(55434);
    // The backup pod counts in the quota arithmetic: the default quota is raised to hold it.
    fake = new FakeStoreOperations({ backup: { target: "rest:http://10.0.0.9:8000/woostore" }, defaults: { quota: { cpu: "4", memory: "4Gi" } } });
    unconfigured = new FakeStoreOperations();
    api = await startTestApi(db, fake);
    unconfiguredApi = await startTestApi(db, unconfigured);
    workers = await startTestWorkers(db, fake);
    owner = await createToken(db, "owner");
    other = await createToken(db, "other");
    admin = await createToken(db, "root", { admin: true });
    await readyStore("bk-shop");
});
after(async () => {
    await workers?.stop();
    await unconfiguredApi?.close();
    await api?.close();
    await db?.stop();
});
beforeEach(() => {
    fake.defaultAnswer = "succeed";
    fake.listBackupsError = undefined;
});

describe("backups through the API with the FAKE backup Job", () => {
    it("POST …/backups queues a backup (202, the store with its backup operation); it runs with progress and the store stays Ready", async () => {
        fake.script.set("bk-shop", ["hang"]);
        const response = await api.app.inject({ method: "POST", url: backups("bk-shop"), headers: auth(owner) });
        assert.equal(response.statusCode, 202, response.body);
        assert.equal(response.headers.location, "/api/v1/stores/bk-shop/backups");
        const queued = json<Store>(response);
        assert.equal(queued.status, "Ready");
        assert.equal(queued.operation?.kind, "backup");
        assert.equal(queued.operation?.state, "queued");
        const running = await until("bk-shop", "backing up", (store) => store.operation?.state === "running");
        assert.equal(running.status, "Ready", "the shop keeps selling while it is backed up");
        assert.match(running.reason ?? "", /backup in progress/);
        // A second request while one runs is refused (one operation per store at a time).
        const again = await api.app.inject({ method: "POST", url: backups("bk-shop"), headers: auth(owner) });
        assert.equal(again.statusCode, 409, again.body);
        assert.match(json<Problem>(again).detail, /still queued or running/);
        fake.releaseAll();
        const done = await until("bk-shop", "backed up", (store) => store.operation?.state === "succeeded");
        assert.equal(done.status, "Ready");
        assert.equal(done.reason, null);
        assert.equal(done.url, "http://bk-shop.example.test", "a backup leaves the store's URL alone");
        const call = fake.callsFor("bk-shop", "backup").at(-1);
        assert.equal(call?.entry?.name, "bk-shop");
        assert.equal((call?.entry as { admin?: { email?: string } }).admin?.email, "owner@bk-shop.test", "the worker passes the store's entry");
        // Progress: the events stream carries the backup's steps and ends after its final status.
        const events = await api.app.inject({ method: "GET", url: "/api/v1/stores/bk-shop/events", headers: auth(owner) });
        assert.equal(events.statusCode, 200);
        assert.match(events.body, /event: status\ndata: \{"text":"Backup queued"/);
        assert.match(events.body, /Backup started/);
        assert.match(events.body, /woostore-backup-manual created/);
        assert.match(events.body, /Backup done: snapshot [0-9a-f]{8}, 3 orders/);
        assert.match(events.body, /event: end\ndata: \{"status":"Ready"\}/);
    });

    it("GET …/backups lists the store's snapshots, newest first, with time, kind, orders and size", async () => {
        fake.orders = 5;
        const response = await api.app.inject({ method: "POST", url: backups("bk-shop"), headers: auth(owner) });
        assert.equal(response.statusCode, 202, response.body);
        const operationId = json<Store>(response).operation?.id;
        await until("bk-shop", "backed up again", (store) => store.operation?.id === operationId && store.operation?.state === "succeeded");
        const list = await api.app.inject({ method: "GET", url: backups("bk-shop"), headers: auth(owner) });
        assert.equal(list.statusCode, 200, list.body);
        const body = json<{ store: string; snapshots: Snapshot[] }>(list);
        assert.equal(body.store, "bk-shop");
        assert.ok(body.snapshots.length >= 2, list.body);
        const [newest, older] = body.snapshots;
        assert.equal(newest.kind, "manual");
        assert.equal(newest.orders, 5);
        assert.equal(older.orders, 3);
        assert.equal(newest.sizeBytes, 4096);
        assert.ok(newest.time >= older.time);
        assert.match(newest.id, /^[0-9a-f]{8}$/);
    });

    it("a failed backup leaves the store Ready, with the operation failed and the reason (secrets masked)", async () => {
        fake.defaultAnswer = "fail";
        const response = await api.app.inject({ method: "POST", url: backups("bk-shop"), headers: auth(owner) });
        assert.equal(response.statusCode, 202, response.body);
        const operationId = json<Store>(response).operation?.id;
        // TEST_QUEUE retries once: the store says so in between, and the final verdict is the operation's.
        const failed = await until("bk-shop", "backup failed", (store) => store.operation?.id === operationId && store.operation?.state === "failed");
        assert.equal(failed.status, "Ready");
        assert.equal(failed.operation?.attempts, 2);
        assert.match(failed.operation?.error ?? "", /unreachable \(fake\)/);
        assert.match(failed.reason ?? "", /^the last backup failed: .*unreachable/);
        assert.doesNotMatch(JSON.stringify(failed), /hunter2/);
        const events = await api.app.inject({ method: "GET", url: "/api/v1/stores/bk-shop/events", headers: auth(owner) });
        assert.match(events.body, /Backup failed: /);
        assert.doesNotMatch(events.body, /hunter2/);
        // The store can still be backed up afterwards.
        fake.defaultAnswer = "succeed";
        const retry = await api.app.inject({ method: "POST", url: backups("bk-shop"), headers: auth(owner) });
        assert.equal(retry.statusCode, 202, retry.body);
        const next = json<Store>(retry).operation?.id;
        const ok = await until("bk-shop", "backed up after a failure", (store) => store.operation?.id === next && store.operation?.state === "succeeded");
        assert.equal(ok.reason, null);
    });

    it("backups not configured for the stack: 409 problem saying how to enable them, nothing queued", async () => {
        const calls = fake.callsFor("bk-shop", "backup").length;
        for (const method of ["POST", "GET"] as const) {
            const response = await unconfiguredApi.app.inject({ method, url: backups("bk-shop"), headers: auth(owner) });
            assert.equal(response.statusCode, 409, response.body);
            assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
            const problem = json<Problem>(response);
            assert.equal(problem.status, 409);
            assert.match(problem.detail, /backups are not configured .*woostore:backup\.target/);
        }
        assert.equal(fake.callsFor("bk-shop", "backup").length, calls);
        assert.equal(unconfigured.listBackupsCalls.length, 0);
    });

    it("unknown store: 404 for POST and GET", async () => {
        for (const method of ["POST", "GET"] as const) {
            const response = await api.app.inject({ method, url: backups("no-such-shop"), headers: auth(owner) });
            assert.equal(response.statusCode, 404, response.body);
            assert.match(json<Problem>(response).detail, /no store "no-such-shop"/);
        }
    });

    it("another owner's store looks absent (404) and is not backed up; an admin may back it up", async () => {
        const calls = fake.callsFor("bk-shop", "backup").length;
        for (const method of ["POST", "GET"] as const) {
            const response = await api.app.inject({ method, url: backups("bk-shop"), headers: auth(other) });
            assert.equal(response.statusCode, 404, response.body);
        }
        assert.equal(fake.callsFor("bk-shop", "backup").length, calls);
        const byAdmin = await api.app.inject({ method: "POST", url: backups("bk-shop"), headers: auth(admin) });
        assert.equal(byAdmin.statusCode, 202, byAdmin.body);
        const operationId = json<Store>(byAdmin).operation?.id;
        await until("bk-shop", "backed up by the admin", (store) => store.operation?.id === operationId && store.operation?.state === "succeeded");
    });

    it("no token: 401 for POST and GET", async () => {
        for (const method of ["POST", "GET"] as const) {
            const response = await api.app.inject({ method, url: backups("bk-shop") });
            assert.equal(response.statusCode, 401, response.body);
        }
    });

    it("a store that is not Ready cannot be backed up (409); its backups cannot be listed yet (409)", async () => {
        fake.script.set("bk-slow", ["hang"]);
        const response = await api.app.inject({ method: "POST", url: "/api/v1/stores", headers: auth(owner), payload: storeBody("bk-slow"), remoteAddress: "10.9.1.1" });
        assert.equal(response.statusCode, 202, response.body);
        await until("bk-slow", "Provisioning", (store) => store.status === "Provisioning");
        const post = await api.app.inject({ method: "POST", url: backups("bk-slow"), headers: auth(owner) });
        assert.equal(post.statusCode, 409, post.body);
        assert.match(json<Problem>(post).detail, /is Provisioning: only a Ready store can be backed up/);
        const get = await api.app.inject({ method: "GET", url: backups("bk-slow"), headers: auth(owner) });
        assert.equal(get.statusCode, 409, get.body);
        fake.releaseAll();
        await until("bk-slow", "Ready", (store) => store.status === "Ready");
    });

    it("an unreadable repository: GET answers 503 with the reason, secrets masked", async () => {
        fake.listBackupsError = "listing the backups of bk-shop failed: wrong repository password for rest:http://10.0.0.9:8000/woostore/bk-shop password=hunter2";
        const response = await api.app.inject({ method: "GET", url: backups("bk-shop"), headers: auth(owner) });
        assert.equal(response.statusCode, 503, response.body);
        assert.match(json<Problem>(response).detail, /cannot be read right now: .*wrong repository password/);
        assert.doesNotMatch(response.body, /hunter2/);
    });

    it("the OpenAPI document describes both backup routes with typed schemas", async () => {
        const response = await api.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
        assert.equal(response.statusCode, 200, response.body);
        const document = json<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } }>(response);
        const path = document.paths["/api/v1/stores/{name}/backups"];
        assert.ok(path?.post?.responses["202"], "POST 202");
        assert.ok(path?.post?.responses["409"], "POST 409");
        assert.ok(path?.get?.responses["200"], "GET 200");
        assert.ok(document.components.schemas.BackupList, "BackupList schema");
        assert.ok(document.components.schemas.BackupSnapshot, "BackupSnapshot schema");
    });
});
