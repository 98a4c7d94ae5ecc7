/**
 * Workers: run each queued store operation through StoreOperations and keep the store's
 * status, its operation row and its events in PostgreSQL. A job that throws is retried by
 * pg-boss with backoff; a job whose worker died is retried when its heartbeat expires; a job
 * out of retries lands in the dead-letter queue, whose worker marks the store Failed with why.
 */
import * as os from "node:os";
import type { Pool } from "pg";
import type { JobWithMetadata, PgBoss } from "pg-boss";
import type { OperationOutcome, StoreOperations } from "../operations";
import * as repo from "../db/repository";
import { transition } from "../status";
import { DEAD_LETTER_QUEUE, OPERATIONS_QUEUE, OperationJob } from "./queue";

export interface WorkerLog { info(object: object, message: string): void; warn(object: object, message: string): void; error(object: object, message: string): void }

export interface WorkerOptions {
    concurrency: number;
    pollingSeconds: number;
    /** Aborted on graceful shutdown: operations in flight are interrupted through their signal. */
    shutdown: AbortSignal;
    log: WorkerLog;
}

/** Secrets must not reach the status, logs or events: anything that looks like one is masked. */
export function redactSecrets(text: string): string {
    return text.replace(/((?:password|passphrase|secret|token)["']?\s*[:=]\s*["']?)[^\s"',}]+/gi, "$1[redacted]");
}

/**
 * "pid N" when the lock error names a holder on this host whose process is gone, else
 * undefined. Holders on other hosts cannot be checked from here and are never touched.
 */
export function deadLockHolder(error: string, host = os.hostname(), alive = processAlive): string | undefined {
    const match = /locked by [^@\s]+@(\S+) \(pid (\d+)\)/.exec(error);
    if (!match || match[1] !== host) return undefined;
    const pid = Number(match[2]);
    return alive(pid) ? undefined : `pid ${pid}`;
}

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (error) {
        return (error as NodeJS.ErrnoException).code === "EPERM";
    }
}

function firstLines(text: string, max = 600): string {
    const lines = text.split("\n").map((line) => line.trim()).filter(Boolean).slice(0, 6).join(" ");
    return lines.length > max ? `${lines.slice(0, max - 1)}…` : lines;
}

export async function startWorkers(boss: PgBoss, pool: Pool, operations: StoreOperations, options: WorkerOptions): Promise<void> {
    await boss.work(OPERATIONS_QUEUE, {
        localConcurrency: options.concurrency, pollingIntervalSeconds: options.pollingSeconds, includeMetadata: true,
    }, async ([job]: JobWithMetadata<OperationJob>[]) => runJob(job, pool, operations, options));
    await boss.work(DEAD_LETTER_QUEUE, { pollingIntervalSeconds: Math.max(options.pollingSeconds, 1), includeMetadata: true },
        async ([job]: JobWithMetadata<OperationJob>[]) => deadLetter(job, pool, options.log));
}

