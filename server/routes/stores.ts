/** The store routes under /api/v1: create, list, show, delete, retry, credentials, events. */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import * as zlib from "node:zlib";
import type { Pool } from "pg";
import type { PgBoss } from "pg-boss";
import { z } from "zod";
import { resolveStore, validateStoreEntry } from "../../components/storeList";
import { Caller, sendProblem } from "../app";
import * as repo from "../db/repository";
import { enqueueOperation } from "../jobs/queue";
import type { StoreOperations } from "../operations";
import { entryLinesToErrors, problem, summarize } from "../problems";
import { redactSecrets } from "../jobs/worker";
import { decide, RateLimitPolicy, windowOf } from "../rateLimit";
import { backupListSchema, createStoreBody, credentialsSchema, problems, storeListSchema, storeNameParams, storeSchema, StoreView } from "../schemas";
import { isFinal, OperationKind, StoreStatus, transition } from "../status";
import { apiStoreView, listedStoreView } from "../views";

export interface StoreRouteOptions {
    pool: Pool;
    boss: PgBoss;
    operations: StoreOperations;
    rateLimit: RateLimitPolicy;
    now: () => number;
    shutdown: AbortSignal;
    eventsPollMs: number;
}

/** A conflict found inside a transaction: rolls it back and becomes the response. */
class Refusal extends Error {
    constructor(readonly status: number, message: string) {
        super(message);
    }
}

const caller = (request: FastifyRequest): Caller => request.caller!;
const visible = (row: repo.StoreRow, who: Caller) => who.admin || row.owner_id === who.id;
const notFound = (name: string) => problem(404, `no store "${name}" — list yours with GET /api/v1/stores`);

