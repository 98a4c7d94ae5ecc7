/** The API's SQL, one function per question; each takes a pool or a client inside a transaction. */
import type { Pool, PoolClient } from "pg";
import type { OperationKind, StoreStatus } from "../status";

export type Queryable = Pick<Pool | PoolClient, "query">;

export interface TokenRow { id: string; name: string; admin: boolean; max_stores: number | null; created_at: Date; revoked_at: Date | null }

export interface StoreRow {
    name: string;
    owner_id: string;
    owner_name: string;
    entry: Record<string, unknown>;
    status: StoreStatus;
    reason: string | null;
    url: string | null;
    created_at: Date;
    updated_at: Date;
    op_id: string | null;
    op_kind: OperationKind | null;
    op_state: string | null;
    op_attempts: number | null;
    op_error: string | null;
    op_created_at: Date | null;
    op_started_at: Date | null;
    op_finished_at: Date | null;
}

export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    try {
        await client.query("BEGIN");
        const result = await work(client);
        await client.query("COMMIT");
        return result;
    } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
    } finally {
        client.release();
    }
}

// --- tokens

export async function insertToken(db: Queryable, token: { name: string; hash: string; admin: boolean; maxStores?: number }): Promise<TokenRow> {
    const result = await db.query<TokenRow>(
        "INSERT INTO tokens (name, hash, admin, max_stores) VALUES ($1, $2, $3, $4) RETURNING id, name, admin, max_stores, created_at, revoked_at",
        [token.name, token.hash, token.admin, token.maxStores ?? null]);
    return result.rows[0];
}

/** The active token with this hash, and the store list's version read in the same round trip (see listVersion). */
export async function tokenByHash(db: Queryable, hash: string): Promise<(TokenRow & { list_version: string }) | undefined> {
    const result = await db.query<TokenRow & { list_version: string }>(
        "SELECT id, name, admin, max_stores, created_at, revoked_at, (SELECT version FROM list_version) AS list_version FROM tokens WHERE hash = $1 AND revoked_at IS NULL", [hash]);
    return result.rows[0];
}

export async function listTokens(db: Queryable): Promise<(TokenRow & { stores: number })[]> {
    const result = await db.query<TokenRow & { stores: string }>(
        "SELECT t.id, t.name, t.admin, t.max_stores, t.created_at, t.revoked_at, (SELECT count(*) FROM stores s WHERE s.owner_id = t.id) AS stores FROM tokens t ORDER BY t.created_at");
    return result.rows.map((row) => ({ ...row, stores: Number(row.stores) }));
}

export async function revokeToken(db: Queryable, name: string): Promise<boolean> {
    const result = await db.query("UPDATE tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL", [name]);
    return (result.rowCount ?? 0) > 0;
}

export async function countTokens(db: Queryable): Promise<number> {
    return Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM tokens")).rows[0].n);
}

// --- stores

const STORE_SELECT = `
    SELECT s.name, s.owner_id, t.name AS owner_name, s.entry, s.status, s.reason, s.url, s.created_at, s.updated_at,
           o.id::text AS op_id, o.kind AS op_kind, o.state AS op_state, o.attempts AS op_attempts, o.error AS op_error,
           o.created_at AS op_created_at, o.started_at AS op_started_at, o.finished_at AS op_finished_at
    FROM stores s
    JOIN tokens t ON t.id = s.owner_id
    LEFT JOIN LATERAL (SELECT * FROM operations WHERE store = s.name ORDER BY id DESC LIMIT 1) o ON true`;

export async function storeByName(db: Queryable, name: string): Promise<StoreRow | undefined> {
    return (await db.query<StoreRow>(`${STORE_SELECT} WHERE s.name = $1`, [name])).rows[0];
}

/**
 * Stores in name order, without their entries (a list does not show them). Names are DNS
 * labels, so byte order ("C") is their order, and far cheaper than the locale's collation.
 */
export async function listStores(db: Queryable, ownerId?: string): Promise<Omit<StoreRow, "entry">[]> {
    const select = STORE_SELECT.replace("s.entry, ", "");
    return ownerId === undefined
        ? (await db.query<StoreRow>(`${select} ORDER BY s.name COLLATE "C"`)).rows
        : (await db.query<StoreRow>(`${select} WHERE s.owner_id = $1 ORDER BY s.name COLLATE "C"`, [ownerId])).rows;
}

/** The counter every change to stores, operations and tokens bumps (migration 0002). */
export async function listVersion(db: Queryable): Promise<string> {
    return (await db.query<{ version: string }>("SELECT version FROM list_version")).rows[0].version;
}

export async function countStoresOf(db: Queryable, ownerId: string): Promise<number> {
    return Number((await db.query<{ n: string }>("SELECT count(*) AS n FROM stores WHERE owner_id = $1", [ownerId])).rows[0].n);
}

