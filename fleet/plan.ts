/**
 * Planning a fleet run: which store's stack to create, update, refresh, leave alone, destroy or
 * refuse, from the desired stores and what the backend holds. Pure: the stacks' facts come in
 * (from stack tags, or the local cache when it is provably current).
 */

export interface DesiredStore { name: string; fingerprint: string; protect: boolean }

/** What `npm run up` records on each per-store stack (one stack tag, `woostore:fleet`). */
export interface StackRecord {
    fingerprint?: string;
    /** How the last fleet operation on the stack ended. */
    result?: "succeeded" | "failed";
    /** Where the store comes from: the store list (git) or the self-service API. */
    source?: "stores.yaml" | "api";
    protect?: boolean;
}

export interface ExistingStoreStack { stack: string; store: string; record: StackRecord }

export type Action = "create" | "update" | "refresh" | "unchanged" | "delete" | "refuse" | "skip";

export interface PlannedStore {
    store: string;
    stack: string;
    action: Action;
    /** Why this action (shown in progress and in --json). */
    why: string;
}

export interface PlanOptions {
    /** Update every store whatever its fingerprint. */
    all?: boolean;
    /** Refresh every store with expect-no-changes (the drift check) instead of updating. */
    refresh?: boolean;
    /** Act on these stores only (--store); undefined = all. */
    only?: readonly string[];
}

export function planFleet(
    desired: readonly DesiredStore[],
    existing: readonly ExistingStoreStack[],
    stackOf: (store: string) => string,
    options: PlanOptions = {},
): PlannedStore[] {
    const byStore = new Map(existing.map((entry) => [entry.store, entry]));
    const wanted = new Set(desired.map((store) => store.name));
    const selected = (store: string) => options.only === undefined || options.only.includes(store);
    const plan: PlannedStore[] = [];
    for (const store of desired) {
        const stack = byStore.get(store.name)?.stack ?? stackOf(store.name);
        const record = byStore.get(store.name)?.record;
        if (!selected(store.name)) {
            plan.push({ store: store.name, stack, action: "skip", why: "not selected by --store" });
        } else if (!record && options.refresh) {
            // The drift check is read-only: a store not deployed yet (e.g. prod awaiting approval)
            // must not be created by it, past the approval and the policy pack.
            plan.push({ store: store.name, stack, action: "skip", why: "not deployed yet; --refresh does not create" });
        } else if (!record) {
            plan.push({ store: store.name, stack, action: "create", why: "new store" });
        } else if (options.refresh) {
            plan.push({ store: store.name, stack, action: "refresh", why: "--refresh (drift check)" });
        } else if (options.all) {
            plan.push({ store: store.name, stack, action: "update", why: "--all" });
        } else if (record.result !== "succeeded") {
            plan.push({ store: store.name, stack, action: "update", why: record.result === "failed" ? "its last update failed" : "no completed update recorded" });
        } else if (record.fingerprint !== store.fingerprint) {
            plan.push({ store: store.name, stack, action: "update", why: record.fingerprint ? "changed" : "no fingerprint recorded" });
        } else {
            plan.push({ store: store.name, stack, action: "unchanged", why: "fingerprint unchanged" });
        }
    }
    for (const entry of existing) {
        if (wanted.has(entry.store)) continue;
        if (entry.record.source === "api") continue; // the API's stores are not in the list, and never deleted by it
        if (!selected(entry.store)) {
            plan.push({ store: entry.store, stack: entry.stack, action: "skip", why: "not selected by --store" });
        } else if (options.refresh) {
            plan.push({ store: entry.store, stack: entry.stack, action: "skip", why: "removed from the store list; --refresh does not delete" });
        } else if (entry.record.protect) {
            plan.push({ store: entry.store, stack: entry.stack, action: "refuse", why: "removed from the store list, but protected: set protect: false on it and run up, then remove it" });
        } else {
            plan.push({ store: entry.store, stack: entry.stack, action: "delete", why: "removed from the store list" });
        }
    }
    return plan.sort((a, b) => (a.store < b.store ? -1 : a.store > b.store ? 1 : 0));
}

/** `--store` names that are neither in the list nor have a stack: argument errors. */
export function unknownSelections(only: readonly string[] | undefined, desired: readonly DesiredStore[], existing: readonly ExistingStoreStack[]): string[] {
    if (!only) return [];
    const known = new Set([...desired.map((store) => store.name), ...existing.map((entry) => entry.store)]);
    return only.filter((name) => !known.has(name));
}

/** The stack tag that carries a StackRecord (one tag, so recording it is one CLI call). */
export const RECORD_TAG = "woostore:fleet";

export function encodeRecord(record: StackRecord): string {
    return JSON.stringify({ fp: record.fingerprint, result: record.result, source: record.source, protect: record.protect });
}

export function decodeRecord(text: string | undefined): StackRecord {
    if (!text) return {};
    try {
        const raw = JSON.parse(text) as { fp?: unknown; result?: unknown; source?: unknown; protect?: unknown };
        return {
            fingerprint: typeof raw.fp === "string" ? raw.fp : undefined,
            result: raw.result === "succeeded" || raw.result === "failed" ? raw.result : undefined,
            source: raw.source === "api" || raw.source === "stores.yaml" ? raw.source : undefined,
            protect: raw.protect === true,
        };
    } catch {
        return {};
    }
}
