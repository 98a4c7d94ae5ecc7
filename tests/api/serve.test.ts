/**
 * `npm run serve`'s startServer on a real PostgreSQL with FAKE store operations: the admin
 * token made and printed once on an empty database, WOOSTORE_ADMIN_TOKEN, and the roles
 * (api: HTTP without workers; worker: workers with health endpoints only).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { parseServeArgs } from "../../server/config";
import { RunningServer, startServer } from "../../server/serve";
import { FakeStoreOperations } from "./fakeOperations";
import { startTestDatabase, storeBody, TestDatabase, TEST_QUEUE, waitFor } from "./harness";

let db: TestDatabase;
const running: RunningServer[] = [];

async function serve(role: "api" | "worker" | "all", fake = new FakeStoreOperations()) {
    const printed: string[] = [];
    const server = await startServer(parseServeArgs(["--listen", "127.0.0.1:0", "--role", role], { DATABASE_URL: db.url }), {
        operations: fake, queue: TEST_QUEUE, logger: false, print: (line) => printed.push(line),
    });
    running.push(server);
    return { server, printed, fake };
}

before(async () => {
    db = await startTestDatabase(55433);
});
after(async () => {
    for (const server of running) await server.stop().catch(() => undefined);
    await db?.stop();
});

describe("npm run serve (startServer) with FAKE store operations", () => {
    it("an empty database gets an admin token, printed once; the next start prints none", async () => {
        delete process.env.WOOSTORE_ADMIN_TOKEN;
        const first = await serve("all");
        assert.equal(first.printed.length, 1);
        const token = /Admin token \(shown once, keep it safe\): (wst_\S+)/.exec(first.printed[0])?.[1];
        assert.ok(token);
        const stored = (await db.pool.query<{ hash: string }>("SELECT hash FROM tokens WHERE name = 'admin'")).rows[0].hash;
        assert.notEqual(stored, token, "only the hash is stored");
        assert.equal((await fetch(`${first.server.url}/api/v1/stores`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
        await first.server.stop();
        const second = await serve("all");
        assert.deepEqual(second.printed, []);
    });

    it("WOOSTORE_ADMIN_TOKEN sets an admin token instead", async () => {
        process.env.WOOSTORE_ADMIN_TOKEN = "wst_from-the-environment-for-ci-0000000000000000";
        try {
            const { server, printed } = await serve("api");
            assert.deepEqual(printed, []);
            assert.equal((await fetch(`${server.url}/api/v1/stores`, { headers: { authorization: `Bearer ${process.env.WOOSTORE_ADMIN_TOKEN}` } })).status, 200);
        } finally {
            for (const server of running.splice(0)) await server.stop();
        }
    });

    it("--role api queues operations without running them; --role worker runs them and serves health endpoints only", async () => {
        process.env.WOOSTORE_ADMIN_TOKEN = "wst_from-the-environment-for-ci-0000000000000000";
        const headers = { authorization: `Bearer ${process.env.WOOSTORE_ADMIN_TOKEN}`, "content-type": "application/json" };
        try {
            const api = await serve("api");
            assert.equal((await fetch(`${api.server.url}/api/v1/stores`, { method: "POST", headers, body: JSON.stringify(storeBody("shop-roles")) })).status, 202);
            await new Promise((resolve) => setTimeout(resolve, 1500));
            const queued = await (await fetch(`${api.server.url}/api/v1/stores/shop-roles`, { headers })).json() as { status: string };
            assert.equal(queued.status, "Queued", "an api instance runs no operations");
            assert.equal(api.fake.calls.length, 0);

            const worker = await serve("worker");
            assert.equal((await fetch(`${worker.server.url}/api/v1/stores`, { headers })).status, 404, "a worker serves no API");
            assert.equal((await fetch(`${worker.server.url}/readyz`)).status, 200);
            await waitFor("shop-roles Ready", async () => {
                const store = await (await fetch(`${api.server.url}/api/v1/stores/shop-roles`, { headers })).json() as { status: string };
                return store.status === "Ready" ? true : undefined;
            });
            assert.equal(worker.fake.callsFor("shop-roles", "up").length, 1);
        } finally {
            delete process.env.WOOSTORE_ADMIN_TOKEN;
        }
    });
});