/** Inserts the store; false when the name is taken (by another API store). */
export async function insertStore(db: Queryable, store: { name: string; ownerId: string; entry: object }): Promise<boolean> {
    const result = await db.query("INSERT INTO stores (name, owner_id, entry, status) VALUES ($1, $2, $3, 'Queued') ON CONFLICT (name) DO NOTHING", [store.name, store.ownerId, JSON.stringify(store.entry)]);
    return (result.rowCount ?? 0) > 0;
}

export async function setStoreStatus(db: Queryable, name: string, status: StoreStatus, fields: { reason?: string | null; url?: string | null } = {}): Promise<void> {
    await db.query(
        `UPDATE stores SET status = $2, reason = $3, url = CASE WHEN $4::boolean THEN $5 ELSE url END, updated_at = now() WHERE name = $1`,
        [name, status, fields.reason ?? null, fields.url !== undefined, fields.url ?? null]);
}

export async function deleteStore(db: Queryable, name: string): Promise<void> {
    await db.query("DELETE FROM stores WHERE name = $1", [name]);
}

/** Locks the store's row for the rest of the transaction; undefined when it does not exist. */
export async function lockStore(db: Queryable, name: string): Promise<{ status: StoreStatus; owner_id: string } | undefined> {
    return (await db.query<{ status: StoreStatus; owner_id: string }>("SELECT status, owner_id FROM stores WHERE name = $1 FOR UPDATE", [name])).rows[0];
}

// --- operations

export async function insertOperation(db: Queryable, store: string, kind: OperationKind): Promise<string> {
    return (await db.query<{ id: string }>("INSERT INTO operations (store, kind, state) VALUES ($1, $2, 'queued') RETURNING id::text", [store, kind])).rows[0].id;
}

export async function setOperationJob(db: Queryable, id: string, jobId: string): Promise<void> {
    await db.query("UPDATE operations SET job_id = $2 WHERE id = $1", [id, jobId]);
}

export async function operationById(db: Queryable, id: string): Promise<{ id: string; store: string; kind: OperationKind; state: string } | undefined> {
    return (await db.query<{ id: string; store: string; kind: OperationKind; state: string }>("SELECT id::text, store, kind, state FROM operations WHERE id = $1", [id])).rows[0];
}

export async function startOperation(db: Queryable, id: string, attempt: number): Promise<void> {
    await db.query("UPDATE operations SET state = 'running', attempts = $2, started_at = COALESCE(started_at, now()) WHERE id = $1", [id, attempt]);
}

export async function finishOperation(db: Queryable, id: string, state: "succeeded" | "failed" | "retrying", error?: string): Promise<void> {
    await db.query(
        "UPDATE operations SET state = $2, error = $3, finished_at = CASE WHEN $2 = 'retrying' THEN NULL ELSE now() END WHERE id = $1",
        [id, state, error ?? null]);
}

// --- events

export async function addEvent(db: Queryable, store: string, operationId: string | null, kind: "status" | "step", text: string): Promise<void> {
    await db.query("INSERT INTO store_events (store, operation_id, kind, text) VALUES ($1, $2, $3, $4)", [store, operationId, kind, text]);
}

/** The id of the store's last event before its latest operation's: a stream from the start shows only that operation. */
export async function eventsBefore(db: Queryable, store: string, operationId: string): Promise<number> {
    return Number((await db.query<{ id: string }>(
        "SELECT coalesce(max(id), 0)::text AS id FROM store_events WHERE store = $1 AND operation_id < $2", [store, operationId])).rows[0].id);
}

export async function eventsSince(db: Queryable, store: string, afterId: number): Promise<{ id: string; kind: string; text: string; at: Date }[]> {
    return (await db.query<{ id: string; kind: string; text: string; at: Date }>(
        "SELECT id::text, kind, text, at FROM store_events WHERE store = $1 AND id > $2 ORDER BY id LIMIT 500", [store, afterId])).rows;
}

// --- audit log

export async function auditCredentialsRead(db: Queryable, entry: { store: string; tokenId: string; tokenName: string; ip: string }): Promise<void> {
    await db.query("INSERT INTO audit_log (action, store, token_id, token_name, client_ip) VALUES ('credentials.read', $1, $2, $3, $4)", [entry.store, entry.tokenId, entry.tokenName, entry.ip]);
}

// --- rate limiting

/** Counts one hit for `key` in the window starting at `windowStart`; returns the window's count. */
export async function hitRateLimit(db: Queryable, key: string, windowStart: Date): Promise<number> {
    const result = await db.query<{ count: number }>(
        `INSERT INTO rate_limit_counters (key, window_start, count) VALUES ($1, $2, 1)
         ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_counters.count + 1 RETURNING count`, [key, windowStart]);
    return result.rows[0].count;
}

export async function pruneRateLimits(db: Queryable, before: Date): Promise<void> {
    await db.query("DELETE FROM rate_limit_counters WHERE window_start < $1", [before]);
}
