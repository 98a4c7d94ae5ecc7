/**
 * The self-service API on a real PostgreSQL (embedded, started here) with real pg-boss
 * workers; only the per-store Pulumi operation is FAKE (FakeStoreOperations).
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import * as repo from "../../server/db/repository";
import { FakeStoreOperations } from "./fakeOperations";
import { createToken, json, startTestApi, startTestDatabase, startTestWorkers, storeBody, TestApi, TestDatabase, waitFor, Workers } from "./harness";

type Store = { name: string; status: string; reason: string | null; url: string | null; source: string; readOnly: boolean; operation: { kind: string; state: string; attempts: number } | null };

let db: TestDatabase;
let fake: FakeStoreOperations;
let api: TestApi;
let workers: Workers;
let owner: string;
let other: string;
let admin: string;
let ip = 0;

/** Every test gets its own client address, so the creation limit of one does not leak into another. */
const nextIp = () => `10.1.${Math.floor(++ip / 250)}.${ip % 250}`;
const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function create(token: string, body: Record<string, unknown>, remoteAddress = nextIp()) {
    return api.app.inject({ method: "POST", url: "/api/v1/stores", headers: auth(token), payload: body, remoteAddress });
}
async function get(token: string, name: string): Promise<Store | undefined> {
    const response = await api.app.inject({ method: "GET", url: `/api/v1/stores/${name}`, headers: auth(token) });
    return response.statusCode === 200 ? json<Store>(response) : undefined;
}
/** Releases the store's hanging operation once the worker has started it. */
async function release(store: string, kind: "up" | "destroy") {
    await waitFor(`${kind} of ${store} started`, async () => (fake.callsFor(store, kind).length ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 20));
    fake.releaseAll();
}
const status = (token: string, name: string, wanted: string) => waitFor(`${name} ${wanted}`, async () => {
    const store = await get(token, name);
    return store?.status === wanted ? store : undefined;
});

before(async () => {
    db = await startTestDatabase(55431);
    fake = new FakeStoreOperations();
    api = await startTestApi(db, fake);
    workers = await startTestWorkers(db, fake);
    owner = await createToken(db, "owner");
    other = await createToken(db, "other");
    admin = await createToken(db, "root", { admin: true });
});
after(async () => {
    await workers?.stop();
    await api?.close();
    await db?.stop();
});
beforeEach(() => {
    fake.defaultAnswer = "succeed";
    fake.delayMs = 0;
});

