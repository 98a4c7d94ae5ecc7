/**
 * Versioned SQL migrations (server/db/migrations/NNNN_name.sql), applied in order at start,
 * each in its own transaction. An advisory lock makes instances that start together take
 * turns, so each migration runs once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Pool } from "pg";

export const MIGRATIONS_DIR = path.join(__dirname, "migrations");
const LOCK_ID = 0x0057_0057;

export interface Migration { version: number; name: string; sql: string }

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
    return fs.readdirSync(dir).filter((file) => /^\d{4}_[a-z0-9_]+\.sql$/.test(file)).sort().map((file) => ({
        version: Number(file.slice(0, 4)),
        name: file.slice(5, -4),
        sql: fs.readFileSync(path.join(dir, file), "utf8"),
    }));
}

/** Applies pending migrations; returns the versions it applied. */
export async function migrate(pool: Pool, migrations = readMigrations()): Promise<number[]> {
    const client = await pool.connect();
    const applied: number[] = [];
    try {
        await client.query("SELECT pg_advisory_lock($1)", [LOCK_ID]);
        await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())");
        const done = new Set((await client.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map((row) => row.version));
        for (const migration of migrations) {
            if (done.has(migration.version)) continue;
            await client.query("BEGIN");
            try {
                await client.query(migration.sql);
                await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
                await client.query("COMMIT");
            } catch (error) {
                await client.query("ROLLBACK");
                throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
            }
            applied.push(migration.version);
        }
    } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [LOCK_ID]).catch(() => undefined);
        client.release();
    }
    return applied;
}

/** Whether every known migration has been applied (for /readyz). */
export async function migrationsDone(pool: Pool, migrations = readMigrations()): Promise<boolean> {
    const result = await pool.query<{ n: string }>("SELECT count(*) AS n FROM schema_migrations WHERE version = ANY($1::int[])", [migrations.map((m) => m.version)]);
    return Number(result.rows[0].n) === migrations.length;
}
