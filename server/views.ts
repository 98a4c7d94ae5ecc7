/** Database rows and store-list entries as the API shows them (pure). */
import type { ResolvedStore } from "../components/storeList";
import type { StoreRow } from "./db/repository";
import type { StackState } from "./operations";
import type { StoreView } from "./schemas";

const iso = (date: Date | null): string | null => (date ? date.toISOString() : null);

export function apiStoreView(row: Omit<StoreRow, "entry">): StoreView {
    return {
        name: row.name,
        status: row.status,
        reason: row.reason,
        url: row.url,
        source: "api",
        readOnly: false,
        owner: row.owner_name,
        createdAt: iso(row.created_at),
        updatedAt: iso(row.updated_at),
        operation: row.op_id === null ? null : {
            id: row.op_id,
            kind: row.op_kind!,
            state: row.op_state as NonNullable<StoreView["operation"]>["state"],
            attempts: row.op_attempts ?? 0,
            error: row.op_error,
            createdAt: iso(row.op_created_at)!,
            startedAt: iso(row.op_started_at),
            finishedAt: iso(row.op_finished_at),
        },
    };
}

/**
 * A stores.yaml store, read-only: its status from the record `npm run up` left on its stack
 * (Queued until its first run has created the stack).
 */
export function listedStoreView(store: ResolvedStore, stack: StackState | undefined): StoreView {
    const status = stack === undefined ? "Queued" : stack.result === "failed" ? "Failed" : "Ready";
    return {
        name: store.name,
        status,
        reason: stack === undefined ? "not deployed yet: `npm run up` creates it" : stack.result === "failed" ? "the last `npm run up` failed on this store; see its log" : null,
        url: stack === undefined ? null : store.url,
        source: "stores.yaml",
        readOnly: true,
        owner: null,
        createdAt: null,
        updatedAt: null,
        operation: null,
    };
}
