/**
 * Stores as the API shows them (server/schemas.ts), and the page's decisions about them: pure,
 * so tests/unit/dashboardModel.test.ts runs them without a browser.
 */
export type StoreStatus = "Queued" | "Provisioning" | "Ready" | "Failed" | "Deleting";

export const FINAL_STATUSES: readonly StoreStatus[] = ["Ready", "Failed"];

export interface Store {
    name: string;
    title?: string;
    url?: string;
    status: StoreStatus;
    reason?: string | null;
    owner?: string | null;
    /** Where the store comes from: the API, or stores.yaml (read-only here: it changes through git). */
    source?: string;
    readOnly?: boolean;
    createdAt?: string;
    updatedAt?: string;
}

/** A stores.yaml store: read-only here, it changes through git and `npm run up`. */
export const isReadOnly = (store: Store): boolean => store.readOnly === true || store.source === "stores.yaml";

export const isFinal = (store: Store): boolean => FINAL_STATUSES.includes(store.status);

/** An API store on its way somewhere: the page follows it (stores.yaml stores change elsewhere). */
export const isChanging = (store: Store | undefined): boolean => store !== undefined && !isFinal(store) && !isReadOnly(store);

export const POLL_MS = 2000;

/** Polls only while some store is changing; with every store Ready or Failed nothing refreshes. */
export function pollWhileChanging(stores: Store[] | undefined): number | false {
    return stores?.some(isChanging) ? POLL_MS : false;
}

/** Only an admin sees other owners' stores and stores.yaml's, so only then is the owner worth a column. */
export function showsOwners(stores: Store[]): boolean {
    return stores.some(isReadOnly) || new Set(stores.map((s) => s.owner ?? "")).size > 1;
}