export const storeRoutes: FastifyPluginAsyncZod<StoreRouteOptions> = async (app, options) => {
    const { pool, boss, operations } = options;

    /** The store if the caller may see it; otherwise the 404 was sent (another owner's store looks absent). */
    const visibleStore = async (name: string, request: FastifyRequest, reply: FastifyReply): Promise<repo.StoreRow | undefined> => {
        const row = await repo.storeByName(pool, name);
        if (row && visible(row, caller(request))) return row;
        const listed = caller(request).admin ? safeListed().find((store) => store.name === name) : undefined;
        if (listed) {
            sendProblem(reply, problem(409, `store "${name}" is managed in stores.yaml: it is read-only here — change it through git and npm run up`));
        } else {
            sendProblem(reply, notFound(name));
        }
        return undefined;
    };
    const safeListed = () => {
        try {
            return operations.listedStores();
        } catch {
            return [];
        }
    };

    const rateLimited = async (request: FastifyRequest, reply: FastifyReply) => {
        const window = windowOf(options.now(), options.rateLimit);
        const count = await repo.hitRateLimit(pool, `create:${request.ip}`, window.start);
        const decision = decide(count, window.resetSeconds, options.rateLimit);
        reply.headers(decision.headers);
        if (!decision.allowed) {
            request.log.warn({ clientIp: request.ip }, "store creations rate limited");
            sendProblem(reply, problem(429, `at most ${options.rateLimit.limit} store creations per ${options.rateLimit.windowSeconds} s from one client — try again in ${window.resetSeconds} s`));
            return reply;
        }
    };

    app.post("/stores", {
        onRequest: rateLimited,
        schema: {
            summary: "Create a store",
            description: "Queues the store's creation and answers at once; follow its status at the Location.",
            body: createStoreBody,
            response: { 202: storeSchema, ...problems(400, 401, 403, 409, 413, 415, 422, 429, 503) },
        },
    }, async (request, reply) => {
        const who = caller(request);
        const body = request.body;
        const checked = validateStoreEntry(body, operations.config());
        if (!checked.store) {
            const errors = entryLinesToErrors(checked.problems);
            return sendProblem(reply, problem(422, summarize(errors, "the request body"), errors));
        }
        let listed;
        try {
            listed = operations.listedStores();
        } catch (error) {
            request.log.error({ err: error }, "stores.yaml is invalid");
            return sendProblem(reply, problem(503, "the platform's store list (stores.yaml) is invalid, so names cannot be checked — the operators must fix it (npm run validate)"));
        }
        if (listed.some((store) => store.name === body.name)) {
            return sendProblem(reply, problem(409, `the name "${body.name}" is taken by a store in stores.yaml — choose another name`));
        }
        let stacks;
        try {
            stacks = await operations.stackStores();
        } catch (error) {
            request.log.error({ err: error }, "cannot list the stacks");
            return sendProblem(reply, problem(503, "the Pulumi backend cannot be read, so names cannot be checked — try again later"));
        }
        const existing = await repo.storeByName(pool, body.name);
        if (!existing && stacks.has(body.name)) {
            return sendProblem(reply, problem(409, `the name "${body.name}" is taken: a stack for that store already exists — choose another name`));
        }
        try {
            await repo.withTransaction(pool, async (client) => {
                // The owner's row is locked so that two creations at once cannot both pass the cap.
                const owner = (await client.query<{ max_stores: number | null }>("SELECT max_stores FROM tokens WHERE id = $1 FOR UPDATE", [who.id])).rows[0];
                if (owner?.max_stores !== null && owner?.max_stores !== undefined) {
                    const count = await repo.countStoresOf(client, who.id);
                    if (count >= owner.max_stores) throw new Refusal(403, `this token may own at most ${owner.max_stores} store${owner.max_stores === 1 ? "" : "s"} and owns ${count} — delete one first, or ask an admin for a higher cap`);
                }
                if (!(await repo.insertStore(client, { name: body.name, ownerId: who.id, entry: body }))) {
                    throw new Refusal(409, `the name "${body.name}" is taken — choose another name`);
                }
                await queue(client, body.name, "create");
            });
        } catch (error) {
            if (error instanceof Refusal) return sendProblem(reply, problem(error.status, error.message));
            throw error;
        }
        request.log.info({ store: body.name, owner: who.name }, "store creation queued");
        const row = (await repo.storeByName(pool, body.name))!;
        return reply.code(202).header("Location", `/api/v1/stores/${body.name}`).send(apiStoreView(row));
    });

    /** Adds the operation and its job in the caller's transaction. */
    const queue = async (client: Parameters<typeof enqueueOperation>[1], store: string, kind: OperationKind) => {
        const operationId = await repo.insertOperation(client, store, kind);
        const jobId = await enqueueOperation(boss, client, { store, operationId, kind });
        if (!jobId) throw new Refusal(409, `an operation on "${store}" is still queued or running — wait for it to finish`);
        await repo.setOperationJob(client, operationId, jobId);
        await repo.addEvent(client, store, operationId, "status", kind === "create" ? "Queued" : kind === "delete" ? "Deleting" : "Backup queued");
    };

    /**
     * Serialized lists by caller, valid while the database's list version is unchanged. Admin
     * lists also show stores.yaml stores and their stacks, which change outside the database:
     * theirs are reused for a few seconds at most.
     */
    const listCache = new Map<string, { version: string; at: number; body: SerializedList }>();
    const ADMIN_LIST_MAX_AGE_MS = 5_000;

    app.get("/stores", {
        schema: { summary: "List stores", description: "The caller's stores; admins see every store, stores.yaml ones read-only.", response: { 200: storeListSchema, ...problems(401) } },
    }, async (request, reply) => {
        const who = caller(request);
        const key = who.admin ? "*admin" : who.id;
        const version = who.list_version;
        const cached = listCache.get(key);
        if (cached && cached.version === version && (!who.admin || Date.now() - cached.at < ADMIN_LIST_MAX_AGE_MS)) {
            return sendSerialized(request, reply, cached.body);
        }
        const body = serialize(JSON.stringify(storeListSchema.encode(await storeList(who))));
        if (listCache.size > 10_000) listCache.clear();
        listCache.set(key, { version, at: Date.now(), body });
        return sendSerialized(request, reply, body);
    });

    const storeList = async (who: Caller): Promise<{ stores: StoreView[] }> => {
        const rows = await repo.listStores(pool, who.admin ? undefined : who.id);
        const stores: StoreView[] = rows.map(apiStoreView);
        if (who.admin) {
            const stacks = await operations.stackStores({ allowStale: true }).catch(() => new Map());
            const taken = new Set(rows.map((row) => row.name));
            for (const store of safeListed()) if (!taken.has(store.name)) stores.push(listedStoreView(store, stacks.get(store.name)));
            stores.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        }
        return { stores };
    };

    app.get("/stores/:name", {
        schema: { summary: "Show a store", params: storeNameParams, response: { 200: storeSchema, ...problems(400, 401, 404, 409) } },
    }, async (request, reply) => {
        const row = await visibleStore(request.params.name, request, reply);
        if (!row) return;
        return apiStoreView(row);
    });

    app.delete("/stores/:name", {
        schema: { summary: "Delete a store", description: "Queues the deletion; the store answers 404 once it is gone.", params: storeNameParams, response: { 202: storeSchema, ...problems(400, 401, 404, 409) } },
    }, async (request, reply) => {
        const name = request.params.name;
        const row = await visibleStore(name, request, reply);
        if (!row) return;
        const entry = createStoreBody.safeParse(row.entry);
        if (entry.success && resolveStore({ ...entry.data, protect: undefined }, operations.config()).protect) {
            return sendProblem(reply, problem(409, `store "${name}" is protected (woostore:protectStores): it cannot be deleted through the API`));
        }
        const refused = await changeStatus(name, { type: "request-delete" }, "delete");
        if (refused) return sendProblem(reply, refused);
        request.log.info({ store: name, by: caller(request).name }, "store deletion queued");
        return reply.code(202).send(apiStoreView((await repo.storeByName(pool, name))!));
    });

    app.post("/stores/:name/retry", {
        schema: { summary: "Retry a Failed store's last operation", params: storeNameParams, response: { 202: storeSchema, ...problems(400, 401, 404, 409) } },
    }, async (request, reply) => {
        const name = request.params.name;
        const row = await visibleStore(name, request, reply);
        if (!row) return;
        const kind = row.op_kind ?? "create";
        const refused = await changeStatus(name, { type: "request-retry", kind }, kind);
        if (refused) return sendProblem(reply, refused);
        return reply.code(202).send(apiStoreView((await repo.storeByName(pool, name))!));
    });

    /** Applies a requested transition and queues its operation, in one transaction; a problem when refused. */
    const changeStatus = async (name: string, event: Parameters<typeof transition>[1], kind: OperationKind) => {
        try {
            await repo.withTransaction(pool, async (client) => {
                const locked = await repo.lockStore(client, name);
                if (!locked) throw new Refusal(404, `no store "${name}"`);
                const next = transition(locked.status, event);
                if ("conflict" in next) throw new Refusal(409, next.conflict);
                // Deleting a store that is already being deleted changes nothing.
                if (event.type === "request-delete" && locked.status === "Deleting") return;
                await repo.setStoreStatus(client, name, next.status as StoreStatus, { reason: null });
                await queue(client, name, kind);
            });
        } catch (error) {
            if (error instanceof Refusal) return error.status === 404 ? notFound(name) : problem(error.status, error.message);
            throw error;
        }
        return undefined;
    };

    /**
     * Backups are a stack-wide setting (woostore:backup): without it no store has a repository.
     * That is the platform's state, not a fault of the request, so it is 409 Conflict (422 is
     * kept for request bodies that are wrong), with what operators must do.
     */
    const notConfigured = (name: string) => problem(409, `backups are not configured on this platform, so store "${name}" has none — the operators enable them with woostore:backup.target in the stack config (README: "Backups and restore") and npm run up`);

    app.post("/stores/:name/backups", {
        schema: {
            summary: "Back a store up now",
            description: "Queues a manual backup of a Ready store and answers at once with the store and its new `backup` operation; follow its progress with GET …/events. The store stays Ready while it is backed up. 409 when backups are not configured for the platform's stack, when the store is not Ready, or when another operation on it is queued or running.",
            params: storeNameParams,
            response: { 202: storeSchema, ...problems(400, 401, 404, 409) },
        },
    }, async (request, reply) => {
        const name = request.params.name;
        const row = await visibleStore(name, request, reply);
        if (!row) return;
        if (!operations.config().backup) return sendProblem(reply, notConfigured(name));
        try {
            await repo.withTransaction(pool, async (client) => {
                const locked = await repo.lockStore(client, name);
                if (!locked) throw new Refusal(404, `no store "${name}"`);
                const next = transition(locked.status, { type: "request-backup" });
                if ("conflict" in next) throw new Refusal(409, next.conflict);
                await queue(client, name, "backup");
            });
        } catch (error) {
            if (error instanceof Refusal) return sendProblem(reply, error.status === 404 ? notFound(name) : problem(error.status, error.message));
            throw error;
        }
        request.log.info({ store: name, by: caller(request).name }, "store backup queued");
        return reply.code(202).header("Location", `/api/v1/stores/${name}/backups`).send(apiStoreView((await repo.storeByName(pool, name))!));
    });

    app.get("/stores/:name/backups", {
        schema: {
            summary: "A store's backups (snapshots), newest first",
            description: "Read from the store's restic repository. 409 when backups are not configured for the platform's stack or the store has not been deployed; 503 when the repository cannot be read.",
            params: storeNameParams,
            response: { 200: backupListSchema, ...problems(400, 401, 404, 409, 503) },
        },
    }, async (request, reply) => {
        const name = request.params.name;
        const row = await visibleStore(name, request, reply);
        if (!row) return;
        if (!operations.config().backup) return sendProblem(reply, notConfigured(name));
        if (row.status !== "Ready" && row.status !== "Failed") {
            return sendProblem(reply, problem(409, `store "${name}" is ${row.status}: its backups can be listed once it is Ready`));
        }
        try {
            const snapshots = await operations.listBackups({ ...row.entry, name });
            return { store: name, snapshots: snapshots.map((snapshot) => ({ ...snapshot, kind: isSnapshotKind(snapshot.kind) ? snapshot.kind : null })) };
        } catch (error) {
            request.log.error({ err: error, store: name }, "cannot list backups");
            return sendProblem(reply, problem(503, `the backups of "${name}" cannot be read right now: ${redactSecrets((error as Error).message)} — try again later`));
        }
    });

    app.get("/stores/:name/credentials", {
        schema: {
            summary: "The store's admin credentials (Ready stores only; every read is audit-logged)",
            params: storeNameParams, response: { 200: credentialsSchema, ...problems(400, 401, 404, 409) },
        },
    }, async (request, reply) => {
        const name = request.params.name;
        const row = await visibleStore(name, request, reply);
        if (!row) return;
        if (row.status !== "Ready") return sendProblem(reply, problem(409, `store "${name}" is ${row.status}: credentials are available once it is Ready`));
        const credentials = await operations.credentials(name);
        if (!credentials) return sendProblem(reply, problem(409, `store "${name}" has no credentials in its stack outputs yet — try again shortly`));
        const who = caller(request);
        // Audit first: a read that cannot be recorded is not answered.
        await repo.auditCredentialsRead(pool, { store: name, tokenId: who.id, tokenName: who.name, ip: request.ip });
        request.log.info({ store: name, by: who.name, clientIp: request.ip }, "credentials read");
        return { ...credentials, url: row.url };
    });

    app.get("/stores/:name/events", {
        schema: {
            summary: "Server-Sent Events: the latest operation's progress, ending with the final status",
            params: storeNameParams,
            headers: z.object({ "last-event-id": z.string().regex(/^\d{1,18}$/).optional() }),
            response: { 200: z.string().describe("text/event-stream"), ...problems(400, 401, 404, 409) },
        },
    }, async (request, reply) => {
        const name = request.params.name;
        const row = await visibleStore(name, request, reply);
        if (!row) return;
        const lastId = Number(request.headers["last-event-id"] ?? 0);
        // From the start means from the latest operation's start: a backup's progress does not replay the store's creation.
        streamEvents(reply, name, lastId || (row.op_id ? await repo.eventsBefore(pool, name, row.op_id) : 0), options);
    });
};

