/**
 * A real PostgreSQL (the embedded one the server uses by default, in a temp dir) and helpers
 * to build the API and its workers against it, with the FAKE store operations.
 */
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Pool } from "pg";
import type { PgBoss } from "pg-boss";
import { buildApp, AppDeps } from "../../server/app";
import { startEmbeddedPostgres } from "../../server/db/embedded";
import { migrate } from "../../server/db/migrate";
import * as repo from "../../server/db/repository";
import { QueueSettings, startBoss } from "../../server/jobs/queue";
import { startWorkers, WorkerLog } from "../../server/jobs/worker";
import { generateToken, hashToken } from "../../server/tokens";
import { FakeStoreOperations } from "./fakeOperations";

/** Fast retries and heartbeats for tests (pg-boss's heartbeat minimum is 10 s). */
export const TEST_QUEUE: QueueSettings = {
    retryLimit: 1, retryDelaySeconds: 1, retryDelayMaxSeconds: 2, heartbeatSeconds: 10, expireInSeconds: 600, superviseSeconds: 1, pollingSeconds: 0.5,
};

export const quietLog: WorkerLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export interface TestDatabase { url: string; pool: Pool; stop(): Promise<void> }

export async function startTestDatabase(port: number): Promise<TestDatabase> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-api-pg-"));
    if (process.getuid?.() === 0) fs.chmodSync(dir, 0o755);
    const embedded = await startEmbeddedPostgres(path.join(dir, "data"), port, () => undefined);
    const pool = new Pool({ connectionString: embedded.url, max: 10 });
    pool.on("error", () => undefined);
    await migrate(pool);
    return {
        url: embedded.url, pool,
        stop: async () => {
            await pool.end();
            await embedded.stop();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

export interface Workers { boss: PgBoss; shutdown: AbortController; stop(): Promise<void> }

export async function startTestWorkers(db: TestDatabase, operations: FakeStoreOperations, concurrency = 2, settings = TEST_QUEUE): Promise<Workers> {
    const shutdown = new AbortController();
    const boss = await startBoss(db.url, settings, () => undefined);
    await startWorkers(boss, db.pool, operations, { concurrency, pollingSeconds: settings.pollingSeconds, shutdown: shutdown.signal, log: quietLog });
    return {
        boss, shutdown,
        stop: async () => {
            shutdown.abort();
            await boss.stop({ graceful: true, timeout: 20_000, close: true });
        },
    };
}

export interface TestApi { app: FastifyInstance; boss: PgBoss; close(): Promise<void> }

export async function startTestApi(db: TestDatabase, operations: FakeStoreOperations, extra: Partial<AppDeps> = {}): Promise<TestApi> {
    const boss = await startBoss(db.url, TEST_QUEUE, () => undefined);
    const app = await buildApp({ pool: db.pool, boss, operations, eventsPollMs: 100, ...extra });
    await app.ready();
    return {
        app, boss,
        close: async () => {
            await app.close();
            await boss.stop({ graceful: false, close: true });
        },
    };
}

export async function createToken(db: TestDatabase, name: string, options: { admin?: boolean; maxStores?: number } = {}): Promise<string> {
    const token = generateToken();
    await repo.insertToken(db.pool, { name, hash: hashToken(token), admin: options.admin ?? false, maxStores: options.maxStores });
    return token;
}

export function storeBody(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { name, admin: { email: `owner@${name}.test` }, ...extra };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const until = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const value = await probe();
            if (value !== undefined) return value;
        } catch (error) {
            last = error;
        }
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}

export function json<T = Record<string, unknown>>(response: LightMyRequestResponse): T {
    return JSON.parse(response.body) as T;
}
