/**
 * `npm run serve`: the self-service API and/or its workers (`--role`), on the embedded
 * PostgreSQL or DATABASE_URL, with the dashboard's static files at `/`. SIGTERM/SIGINT:
 * stop accepting requests, let workers stop their Pulumi operations gracefully (their jobs
 * are retried by the next worker), close the database, exit.
 */
import * as path from "node:path";
import type { FastifyInstance } from "fastify";
import type { PgBoss } from "pg-boss";
import { PROJECT_DIR } from "../automation/workspace";
import { bootstrapAdmin } from "./admin";
import { buildApp, defaultLogger } from "./app";
import { parseServeArgs, SERVE_USAGE, ServeOptions, ServeUsageError } from "./config";
import { Database, openDatabase } from "./database";
import { DEFAULT_QUEUE_SETTINGS, QueueSettings, startBoss } from "./jobs/queue";
import { startWorkers } from "./jobs/worker";
import type { StoreOperations } from "./operations";
import type { RateLimitPolicy } from "./rateLimit";

export interface RunningServer { app: FastifyInstance; url: string; database: Database; boss: PgBoss; stop(): Promise<void> }

export interface ServerDeps {
    operations: StoreOperations;
    queue?: Partial<QueueSettings>;
    rateLimit?: RateLimitPolicy;
    logger?: Parameters<typeof buildApp>[0]["logger"];
    print?: (line: string) => void;
}

export async function startServer(options: ServeOptions, deps: ServerDeps): Promise<RunningServer> {
    const print = deps.print ?? ((line: string) => process.stdout.write(`${line}\n`));
    const shutdown = new AbortController();
    let stopping: Promise<void> | undefined;
    const database = await openDatabase({ databaseUrl: options.databaseUrl, postgresDir: options.postgresDir, postgresDirExplicit: options.postgresDirExplicit, postgresPort: options.postgresPort, log: (line) => console.error(line) });
    const settings = { ...DEFAULT_QUEUE_SETTINGS, ...deps.queue };
    let boss: PgBoss | undefined;
    let app: FastifyInstance | undefined;
    try {
        const adminToken = await bootstrapAdmin(database.pool, process.env.WOOSTORE_ADMIN_TOKEN || undefined);
        if (adminToken) print(`Admin token (shown once, keep it safe): ${adminToken}`);
        boss = await startBoss(database.url, settings, (error) => {
            // Connections cut while shutting down are expected, not errors.
            if (stopping) return;
            if (app) app.log.error({ err: error }, "job queue error"); else print(`job queue error: ${error.message}`);
        });
        app = await buildApp({
            pool: database.pool, boss, operations: deps.operations, trustProxy: options.trustProxy,
            rateLimit: deps.rateLimit, logger: deps.logger ?? defaultLogger(), shutdown: shutdown.signal,
            dashboardDir: path.join(PROJECT_DIR, "dashboard", "dist"), apiRoutes: options.role !== "worker",
        });
        const log = app.log;
        if (options.role !== "api") {
            await startWorkers(boss, database.pool, deps.operations, { concurrency: options.workerConcurrency, pollingSeconds: settings.pollingSeconds, shutdown: shutdown.signal, log });
        }
        await app.listen({ host: options.host, port: options.port });
    } catch (error) {
        await app?.close().catch(() => undefined);
        await boss?.stop({ graceful: false }).catch(() => undefined);
        await database.close();
        throw error;
    }
    const address = app.server.address();
    const port = typeof address === "object" && address ? address.port : options.port;
    const url = `http://${options.host.includes(":") ? `[${options.host}]` : options.host}:${port}`;
    const running = boss;
    const server = app;
    return {
        app, url, database, boss: running,
        stop: () => (stopping ??= (async () => {
            server.log.info("shutting down: no new requests, stopping operations in flight");
            const closing = server.close();
            shutdown.abort();
            await running.stop({ graceful: true, timeout: 120_000, close: true }).catch((error: Error) => server.log.error({ err: error }, "job queue did not stop cleanly"));
            await closing;
            await database.close();
        })()),
    };
}

async function main(): Promise<number> {
    let options: ServeOptions;
    try {
        options = parseServeArgs(process.argv.slice(2), process.env);
    } catch (error) {
        if (!(error instanceof ServeUsageError)) throw error;
        console.error(`npm run serve: ${error.message}`);
        return 2;
    }
    if (options.help) {
        console.log(SERVE_USAGE);
        return 0;
    }
    const { fleetOperations } = await import("./fleetOperations");
    let operations: StoreOperations;
    try {
        operations = fleetOperations(options.stack);
    } catch (error) {
        console.error(`npm run serve: ${(error as Error).message}`);
        return 1;
    }
    const server = await startServer(options, { operations });
    console.log(`WooStore API (${options.role}) listening on ${server.url} — stack ${options.stack}, database ${server.database.embedded ? `embedded (${options.postgresDir})` : "DATABASE_URL"}`);
    return new Promise((resolve) => {
        const onSignal = (signal: NodeJS.Signals) => {
            process.off("SIGTERM", onSignal);
            process.off("SIGINT", onSignal);
            console.log(`${signal}: shutting down gracefully`);
            server.stop().then(() => resolve(0), (error: Error) => { console.error(error.message); resolve(1); });
        };
        process.on("SIGTERM", onSignal);
        process.on("SIGINT", onSignal);
    });
}

if (require.main === module) {
    main().then((code) => process.exit(code), (error: Error) => { console.error(`npm run serve: ${error.message}`); process.exit(1); });
}
