/**
 * `npm run bench` rows A1–A2 (issue 11), self-service API on loopback, tier 1 (no testbed):
 * the server of `npm run serve` (HTTP, PostgreSQL, pg-boss workers) with FAKE store
 * operations (tests/api/fakeServer.ts), so the rows measure the API and its queue, not Pulumi.
 *   A1: latency of GET /api/v1/stores listing 1,000 stores, 50 concurrent clients (autocannon),
 *       target p99 ≤ 50 ms.
 *   A2: time from POST /api/v1/stores to the operation's start in a worker, target ≤ 1 s.
 */
import autocannon from "autocannon";
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { Pool } from "pg";
import { generateToken, hashToken } from "../server/tokens";

const STORES = Number(process.env.BENCH_API_STORES ?? 1000);
const CONNECTIONS = 50;
const SECONDS = Number(process.env.BENCH_API_SECONDS ?? 10);

async function startFakeServer(): Promise<{ child: ChildProcess; url: string; token: string; databaseUrl: string }> {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(__dirname, "..", "tests", "api", "fakeServer.ts"), "--postgres-port", "55437", "--operation-ms", "0", "--rate-limit", "1000000"], { stdio: ["ignore", "pipe", "inherit"] });
    const line = await new Promise<string>((resolve, reject) => {
        let output = "";
        child.stdout!.on("data", (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes("\n")) resolve(output.split("\n")[0]);
        });
        child.on("exit", (code) => reject(new Error(`fake server exited (${code})`)));
    });
    return { child, ...(JSON.parse(line) as { url: string; token: string; databaseUrl: string }) };
}

async function main() {
    const server = await startFakeServer();
    const pool = new Pool({ connectionString: server.databaseUrl, max: 2 });
    pool.on("error", () => undefined);
    try {
        // A1: an owner with 1,000 Ready stores (rows written directly: the listing is what is measured).
        const owner = generateToken();
        const ownerId = (await pool.query<{ id: string }>("INSERT INTO tokens (name, hash) VALUES ('bench-owner', $1) RETURNING id", [hashToken(owner)])).rows[0].id;
        await pool.query(`INSERT INTO stores (name, owner_id, entry, status, url)
            SELECT 'bench-' || i, $1, jsonb_build_object('name', 'bench-' || i, 'admin', jsonb_build_object('email', 'o@example.com', 'user', 'admin')), 'Ready', 'http://bench-' || i || '.example.test'
            FROM generate_series(1, $2::int) AS i`, [ownerId, STORES]);
        await pool.query("INSERT INTO operations (store, kind, state, attempts, started_at, finished_at) SELECT name, 'create', 'succeeded', 1, now(), now() FROM stores WHERE owner_id = $1", [ownerId]);
        const check = await fetch(`${server.url}/api/v1/stores`, { headers: { authorization: `Bearer ${owner}` } });
        const listed = ((await check.json()) as { stores: unknown[] }).stores.length;
        if (listed !== STORES) throw new Error(`GET /stores listed ${listed} stores, expected ${STORES}`);
        const result = await autocannon({ url: `${server.url}/api/v1/stores`, connections: CONNECTIONS, duration: SECONDS, headers: { authorization: `Bearer ${owner}`, "accept-encoding": "gzip" } });
        if (result.non2xx || result.errors) throw new Error(`A1: ${result.non2xx} non-2xx answers, ${result.errors} errors`);

        // A2: POST → the worker starts the operation (operations.started_at), one creation at a time.
        const delays: number[] = [];
        for (let i = 0; i < 20; i++) {
            const name = `bench-new-${i}`;
            const sent = Date.now();
            const response = await fetch(`${server.url}/api/v1/stores`, { method: "POST", headers: { authorization: `Bearer ${server.token}`, "content-type": "application/json" }, body: JSON.stringify({ name, admin: { email: "o@example.com" } }) });
            if (response.status !== 202) throw new Error(`POST ${name}: ${response.status} ${await response.text()}`);
            for (;;) {
                const started = (await pool.query<{ started_at: Date | null }>("SELECT started_at FROM operations WHERE store = $1", [name])).rows[0]?.started_at;
                if (started) {
                    delays.push(started.getTime() - sent);
                    break;
                }
                if (Date.now() - sent > 10_000) throw new Error(`${name}: the operation did not start within 10 s`);
                await new Promise((resolve) => setTimeout(resolve, 5));
            }
        }
        delays.sort((a, b) => a - b);
        const median = delays[Math.floor(delays.length / 2)];
        const worst = delays[delays.length - 1];

        console.log("id | scenario | p50 | p99 | target");
        console.log("---|----------|----:|----:|-------");
        console.log(`A1 | GET /api/v1/stores, ${STORES} stores, ${CONNECTIONS} clients (gzip, as browsers ask), ${SECONDS} s (${Math.round(result.requests.average)} req/s) | ${result.latency.p50} ms | ${result.latency.p99} ms | p99 ≤ 50 ms: ${result.latency.p99 <= 50 ? "met" : "MISSED"}`);
        console.log(`A2 | POST /api/v1/stores → operation started, ${delays.length} creations | ${median} ms | max ${worst} ms | ≤ 1 s: ${worst <= 1000 ? "met" : "MISSED"}`);
    } finally {
        await pool.end();
        server.child.kill("SIGTERM");
        await new Promise((resolve) => server.child.once("exit", resolve));
    }
}

main().catch((error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
});
