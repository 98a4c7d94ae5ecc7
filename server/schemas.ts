/**
 * Request and response schemas of the API (zod; validation, types and the OpenAPI document all
 * come from these). The store entry is the one stores.yaml uses, limited to what an API caller
 * may set: host, container sizes and protection stay with the platform's git-managed list.
 */
import { z } from "zod";
import { storeEntrySchema } from "../components/storeList";
import { OPERATION_KINDS, STORE_STATUSES } from "./status";

export const createStoreBody = storeEntrySchema.pick({ name: true, title: true, admin: true, woocommerce: true, quota: true })
    .meta({ id: "CreateStore" });
export type CreateStoreBody = z.output<typeof createStoreBody>;

export const storeNameParams = z.strictObject({
    name: z.string().min(1).max(63).describe("The store's name").meta({ examples: ["demo-shop"] }),
});

export const problemSchema = z.object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string(), hint: z.string() })).optional(),
}).meta({ id: "Problem", description: "RFC 9457 problem details; `errors` lists every problem of the request with how to fix it" });

export const operationSchema = z.object({
    id: z.string(),
    kind: z.enum(OPERATION_KINDS),
    state: z.enum(["queued", "running", "retrying", "succeeded", "failed"]),
    attempts: z.number().int(),
    error: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
}).meta({ id: "Operation" });

export const storeSchema = z.object({
    name: z.string(),
    status: z.enum(STORE_STATUSES),
    reason: z.string().nullable().describe("Why the store failed, or what the operation in flight is waiting for"),
    url: z.string().nullable(),
    source: z.enum(["api", "stores.yaml"]).describe("stores.yaml stores are read-only here: they are changed through git"),
    readOnly: z.boolean(),
    owner: z.string().nullable().describe("The owning token's name (shown to admins)"),
    createdAt: z.string().nullable(),
    updatedAt: z.string().nullable(),
    operation: operationSchema.nullable().describe("The latest operation"),
}).meta({ id: "Store" });
export type StoreView = z.output<typeof storeSchema>;

export const storeListSchema = z.object({ stores: z.array(storeSchema) }).meta({ id: "StoreList" });

export const credentialsSchema = z.object({
    adminUser: z.string(),
    adminPassword: z.string(),
    url: z.string().nullable(),
}).meta({ id: "Credentials" });

export const backupSnapshotSchema = z.object({
    id: z.string().describe("restic's short snapshot id, as `npm run restore -- <store> --snapshot <id>` takes it"),
    time: z.string().describe("When the snapshot was taken (ISO 8601, UTC)"),
    kind: z.enum(["scheduled", "manual", "pre-upgrade"]).nullable().describe("What made it: the CronJob, a request, or an upgrade; null when the snapshot has no kind tag"),
    orders: z.number().int().nullable().describe("Orders in the database when it was taken"),
    sizeBytes: z.number().int().nullable().describe("Bytes the backup read (restic ≥ 0.17 records it); null when unknown"),
}).meta({ id: "BackupSnapshot" });

export const backupListSchema = z.object({
    store: z.string(),
    snapshots: z.array(backupSnapshotSchema).describe("Newest first"),
}).meta({ id: "BackupList" });

export const healthSchema = z.object({ status: z.string() });
export const readySchema = z.object({ status: z.string(), database: z.boolean(), migrations: z.boolean() });

/** Problem responses for the given statuses, for a route's `response` map. */
export function problems(...statuses: number[]): Record<number, typeof problemSchema> {
    return Object.fromEntries(statuses.map((status) => [status, problemSchema]));
}