export async function runJob(job: JobWithMetadata<OperationJob>, pool: Pool, operations: StoreOperations, options: WorkerOptions): Promise<void> {
    const { store, operationId, kind } = job.data;
    const attempt = job.retryCount + 1;
    const attempts = job.retryLimit + 1;
    const log = (level: "info" | "warn" | "error", message: string, extra: object = {}) =>
        options.log[level]({ store, operationId, kind, jobId: job.id, attempt, ...extra }, message);

    const started = await repo.withTransaction(pool, async (client) => {
        const operation = await repo.operationById(client, operationId);
        const row = await repo.lockStore(client, store);
        if (!operation || !row || operation.state === "succeeded" || operation.state === "failed") return undefined;
        const next = transition(row.status, { type: "start", kind });
        if ("conflict" in next) {
            log("warn", `operation skipped: ${next.conflict}`);
            return undefined;
        }
        await repo.startOperation(client, operationId, attempt);
        const reason = attempt > 1 ? `attempt ${attempt} of ${attempts}` : null;
        if (kind === "backup") {
            // The store stays Ready (it keeps selling); its reason says a backup is running.
            await repo.setStoreStatus(client, store, "Ready", { reason: `backup in progress${reason ? ` (${reason})` : ""}` });
            await repo.addEvent(client, store, operationId, "status", `Backup started${reason ? ` (${reason})` : ""}`);
        } else {
            await repo.setStoreStatus(client, store, next.status as "Provisioning" | "Deleting", { reason });
            await repo.addEvent(client, store, operationId, "status", `${next.status}${reason ? ` (${reason})` : ""}`);
        }
        return (await repo.storeByName(client, store))!;
    });
    if (!started) return;
    log("info", `${kind} operation started`);

    // Steps are written in order, one at a time; a failed write is logged and does not stop the operation.
    let steps = Promise.resolve();
    const onStep = (text: string) => {
        steps = steps.then(() => repo.addEvent(pool, store, operationId, "step", redactSecrets(text))).catch((error: Error) => log("warn", `event not recorded: ${error.message}`));
    };
    const signal = AbortSignal.any([job.signal, options.shutdown]);
    const run = async (): Promise<OperationOutcome> => {
        try {
            if (kind === "backup") return await operations.backup({ ...started.entry, name: store }, { signal, onStep });
            return kind === "create"
                ? await operations.up({ ...started.entry, name: store }, { signal, onStep })
                : await operations.destroy(store, { signal, onStep });
        } catch (error) {
            return { error: error instanceof Error ? error.message : String(error) };
        }
    };
    let outcome = await run();
    const dead = outcome.lockFailure && outcome.error !== undefined ? deadLockHolder(outcome.error) : undefined;
    if (dead) {
        // The lock was left by a Pulumi process on this very host that no longer exists (a
        // worker killed mid-operation): nothing can be holding it, so it is removed — recorded
        // in the store's events — and the operation runs again. Any other lock is left alone.
        onStep(`removing the stale lock of ${dead} on this host: that process is gone (crashed or killed worker)`);
        log("warn", "removing a stale stack lock left by a dead process on this host", { holder: dead });
        try {
            await operations.releaseLock(store);
            outcome = await run();
        } catch (error) {
            outcome = { error: `the stale lock of ${dead} could not be removed: ${(error as Error).message}`, lockFailure: true };
        }
    }
    await steps;

    if (outcome.error === undefined) {
        await repo.withTransaction(pool, async (client) => {
            const row = await repo.lockStore(client, store);
            if (!row) return;
            const next = transition(row.status, { type: "succeed", kind });
            if ("conflict" in next) throw new Error(next.conflict);
            if (next.status === "gone") {
                await repo.deleteStore(client, store);
                await repo.addEvent(client, store, operationId, "status", "gone");
                return;
            }
            if (kind === "backup") {
                // A backup leaves the store's URL alone; its outcome's status is the snapshot it made.
                await repo.setStoreStatus(client, store, next.status, { reason: null });
                await repo.finishOperation(client, operationId, "succeeded");
                await repo.addEvent(client, store, operationId, "status", `Backup done${outcome.status ? `: ${redactSecrets(outcome.status)}` : ""}`);
                return;
            }
            await repo.setStoreStatus(client, store, next.status, { reason: null, url: outcome.url ?? null });
            await repo.finishOperation(client, operationId, "succeeded");
            await repo.addEvent(client, store, operationId, "status", next.status);
        });
        log("info", `${kind} operation succeeded`);
        return;
    }

    const interrupted = options.shutdown.aborted;
    const why = redactSecrets(firstLines(outcome.error));
    // Interrupted by a shutdown: not this operation's fault, the next worker runs it again.
    const final = !interrupted && job.retryCount >= job.retryLimit;
    const reason = outcome.lockFailure
        ? `${final ? "" : "waiting for the stack's lock: "}${why}`
        : interrupted ? `interrupted by a server shutdown; it runs again when a worker is back: ${why}`
            : final ? why : `attempt ${attempt} of ${attempts} failed, retrying with backoff: ${why}`;
    await repo.withTransaction(pool, async (client) => {
        const row = await repo.lockStore(client, store);
        if (!row) return;
        const next = transition(row.status, { type: "fail", kind, final });
        if ("conflict" in next) return;
        const storeReason = kind === "backup" ? `${final ? "the last backup failed" : "backup"}: ${reason}` : final && kind === "delete" ? `delete failed: ${reason}` : reason;
        await repo.setStoreStatus(client, store, next.status as "Failed" | "Ready", { reason: storeReason });
        await repo.finishOperation(client, operationId, final ? "failed" : "retrying", why);
        await repo.addEvent(client, store, operationId, "status", kind === "backup" ? `Backup ${final ? "failed" : "attempt failed"}: ${reason}` : `${next.status}: ${reason}`);
    });
    log(final ? "error" : "warn", `${kind} operation failed${final ? "" : ", will be retried"}`, { reason: why });
    throw new Error(why);
}

/**
 * A job out of retries. When its last attempt recorded a verdict the store is already Failed;
 * when the attempt died with its worker (heartbeat expired), the store is marked Failed here.
 */
export async function deadLetter(job: JobWithMetadata<OperationJob>, pool: Pool, log: WorkerLog): Promise<void> {
    const { store, operationId, kind } = job.data;
    await repo.withTransaction(pool, async (client) => {
        const operation = await repo.operationById(client, operationId);
        const row = await repo.lockStore(client, store);
        if (!operation || !row || operation.state === "failed" || operation.state === "succeeded") return;
        if (kind === "backup") {
            // A lost backup does not make the shop Failed: the operation failed, the store stays as it is.
            const reason = `the backup stopped without a result on every attempt (its worker stopped or crashed) — start a new one with POST /api/v1/stores/${store}/backups`;
            await repo.setStoreStatus(client, store, row.status, { reason: `the last backup failed: ${reason}` });
            await repo.finishOperation(client, operationId, "failed", reason);
            await repo.addEvent(client, store, operationId, "status", `Backup failed: ${reason}`);
            log.error({ store, operationId, kind }, "operation dead-lettered");
            return;
        }
        const reason = `the ${kind} operation stopped without a result on every attempt (its worker stopped or crashed) — retry it with POST /api/v1/stores/${store}/retry`;
        await repo.setStoreStatus(client, store, "Failed", { reason });
        await repo.finishOperation(client, operationId, "failed", reason);
        await repo.addEvent(client, store, operationId, "status", `Failed: ${reason}`);
        log.error({ store, operationId, kind }, "operation dead-lettered");
    });
}
