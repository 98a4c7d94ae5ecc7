/**
 * The database of `npm run serve` and `npm run token`: DATABASE_URL, or the embedded
 * PostgreSQL. A running server's embedded database is reused (the token command while the
 * server runs); otherwise it is started here and stopped by `close()`.
 */
import * as fs from "node:fs";
import { Pool } from "pg";
import { migrate } from "./db/migrate";
import { resolvePostgresDir, startEmbeddedPostgres } from "./db/embedded";

export interface Database { url: string; pool: Pool; embedded: boolean; close(): Promise<void> }

export async function openDatabase(options: { databaseUrl?: string; postgresDir: string; postgresDirExplicit?: boolean; postgresPort: number; log: (line: string) => void }): Promise<Database> {
    let url = options.databaseUrl;
    let stopEmbedded: (() => Promise<void>) | undefined;
    if (!url) {
        const postgresDir = resolvePostgresDir(options.postgresDir, options.postgresDirExplicit ?? false, options.log);
        const passwordFile = `${postgresDir}.password`;
        const running = fs.existsSync(passwordFile) && await reachable(`postgres://postgres:${encodeURIComponent(fs.readFileSync(passwordFile, "utf8").trim())}@127.0.0.1:${options.postgresPort}/woostore`);
        if (running) {
            url = running;
        } else {
            const embedded = await startEmbeddedPostgres(postgresDir, options.postgresPort, () => undefined);
            url = embedded.url;
            stopEmbedded = embedded.stop;
        }
    }
    const pool = new Pool({ connectionString: url, max: 10 });
    pool.on("error", (error) => options.log(`database connection error: ${error.message}`));
    try {
        await migrate(pool);
    } catch (error) {
        await pool.end().catch(() => undefined);
        await stopEmbedded?.();
        throw error;
    }
    return {
        url, pool, embedded: !options.databaseUrl,
        close: async () => {
            await pool.end().catch(() => undefined);
            await stopEmbedded?.();
        },
    };
}

async function reachable(url: string): Promise<string | undefined> {
    const probe = new Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 2000 });
    try {
        await probe.query("SELECT 1");
        return url;
    } catch {
        return undefined;
    } finally {
        await probe.end().catch(() => undefined);
    }
}