const SNAPSHOT_KINDS = ["scheduled", "manual", "pre-upgrade"] as const;
const isSnapshotKind = (kind: string | null): kind is (typeof SNAPSHOT_KINDS)[number] => SNAPSHOT_KINDS.includes(kind as (typeof SNAPSHOT_KINDS)[number]);

/** A JSON body made once and sent many times: as bytes, and gzipped for clients that accept it. */
interface SerializedList { plain: Buffer; gzip: Buffer }

function serialize(json: string): SerializedList {
    const plain = Buffer.from(json, "utf8");
    return { plain, gzip: zlib.gzipSync(plain, { level: 6 }) };
}

/** Sends JSON already serialized (and checked against the schema when it was made). */
function sendSerialized(request: FastifyRequest, reply: { raw: unknown }, body: SerializedList): void {
    const typed = reply as unknown as FastifyReply;
    typed.type("application/json; charset=utf-8").header("Vary", "Accept-Encoding");
    if (/\bgzip\b/.test(String(request.headers["accept-encoding"] ?? ""))) {
        typed.header("Content-Encoding", "gzip").send(body.gzip);
    } else {
        typed.send(body.plain);
    }
}

/** Writes the store's events as they are recorded; ends after a final status, when the client leaves, or at shutdown. */
function streamEvents(reply: FastifyReply, store: string, lastId: number, options: StoreRouteOptions): void {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-store",
        Connection: "keep-alive",
        "X-Content-Type-Options": "nosniff",
        "X-Request-Id": String(reply.request.id),
    });
    let after = lastId;
    let closed = false;
    let idle = 0;
    const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(timer);
        options.shutdown.removeEventListener("abort", close);
        raw.end();
    };
    raw.on("close", close);
    options.shutdown.addEventListener("abort", close);
    let busy = false;
    const poll = async () => {
        if (closed || busy) return;
        busy = true;
        try {
            const events = await repo.eventsSince(options.pool, store, after);
            for (const event of events) {
                after = Number(event.id);
                raw.write(`id: ${event.id}\nevent: ${event.kind}\ndata: ${JSON.stringify({ text: event.text, at: event.at.toISOString() })}\n\n`);
            }
            if (events.length === 0 && ++idle % 30 === 0) raw.write(": keep-alive\n\n");
            const current = await repo.storeByName(options.pool, store);
            const status = current ? current.status : "gone";
            // A backup runs on a Ready store: the stream lasts until its operation has ended too.
            const inFlight = current?.op_state === "queued" || current?.op_state === "running" || current?.op_state === "retrying";
            if (isFinal(status) && !inFlight && events.length === 0) {
                raw.write(`event: end\ndata: ${JSON.stringify({ status })}\n\n`);
                close();
            }
        } catch (error) {
            reply.request.log.warn({ err: error }, "events stream failed");
            close();
        } finally {
            busy = false;
        }
    };
    const timer = setInterval(() => void poll(), options.eventsPollMs);
    void poll();
}
