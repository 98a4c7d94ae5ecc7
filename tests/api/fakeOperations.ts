/**
 * FAKE store operations for tier-1 API tests, the benchmark and the fuzz run: the only part of
 * the API that is not real. Each call to up/destroy is recorded and answered by a script the
 * test sets (succeed, fail, lock, hang until released), after an optional delay.
 */
import { loadStackConfig, StackConfig } from "../../components/stackConfig";
import type { ResolvedStore } from "../../components/storeList";
import { resolveStore, storeEntrySchema } from "../../components/storeList";
import type { BackupSnapshot, OperationContext, OperationOutcome, StackState, StoreCredentials, StoreOperations } from "../../server/operations";

export type FakeAnswer = "succeed" | "fail" | "lock" | "hang";

export interface FakeCall { kind: "up" | "destroy" | "backup"; store: string; entry?: Record<string, unknown>; context: OperationContext }

export class FakeStoreOperations implements StoreOperations {
    readonly calls: FakeCall[] = [];
    readonly stacks = new Map<string, StackState>();
    listed: ResolvedStore[] = [];
    listedInvalid = false;
    /** Answers by store name, consumed in order; the default answer is used when none is left. */
    readonly script = new Map<string, FakeAnswer[]>();
    defaultAnswer: FakeAnswer = "succeed";
    delayMs = 0;
    /** Snapshots by store, newest first: each FAKE backup that succeeds adds one. */
    readonly snapshots = new Map<string, BackupSnapshot[]>();
    /** Orders the FAKE backup records. */
    orders = 3;
    /** When set, listBackups throws this (an unreadable repository). */
    listBackupsError: string | undefined;
    readonly listBackupsCalls: string[] = [];
    private readonly stackConfig: StackConfig;
    private readonly releases: (() => void)[] = [];

    constructor(config: Record<string, unknown> = {}) {
        this.stackConfig = loadStackConfig({ stackLayout: "perStore", domain: "example.test", ...config }, "Pulumi.fake.yaml");
    }

    config(): StackConfig {
        return this.stackConfig;
    }

    listedStores(): ResolvedStore[] {
        if (this.listedInvalid) throw new Error("stores.yaml: 1 problem found (fake)");
        return this.listed;
    }

    /** Adds a stores.yaml store (as `npm run up` would have it). */
    addListed(name: string, deployed: boolean): void {
        this.listed.push(resolveStore(storeEntrySchema.parse({ name, admin: { email: `owner@${name}.test` } }), this.stackConfig));
        if (deployed) this.stacks.set(name, { result: "succeeded", source: "stores.yaml" });
    }

    async stackStores(): Promise<Map<string, StackState>> {
        return new Map(this.stacks);
    }

    up(entry: { name: string } & Record<string, unknown>, context: OperationContext): Promise<OperationOutcome> {
        return this.answer({ kind: "up", store: entry.name, entry, context });
    }

    destroy(name: string, context: OperationContext): Promise<OperationOutcome> {
        return this.answer({ kind: "destroy", store: name, context });
    }

    backup(entry: { name: string } & Record<string, unknown>, context: OperationContext): Promise<OperationOutcome> {
        return this.answer({ kind: "backup", store: entry.name, entry, context });
    }

    async listBackups(entry: { name: string } & Record<string, unknown>): Promise<BackupSnapshot[]> {
        this.listBackupsCalls.push(entry.name);
        if (this.listBackupsError !== undefined) throw new Error(this.listBackupsError);
        return [...(this.snapshots.get(entry.name) ?? [])];
    }

    async credentials(name: string): Promise<StoreCredentials | undefined> {
        return this.stacks.get(name)?.result === "succeeded" ? { adminUser: "admin", adminPassword: `fake-password-of-${name}` } : undefined;
    }

    readonly releasedLocks: string[] = [];
    /** Holder named in the FAKE lock error (the real one names user@host (pid N)). */
    lockHolder = "root@host (pid 1)";

    async releaseLock(name: string): Promise<void> {
        this.releasedLocks.push(name);
    }

    /** Lets every hanging operation finish (successfully). */
    releaseAll(): void {
        this.releases.splice(0).forEach((release) => release());
    }

    callsFor(store: string, kind?: FakeCall["kind"]): FakeCall[] {
        return this.calls.filter((call) => call.store === store && (kind === undefined || call.kind === kind));
    }

    private async answer(call: FakeCall): Promise<OperationOutcome> {
        this.calls.push(call);
        call.context.onStep(call.kind === "backup" ? `job store-${call.store}/woostore-backup-manual created, waiting for its pod… (fake)` : `${call.kind === "up" ? "create" : "delete"} Namespace store-${call.store}`);
        if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
        const answer = this.script.get(call.store)?.shift() ?? this.defaultAnswer;
        if (answer === "hang") {
            const interrupted = await new Promise<boolean>((resolve) => {
                this.releases.push(() => resolve(false));
                call.context.signal.addEventListener("abort", () => resolve(true), { once: true });
            });
            if (interrupted) return { error: "update canceled (SIGINT)" };
        }
        if (answer === "fail" && call.kind === "backup") return { error: "backup target rest:http://10.0.0.9:8000/shop is unreachable (fake) password=hunter2 — earlier snapshots are untouched" };
        if (answer === "fail") return { error: `setup Job failed at step "install WooCommerce" (fake) password=hunter2` };
        if (answer === "lock") {
            return { error: `stack dev.${call.store} is locked by ${this.lockHolder} since 2026-01-01T00:00:00.000Z: another operation is running on this store; it was left alone — run again when it has finished`, lockFailure: true };
        }
        if (call.kind === "backup") {
            const id = (0x1a2b3c00 + (this.snapshots.get(call.store)?.length ?? 0)).toString(16);
            this.snapshots.set(call.store, [{ id, time: new Date().toISOString(), kind: "manual", orders: this.orders, sizeBytes: 4096 }, ...(this.snapshots.get(call.store) ?? [])]);
            call.context.onStep("    uploading the snapshot (fake)");
            return { status: `snapshot ${id}, ${this.orders} orders` };
        }
        call.context.onStep("create Job setup (fake)");
        if (call.kind === "destroy") {
            this.stacks.delete(call.store);
            return { status: "deleted" };
        }
        this.stacks.set(call.store, { result: "succeeded", source: "api" });
        return { status: "Ready", url: `http://${call.store}.example.test` };
    }
}
