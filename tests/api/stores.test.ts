/**
 * The self-service API on a real PostgreSQL (embedded, started here) with real pg-boss
 * workers; only the per-store Pulumi operation is FAKE (FakeStoreOperations).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
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

    it("a lock left by a dead Pulumi process on this host is removed (recorded in the events) and the operation runs again; a live holder's lock is not", async () => {
        const gone = spawnSync(process.execPath, ["-e", "0"]).pid;
        fake.lockHolder = `root@${os.hostname()} (pid ${gone})`;
        fake.script.set("shop-stale", ["lock", "succeed"]);
        await create(owner, storeBody("shop-stale"));
        await status(owner, "shop-stale", "Ready");
        assert.deepEqual(fake.releasedLocks, ["shop-stale"]);
        const events = await repo.eventsSince(db.pool, "shop-stale", 0);
        assert.ok(events.some((event) => event.text.includes(`removing the stale lock of pid ${gone} on this host`)), JSON.stringify(events));

        fake.lockHolder = `root@${os.hostname()} (pid ${process.pid})`;
        fake.script.set("shop-live-lock", ["lock", "lock"]);
        await create(owner, storeBody("shop-live-lock"));
        const failed = await status(owner, "shop-live-lock", "Failed");
        assert.match(failed.reason ?? "", /is locked by/);
        assert.deepEqual(fake.releasedLocks, ["shop-stale"], "a lock whose holder lives is never removed");
        fake.lockHolder = "root@host (pid 1)";
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

describe("requests: validation, conflicts, limits", () => {
    it("bad input answers 422 problem+json with every problem in stores.yaml wording", async () => {
        const response = await create(owner, { name: "Bad_Name", admin: { email: "nope" }, colour: "red", woocommerce: { currency: "usd" } });
        assert.equal(response.statusCode, 422);
        assert.match(String(response.headers["content-type"]), /^application\/problem\+json/);
        const body = json<{ status: number; detail: string; errors: { path: string; message: string; hint: string }[] }>(response);
        assert.equal(body.status, 422);
        const byPath = Object.fromEntries(body.errors.map((error) => [error.path, error]));
        assert.match(byPath.name.message, /is not a DNS-1123 label/);
        assert.match(byPath.name.hint, /use lowercase letters/);
        assert.match(byPath["admin.email"].message, /"nope" is not an e-mail address/);
        assert.equal(byPath.colour.message, 'unknown key "colour"');
        assert.match(byPath.colour.hint, /allowed keys: name, title, admin, woocommerce, quota/);
        assert.match(byPath["woocommerce.currency"].message, /not an ISO 4217 code/);
    });

    it("keys only stores.yaml may set (host, protect, container) are unknown keys here", async () => {
        const response = await create(owner, storeBody("shop-host", { host: "evil.example.com", protect: true }));
        assert.equal(response.statusCode, 422);
        assert.deepEqual(json<{ errors: { path: string }[] }>(response).errors.map((error) => error.path).sort(), ["host", "protect"]);
    });

    it("a quota above the stack's bounds is 422 with the bound and how to fix it", async () => {
        const response = await create(owner, storeBody("shop-big", { quota: { cpu: "64" } }));
        assert.equal(response.statusCode, 422, response.body);
        const error = json<{ errors: { path: string; message: string; hint: string }[] }>(response).errors[0];
        assert.equal(error.path, "quota.cpu");
        assert.match(error.message, /is above the bound/);
        assert.match(error.hint, /lower it/);
    });

    it("malformed JSON is 400, an empty JSON body is 400, a non-JSON media type is 415, a body over 64 KiB is 413", async () => {
        const headers = { ...auth(owner), "content-type": "application/json" };
        const malformed = await api.app.inject({ method: "POST", url: "/api/v1/stores", headers, payload: "{\"name\":", remoteAddress: nextIp() });
        assert.equal(malformed.statusCode, 400);
        assert.equal(json(malformed).status, 400);
        const empty = await api.app.inject({ method: "POST", url: "/api/v1/stores", headers, payload: "", remoteAddress: nextIp() });
        assert.equal(empty.statusCode, 400);
        const text = await api.app.inject({ method: "POST", url: "/api/v1/stores", headers: { ...auth(owner), "content-type": "text/plain" }, payload: "name=x", remoteAddress: nextIp() });
        assert.equal(text.statusCode, 415);
        assert.match(json(text).detail as string, /JSON only/);
        const form = await api.app.inject({ method: "POST", url: "/api/v1/stores", headers: { ...auth(owner), "content-type": "application/x-www-form-urlencoded" }, payload: "name=x", remoteAddress: nextIp() });
        assert.equal(form.statusCode, 415);
        const big = await api.app.inject({ method: "POST", url: "/api/v1/stores", headers, payload: JSON.stringify({ ...storeBody("shop-huge"), title: "x".repeat(65 * 1024) }), remoteAddress: nextIp() });
        assert.equal(big.statusCode, 413);
        assert.match(String(big.headers["content-type"]), /problem\+json/);
    });

    it("409 when the name is taken: by an API store, a stores.yaml store, or an existing stack", async () => {
        await create(owner, storeBody("shop-dup"));
        const dup = await create(other, storeBody("shop-dup"));
        assert.equal(dup.statusCode, 409);
        fake.addListed("shop-git", true);
        const listed = await create(owner, storeBody("shop-git"));
        assert.equal(listed.statusCode, 409);
        assert.match(json(listed).detail as string, /stores\.yaml/);
        fake.stacks.set("shop-orphan", { result: "failed" });
        const stack = await create(owner, storeBody("shop-orphan"));
        assert.equal(stack.statusCode, 409);
        assert.match(json(stack).detail as string, /stack for that store already exists/);
    });

    it("two creations of one name at once: one 202, one 409, one job", async () => {
        const [a, b] = await Promise.all([create(owner, storeBody("shop-twin")), create(other, storeBody("shop-twin"))]);
        assert.deepEqual([a.statusCode, b.statusCode].sort(), [202, 409]);
        await status(admin, "shop-twin", "Ready");
        assert.equal(fake.callsFor("shop-twin", "up").length, 1);
    });

    it("stores.yaml stores are read-only: DELETE and retry answer 409 (admins see them in the list)", async () => {
        fake.addListed("shop-yaml", true);
        const list = json<{ stores: Store[] }>(await api.app.inject({ method: "GET", url: "/api/v1/stores", headers: auth(admin) }));
        const entry = list.stores.find((store) => store.name === "shop-yaml");
        assert.ok(entry);
        assert.equal(entry.source, "stores.yaml");
        assert.equal(entry.readOnly, true);
        assert.equal(entry.status, "Ready");
        const del = await api.app.inject({ method: "DELETE", url: "/api/v1/stores/shop-yaml", headers: auth(admin) });
        assert.equal(del.statusCode, 409);
        assert.match(json(del).detail as string, /through git/);
        const owners = json<{ stores: Store[] }>(await api.app.inject({ method: "GET", url: "/api/v1/stores", headers: auth(owner) }));
        assert.ok(!owners.stores.some((store) => store.source === "stores.yaml"), "owners see their own stores only");
    });

    it("protected stores (woostore:protectStores) cannot be deleted through the API", async () => {
        const protectedFake = new FakeStoreOperations({ protectStores: true });
        const protectedApi = await startTestApi(db, protectedFake);
        try {
            await create(owner, storeBody("shop-prot"));
            await status(owner, "shop-prot", "Ready");
            const del = await protectedApi.app.inject({ method: "DELETE", url: "/api/v1/stores/shop-prot", headers: auth(owner) });
            assert.equal(del.statusCode, 409);
            assert.match(json(del).detail as string, /protected/);
        } finally {
            await protectedApi.close();
        }
    });
});

describe("access: tokens, owners, admins, cap", () => {
    it("no token, a malformed header, an unknown or a revoked token: 401 with WWW-Authenticate", async () => {
        for (const headers of [{}, { authorization: "Basic abc" }, auth("wst_unknown")]) {
            const response = await api.app.inject({ method: "GET", url: "/api/v1/stores", headers });
            assert.equal(response.statusCode, 401);
            assert.equal(response.headers["www-authenticate"], "Bearer");
            assert.match(String(response.headers["content-type"]), /problem\+json/);
        }
        const revoked = await createToken(db, "leaver");
        assert.equal((await api.app.inject({ method: "GET", url: "/api/v1/stores", headers: auth(revoked) })).statusCode, 200);
        assert.equal(await repo.revokeToken(db.pool, "leaver"), true);
        assert.equal((await api.app.inject({ method: "GET", url: "/api/v1/stores", headers: auth(revoked) })).statusCode, 401);
    });

    it("another owner's store answers 404 everywhere, as if it did not exist; admins see and manage it", async () => {
        await create(owner, storeBody("shop-mine"));
        await status(owner, "shop-mine", "Ready");
        for (const [method, url] of [["GET", ""], ["DELETE", ""], ["POST", "/retry"], ["GET", "/credentials"], ["GET", "/events"]] as const) {
            const response = await api.app.inject({ method, url: `/api/v1/stores/shop-mine${url}`, headers: auth(other) });
            assert.equal(response.statusCode, 404, `${method} ${url}`);
            assert.equal(json(response).detail, (json(await api.app.inject({ method, url: `/api/v1/stores/no-such-store${url}`, headers: auth(other) }))).detail?.toString().replace("no-such-store", "shop-mine"));
        }
        const theirs = json<{ stores: Store[] }>(await api.app.inject({ method: "GET", url: "/api/v1/stores", headers: auth(other) }));
        assert.ok(!theirs.stores.some((store) => store.name === "shop-mine"));
        assert.equal((await get(admin, "shop-mine"))?.status, "Ready");
    });

    it("the per-owner cap answers 403 with the cap in the message", async () => {
        const capped = await createToken(db, "capped", { maxStores: 1 });
        assert.equal((await create(capped, storeBody("shop-cap1"))).statusCode, 202);
        const second = await create(capped, storeBody("shop-cap2"));
        assert.equal(second.statusCode, 403);
        assert.match(json(second).detail as string, /at most 1 store and owns 1/);
    });
});

describe("abuse limits", () => {
    it("5 creations per minute per client IP: the 6th gets 429 with Retry-After and RateLimit headers; reads are not limited", async () => {
        const address = "192.0.2.10";
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) statuses.push((await create(owner, { name: `Rate${i}` }, address)).statusCode);
        assert.deepEqual(statuses, [422, 422, 422, 422, 422, 429], "every creation attempt counts, valid or not");
        const limited = await create(owner, storeBody("shop-rl"), address);
        assert.equal(limited.statusCode, 429);
        const retryAfter = Number(limited.headers["retry-after"]);
        assert.ok(retryAfter >= 1 && retryAfter <= 60, String(retryAfter));
        assert.equal(limited.headers["ratelimit-limit"], "5");
        assert.equal(limited.headers["ratelimit-remaining"], "0");
        assert.equal(limited.headers["ratelimit-policy"], "5;w=60");
        assert.match(json(limited).detail as string, /at most 5 store creations per 60 s/);
        const read = await api.app.inject({ method: "GET", url: "/api/v1/stores", headers: auth(owner), remoteAddress: address });
        assert.equal(read.statusCode, 200);
        assert.equal(await get(owner, "shop-rl"), undefined, "the limited request created nothing");
    });

    it("a spoofed X-Forwarded-For does not escape the limit when no proxy is trusted", async () => {
        const address = "192.0.2.20";
        const statuses: number[] = [];
        for (let i = 0; i < 7; i++) {
            const response = await api.app.inject({ method: "POST", url: "/api/v1/stores", headers: { ...auth(owner), "x-forwarded-for": `198.51.100.${i}` }, payload: { name: `X${i}` }, remoteAddress: address });
            statuses.push(response.statusCode);
        }
        assert.deepEqual(statuses.slice(5), [429, 429]);
    });

    it("with one trusted proxy hop, the client is the address the proxy appended; spoofed entries before it do not count", async () => {
        const proxied = await startTestApi(db, fake, { trustProxy: 1 });
        try {
            const send = (forwarded: string) => proxied.app.inject({ method: "POST", url: "/api/v1/stores", headers: { ...auth(owner), "x-forwarded-for": forwarded }, payload: { name: "Bad" }, remoteAddress: "10.9.9.9" });
            const statuses: number[] = [];
            // The client forges a different first entry every time; the proxy appends the real client, 203.0.113.7.
            for (let i = 0; i < 6; i++) statuses.push((await send(`198.51.100.${i}, 203.0.113.7`)).statusCode);
            assert.deepEqual(statuses, [422, 422, 422, 422, 422, 429]);
            assert.equal((await send("203.0.113.8")).statusCode, 422, "another client behind the proxy has its own budget");
        } finally {
            await proxied.close();
        }
    });

    it("counters live in PostgreSQL: two API instances share one budget", async () => {
        const second = await startTestApi(db, fake);
        try {
            const address = "192.0.2.30";
            const statuses: number[] = [];
            for (let i = 0; i < 6; i++) {
                const instance = i % 2 === 0 ? api : second;
                statuses.push((await instance.app.inject({ method: "POST", url: "/api/v1/stores", headers: auth(owner), payload: { name: "Bad" }, remoteAddress: address })).statusCode);
            }
            assert.deepEqual(statuses, [422, 422, 422, 422, 422, 429]);
        } finally {
            await second.close();
        }
    });

    it("responses carry security headers and a request id", async () => {
        const response = await api.app.inject({ method: "GET", url: "/api/v1/stores", headers: auth(owner) });
        assert.equal(response.headers["x-content-type-options"], "nosniff");
        assert.equal(response.headers["x-frame-options"], "DENY");
        assert.equal(response.headers["referrer-policy"], "no-referrer");
        assert.match(String(response.headers["content-security-policy"]), /frame-ancestors 'none'/);
        assert.equal(response.headers["cache-control"], "no-store");
        assert.match(String(response.headers["x-request-id"]), /^[0-9a-f-]{36}$/);
    });
});

describe("credentials and the audit log", () => {
    it("409 until Ready; then the owner reads them and every read is audit-logged with who and from where", async () => {
        fake.script.set("shop-cred", ["hang"]);
        await create(owner, storeBody("shop-cred"));
        const early = await api.app.inject({ method: "GET", url: "/api/v1/stores/shop-cred/credentials", headers: auth(owner) });
        assert.equal(early.statusCode, 409);
        assert.doesNotMatch(early.body, /fake-password/);
        await release("shop-cred", "up");
        await status(owner, "shop-cred", "Ready");
        const read = await api.app.inject({ method: "GET", url: "/api/v1/stores/shop-cred/credentials", headers: auth(owner), remoteAddress: "192.0.2.77" });
        assert.equal(read.statusCode, 200);
        assert.deepEqual(json(read), { adminUser: "admin", adminPassword: "fake-password-of-shop-cred", url: "http://shop-cred.example.test" });
        assert.equal((await api.app.inject({ method: "GET", url: "/api/v1/stores/shop-cred/credentials", headers: auth(admin) })).statusCode, 200);
        const denied = await api.app.inject({ method: "GET", url: "/api/v1/stores/shop-cred/credentials", headers: auth(other) });
        assert.equal(denied.statusCode, 404);
        const audit = (await db.pool.query<{ action: string; token_name: string; client_ip: string }>("SELECT action, token_name, client_ip FROM audit_log WHERE store = 'shop-cred' ORDER BY id")).rows;
        assert.deepEqual(audit.map((row) => [row.action, row.token_name]), [["credentials.read", "owner"], ["credentials.read", "root"]]);
        assert.equal(audit[0].client_ip, "192.0.2.77");
    });

    it("the password never reaches the log, the store row, events or the job payload", async () => {
        const lines: string[] = [];
        const logged = await startTestApi(db, fake, { logger: { level: "debug", redact: { paths: ["req.headers.authorization"], censor: "[redacted]" }, stream: { write: (line: string) => { lines.push(line); } } } as never });
        try {
            await create(owner, storeBody("shop-log"));
            await status(owner, "shop-log", "Ready");
            const read = await logged.app.inject({ method: "GET", url: "/api/v1/stores/shop-log/credentials", headers: auth(owner) });
            assert.equal(read.statusCode, 200);
        } finally {
            await logged.close();
        }
        const text = lines.join("");
        assert.ok(lines.length > 0 && /request completed/.test(text), "requests were logged");
        assert.ok(/"reqId":"[0-9a-f-]{36}"/.test(text), "log lines carry the request id");
        assert.doesNotMatch(text, /fake-password/);
        assert.doesNotMatch(text, new RegExp(owner));
        const rows = JSON.stringify((await db.pool.query("SELECT * FROM stores WHERE name = 'shop-log'")).rows) + JSON.stringify((await db.pool.query("SELECT * FROM store_events WHERE store = 'shop-log'")).rows)
            + JSON.stringify((await db.pool.query("SELECT data FROM pgboss.job WHERE data->>'store' = 'shop-log'")).rows);
        assert.doesNotMatch(rows, /fake-password|password/i);
    });
});

describe("events, health, OpenAPI", () => {
    it("GET /stores/{name}/events streams the operation's steps and statuses and ends with the final status", async () => {
        fake.script.set("shop-sse", ["hang"]);
        await create(owner, storeBody("shop-sse"));
        const streaming = api.app.inject({ method: "GET", url: "/api/v1/stores/shop-sse/events", headers: auth(owner) });
        await release("shop-sse", "up");
        const response = await streaming;
        assert.equal(response.statusCode, 200);
        assert.match(String(response.headers["content-type"]), /^text\/event-stream/);
        const events = response.body.split("\n\n").filter(Boolean).map((block) => Object.fromEntries(block.split("\n").map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)])));
        const texts = events.map((event) => `${event.event}:${event.data ? (JSON.parse(event.data) as { text?: string; status?: string }).text ?? JSON.parse(event.data).status : ""}`);
        assert.deepEqual(texts.filter((text) => text.startsWith("status:")), ["status:Queued", "status:Provisioning", "status:Ready"]);
        assert.ok(texts.includes("step:create Namespace store-shop-sse"), texts.join(" | "));
        assert.equal(texts.at(-1), "end:Ready");
        const resumed = await api.app.inject({ method: "GET", url: "/api/v1/stores/shop-sse/events", headers: { ...auth(owner), "last-event-id": events.at(-2)!.id } });
        assert.equal(resumed.body.trim(), 'event: end\ndata: {"status":"Ready"}', "Last-Event-ID resumes after the last event seen");
    });

    it("the dashboard's built files are served at / (its routes fall back to index.html); unknown API paths stay problems", async () => {
        const dist = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-dashboard-"));
        fs.writeFileSync(path.join(dist, "index.html"), "<!doctype html><title>WooStore</title>");
        fs.writeFileSync(path.join(dist, "app.js"), "console.log(1)");
        const withDashboard = await startTestApi(db, fake, { dashboardDir: dist });
        try {
            const index = await withDashboard.app.inject({ method: "GET", url: "/" });
            assert.equal(index.statusCode, 200);
            assert.match(index.body, /<title>WooStore<\/title>/);
            assert.match(String(index.headers["content-security-policy"]), /default-src 'self'/);
            assert.equal((await withDashboard.app.inject({ method: "GET", url: "/app.js" })).body, "console.log(1)");
            assert.match((await withDashboard.app.inject({ method: "GET", url: "/stores/shop-a" })).body, /WooStore/);
            const unknown = await withDashboard.app.inject({ method: "GET", url: "/api/v1/nothing", headers: auth(owner) });
            assert.equal(unknown.statusCode, 404);
            assert.match(String(unknown.headers["content-type"]), /problem\+json/);
        } finally {
            await withDashboard.close();
            fs.rmSync(dist, { recursive: true, force: true });
        }
    });

    it("/healthz and /readyz answer without a token; readyz checks the database and migrations", async () => {
        assert.deepEqual(json(await api.app.inject({ method: "GET", url: "/healthz" })), { status: "ok" });
        const ready = await api.app.inject({ method: "GET", url: "/readyz" });
        assert.equal(ready.statusCode, 200);
        assert.deepEqual(json(ready), { status: "ready", database: true, migrations: true });
    });

    it("the OpenAPI 3.1 document at /api/v1/openapi.json describes every route with its problem responses", async () => {
        const response = await api.app.inject({ method: "GET", url: "/api/v1/openapi.json" });
        assert.equal(response.statusCode, 200);
        const document = json<{ openapi: string; paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, unknown> }> }>> }>(response);
        assert.equal(document.openapi, "3.1.0");
        assert.deepEqual(Object.keys(document.paths).sort(), ["/api/v1/stores", "/api/v1/stores/{name}", "/api/v1/stores/{name}/backups", "/api/v1/stores/{name}/credentials", "/api/v1/stores/{name}/events", "/api/v1/stores/{name}/retry"]);
        const post = document.paths["/api/v1/stores"].post.responses;
        assert.deepEqual(Object.keys(post).sort(), ["202", "400", "401", "403", "409", "413", "415", "422", "429", "503"]);
        assert.ok(post["429"].content["application/problem+json"]);
    });
});
