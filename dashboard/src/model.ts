/**
 * Stores as the API shows them (server/schemas.ts), and the page's decisions about them: pure,
 * so tests/unit/dashboardModel.test.ts runs them without a browser.
 */
export type StoreStatus = "Queued" | "Provisioning" | "Ready" | "Failed" | "Deleting";

export const FINAL_STATUSES: readonly StoreStatus[] = ["Ready", "Failed"];

/** The store's latest operation (create, delete or backup), as the API shows it. */
export interface Operation {
    id: string;
    kind: string;
    state: "queued" | "running" | "retrying" | "succeeded" | "failed";
    error?: string | null;
}

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
    operation?: Operation | null;
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

// --- backups (issue 14)

/** One snapshot of GET /stores/{name}/backups. */
export interface Snapshot {
    id: string;
    time: string;
    kind: "scheduled" | "manual" | "pre-upgrade" | null;
    orders: number | null;
    sizeBytes: number | null;
}

/** A backup of the store is queued or running: the store stays Ready, the page follows the backup. */
export const isBackingUp = (store: Store | undefined): boolean =>
    store?.operation?.kind === "backup" && ["queued", "running", "retrying"].includes(store.operation.state);

/** The store's last backup failed (and nothing has run since): why, else undefined. */
export const lastBackupFailure = (store: Store | undefined): string | undefined =>
    store?.operation?.kind === "backup" && store.operation.state === "failed" ? store.operation.error ?? "no reason was recorded" : undefined;

/** The API's 409 for a platform without woostore:backup: the page says so instead of offering backups. */
export const backupsNotConfigured = (status: number, detail: string | undefined): boolean =>
    status === 409 && /backups are not configured/.test(detail ?? "");

export const SNAPSHOT_KIND_LABELS: Record<NonNullable<Snapshot["kind"]>, string> = { scheduled: "Scheduled", manual: "Manual", "pre-upgrade": "Before an upgrade" };

/** "12.3 MB" for a snapshot's size; "—" when unknown. */
export function formatBytes(bytes: number | null): string {
    if (bytes === null) return "—";
    const units = ["B", "kB", "MB", "GB", "TB"];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
        value /= 1000;
        unit++;
    }
    return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