describe("store lifecycle with the FAKE Pulumi operation", () => {
    it("POST queues the store (202, Location, Queued); it becomes Provisioning, then Ready with its URL", async () => {
        fake.script.set("shop-a", ["hang"]);
        const response = await create(owner, storeBody("shop-a", { title: "Shop A" }));
        assert.equal(response.statusCode, 202, response.body);
        assert.equal(response.headers.location, "/api/v1/stores/shop-a");
        assert.equal(json<Store>(response).status, "Queued");
        const provisioning = await status(owner, "shop-a", "Provisioning");
        assert.equal(provisioning.operation?.state, "running");
        await release("shop-a", "up");
        const ready = await status(owner, "shop-a", "Ready");
        assert.equal(ready.url, "http://shop-a.example.test");
        assert.equal(ready.operation?.state, "succeeded");
        assert.equal(ready.reason, null);
        assert.equal(fake.callsFor("shop-a", "up").length, 1);
        assert.deepEqual(fake.callsFor("shop-a")[0].entry, { name: "shop-a", title: "Shop A", admin: { email: "owner@shop-a.test", user: "admin" }, woocommerce: { currency: "USD", country: "US:CA" } });
    });

    it("a failing operation is retried with backoff, then the store is Failed with the reason (secrets masked); retry makes it Ready", async () => {
        fake.script.set("shop-fail", ["fail", "fail"]);
        assert.equal((await create(owner, storeBody("shop-fail"))).statusCode, 202);
        const failed = await status(owner, "shop-fail", "Failed");
        assert.match(failed.reason ?? "", /setup Job failed at step "install WooCommerce"/);
        assert.doesNotMatch(failed.reason ?? "", /hunter2/);
        assert.equal(failed.operation?.attempts, 2);
        assert.equal(fake.callsFor("shop-fail").length, 2);
        const retry = await api.app.inject({ method: "POST", url: "/api/v1/stores/shop-fail/retry", headers: auth(owner) });
        assert.equal(retry.statusCode, 202, retry.body);
        assert.equal(json<Store>(retry).status, "Queued");
        await status(owner, "shop-fail", "Ready");
    });

    it("one failed attempt then success: Ready after the retry, and the retry was visible in the reason", async () => {
        fake.script.set("shop-flaky", ["fail", "succeed"]);
        await create(owner, storeBody("shop-flaky"));
        const ready = await status(owner, "shop-flaky", "Ready");
        assert.equal(ready.operation?.attempts, 2);
        const events = await repo.eventsSince(db.pool, "shop-flaky", 0);
        assert.ok(events.some((event) => /attempt 1 of 2 failed, retrying with backoff/.test(event.text)), JSON.stringify(events));
    });

    it("a stack lock is reported in the reason, then Failed; nothing is removed", async () => {
        fake.script.set("shop-locked", ["lock", "lock"]);
        await create(owner, storeBody("shop-locked"));
        const failed = await status(owner, "shop-locked", "Failed");
        assert.match(failed.reason ?? "", /is locked by root@host/);
        const events = await repo.eventsSince(db.pool, "shop-locked", 0);
        assert.ok(events.some((event) => /waiting for the stack's lock/.test(event.text)));
    });

    it("DELETE answers 202 Deleting, then 404 once the store and its stack are gone", async () => {
        await create(owner, storeBody("shop-del"));
        await status(owner, "shop-del", "Ready");
        fake.script.set("shop-del", ["hang"]);
        const response = await api.app.inject({ method: "DELETE", url: "/api/v1/stores/shop-del", headers: auth(owner) });
        assert.equal(response.statusCode, 202, response.body);
        assert.equal(json<Store>(response).status, "Deleting");
        const again = await api.app.inject({ method: "DELETE", url: "/api/v1/stores/shop-del", headers: auth(owner) });
        assert.equal(again.statusCode, 202, "deleting twice changes nothing");
        await release("shop-del", "destroy");
        await waitFor("shop-del gone", async () => ((await api.app.inject({ method: "GET", url: "/api/v1/stores/shop-del", headers: auth(owner) })).statusCode === 404 ? true : undefined));
        assert.equal(fake.stacks.has("shop-del"), false);
        assert.equal(fake.callsFor("shop-del", "destroy").length, 1);
    });

    it("a failed delete leaves the store Failed (delete failed: …); retry deletes it", async () => {
        await create(owner, storeBody("shop-delfail"));
        await status(owner, "shop-delfail", "Ready");
        fake.script.set("shop-delfail", ["fail", "fail"]);
        await api.app.inject({ method: "DELETE", url: "/api/v1/stores/shop-delfail", headers: auth(owner) });
        const failed = await status(owner, "shop-delfail", "Failed");
        assert.match(failed.reason ?? "", /^delete failed: /);
        assert.equal((await api.app.inject({ method: "POST", url: "/api/v1/stores/shop-delfail/retry", headers: auth(owner) })).statusCode, 202);
        await waitFor("shop-delfail gone", async () => ((await get(owner, "shop-delfail")) === undefined ? true : undefined));
    });

    it("DELETE and retry while an operation runs answer 409", async () => {
        fake.script.set("shop-busy", ["hang"]);
        await create(owner, storeBody("shop-busy"));
        await status(owner, "shop-busy", "Provisioning");
        const del = await api.app.inject({ method: "DELETE", url: "/api/v1/stores/shop-busy", headers: auth(owner) });
        assert.equal(del.statusCode, 409);
        assert.match(json(del).detail as string, /operation is in progress/);
        assert.equal((await api.app.inject({ method: "POST", url: "/api/v1/stores/shop-busy/retry", headers: auth(owner) })).statusCode, 409);
        await release("shop-busy", "up");
        await status(owner, "shop-busy", "Ready");
    });
});
