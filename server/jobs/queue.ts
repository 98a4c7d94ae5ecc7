/**
 * The job queue (pg-boss on the same PostgreSQL): one queue for store operations with one job
 * per store at a time (policy "exclusive", singleton key = store name), retries with
 * exponential backoff, a heartbeat so that a crashed worker's job is retried, and a
 * dead-letter queue for jobs that ran out of retries.
 */
import type { PoolClient } from "pg";
import type { PgBoss } from "pg-boss";
import type { OperationKind } from "../status";

export const OPERATIONS_QUEUE = "store-operations";
export const DEAD_LETTER_QUEUE = "store-operations-dead";

export interface OperationJob { store: string; operationId: string; kind: OperationKind }

export interface QueueSettings {
    retryLimit: number;
    retryDelaySeconds: number;
    retryDelayMaxSeconds: number;
    /** A job whose worker sends no heartbeat for this long is failed and retried (≥ 10). */
    heartbeatSeconds: number;
    /** Upper bound of one attempt. */
    expireInSeconds: number;
    /** How often expired heartbeats are looked for. */
    superviseSeconds: number;
    pollingSeconds: number;
}

export const DEFAULT_QUEUE_SETTINGS: QueueSettings = {
    retryLimit: 2, retryDelaySeconds: 30, retryDelayMaxSeconds: 600, heartbeatSeconds: 30, expireInSeconds: 2 * 3600, superviseSeconds: 10, pollingSeconds: 1,
};

export async function startBoss(connectionString: string, settings: QueueSettings, onError: (error: Error) => void): Promise<PgBoss> {
    const { PgBoss } = await import("pg-boss");
    const boss = new PgBoss({
        connectionString, schema: "pgboss", max: 4,
        // Workers are woken by NOTIFY when a job is queued (polling stays as the fallback), so an operation starts within milliseconds.
        useListenNotify: true,
        superviseIntervalSeconds: settings.superviseSeconds, monitorIntervalSeconds: settings.superviseSeconds,
    });
    boss.on("error", onError);
    await boss.start();
    await boss.createQueue(DEAD_LETTER_QUEUE, { policy: "standard", retryLimit: 0 });
    await boss.createQueue(OPERATIONS_QUEUE, {
        policy: "exclusive",
        retryLimit: settings.retryLimit, retryDelay: settings.retryDelaySeconds, retryBackoff: true, retryDelayMax: settings.retryDelayMaxSeconds,
        heartbeatSeconds: settings.heartbeatSeconds, expireInSeconds: settings.expireInSeconds,
        deadLetter: DEAD_LETTER_QUEUE, notify: true,
    });
    return boss;
}

/**
 * Queues an operation inside the caller's transaction, so the store row and its job commit
 * together. Returns the job id, or undefined when the store already has a job queued or running.
 */
export async function enqueueOperation(boss: PgBoss, client: PoolClient, job: OperationJob): Promise<string | undefined> {
    const id = await boss.send(OPERATIONS_QUEUE, { ...job }, {
        singletonKey: job.store,
        db: { executeSql: (text: string, values?: unknown[]) => client.query(text, values) },
    });
    return id ?? undefined;
}
