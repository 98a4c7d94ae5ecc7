/**
 * What the API and its workers need from the rest of WooStore, as one interface: the stack's
 * bounds, the names already taken, and the per-store Pulumi operations. `fleetOperations.ts`
 * implements it with the fleet layer; tier-1 tests replace it with a fake.
 */
import type { StackConfig } from "../components/stackConfig";
import type { ResolvedStore } from "../components/storeList";

export interface OperationContext {
    /** Aborted on shutdown or when the job's claim is lost: the operation stops gracefully. */
    signal: AbortSignal;
    /** Progress of the operation, e.g. "create Deployment shop-wordpress". */
    onStep: (text: string) => void;
}

export interface OperationOutcome { status?: string; url?: string; error?: string; lockFailure?: boolean }

export interface StackState { result?: "succeeded" | "failed"; source?: "stores.yaml" | "api" }

export interface BackupSnapshot {
    id: string;
    /** ISO 8601, UTC. */
    time: string;
    /** scheduled, manual or pre-upgrade; null for a snapshot without the tag. */
    kind: string | null;
    orders: number | null;
    sizeBytes: number | null;
}

export interface StoreCredentials { adminUser: string; adminPassword: string }

export interface StoreOperations {
    /** The base stack's config (bounds and defaults for validating entries). */
    config(): StackConfig;
    /** Stores of the git-managed list (stores.yaml); throws when the list is invalid. */
    listedStores(): ResolvedStore[];
    /**
     * Stores that have a per-store stack, whoever created them, with how their last operation
     * ended. `allowStale`: a listing may answer from an older snapshot while a fresh one loads.
     */
    stackStores(options?: { allowStale?: boolean }): Promise<Map<string, StackState>>;
    up(entry: { name: string } & Record<string, unknown>, context: OperationContext): Promise<OperationOutcome>;
    destroy(name: string, context: OperationContext): Promise<OperationOutcome>;
    /**
     * Backs the store up now (kind manual) and waits for the result; `status` of the outcome
     * describes the snapshot ("snapshot 1a2b3c4d, 12 orders"), `error` is the backup's last line.
     * Takes the store's entry (as `up` does): the backup pod is sized and labelled like the store.
     */
    backup(entry: { name: string } & Record<string, unknown>, context: OperationContext): Promise<OperationOutcome>;
    /** The store's snapshots, newest first; throws when the repository cannot be read. */
    listBackups(entry: { name: string } & Record<string, unknown>): Promise<BackupSnapshot[]>;
    credentials(name: string): Promise<StoreCredentials | undefined>;
    /** Removes the store stack's lock (`pulumi cancel`); only called for a lock whose holder is known to be dead. */
    releaseLock(name: string): Promise<void>;
}
