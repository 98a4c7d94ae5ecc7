/**
 * Store statuses and the transitions between them, as pure functions:
 * Queued → Provisioning → Ready | Failed(reason); Ready | Failed → Deleting → gone.
 * A backup runs on a Ready store and leaves it Ready whatever its outcome: the shop keeps
 * selling while it is backed up, and a failed backup is the operation's error, not the store's.
 */

export const STORE_STATUSES = ["Queued", "Provisioning", "Ready", "Failed", "Deleting"] as const;
export type StoreStatus = (typeof STORE_STATUSES)[number];

export const OPERATION_KINDS = ["create", "delete", "backup"] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

/** Statuses in which no operation runs or waits: the store can be deleted or retried. */
export const SETTLED: readonly StoreStatus[] = ["Ready", "Failed"];

export type StoreEvent =
    | { type: "start"; kind: OperationKind }
    | { type: "succeed"; kind: OperationKind }
    | { type: "fail"; kind: OperationKind; final: boolean }
    | { type: "request-delete" }
    | { type: "request-backup" }
    | { type: "request-retry"; kind: OperationKind };

/** The status after `event`, "gone" when the store no longer exists, or a conflict saying why not. */
export function transition(current: StoreStatus, event: StoreEvent): { status: StoreStatus | "gone" } | { conflict: string } {
    switch (event.type) {
        case "start":
            if (event.kind === "backup") return current === "Ready" ? { status: "Ready" } : { conflict: `a backup cannot start while the store is ${current}` };
            // A job restarted after a crash starts again from Provisioning or Deleting.
            if (event.kind === "create" && (current === "Queued" || current === "Provisioning")) return { status: "Provisioning" };
            if (event.kind === "delete" && current === "Deleting") return { status: "Deleting" };
            return { conflict: `a ${event.kind} operation cannot start while the store is ${current}` };
        case "succeed":
            if (event.kind === "backup") return current === "Ready" ? { status: "Ready" } : { conflict: `a backup cannot finish while the store is ${current}` };
            if (event.kind === "create" && current === "Provisioning") return { status: "Ready" };
            if (event.kind === "delete" && current === "Deleting") return { status: "gone" };
            return { conflict: `a ${event.kind} operation cannot finish while the store is ${current}` };
        case "fail":
            if (event.kind === "backup") return current === "Ready" ? { status: "Ready" } : { conflict: `a backup cannot fail while the store is ${current}` };
            if (current !== "Provisioning" && current !== "Deleting" && current !== "Queued") {
                return { conflict: `a ${event.kind} operation cannot fail while the store is ${current}` };
            }
            // While retries remain the store keeps its in-flight status; the reason says what happened.
            return { status: event.final ? "Failed" : current };
        case "request-delete":
            if (current === "Deleting") return { status: "Deleting" };
            if (SETTLED.includes(current)) return { status: "Deleting" };
            return { conflict: `the store is ${current}: an operation is in progress — delete it once it is Ready or Failed` };
        case "request-backup":
            if (current !== "Ready") return { conflict: `the store is ${current}: only a Ready store can be backed up — wait until it is Ready` };
            return { status: "Ready" };
        case "request-retry":
            if (current !== "Failed") return { conflict: `only a Failed store can be retried; this one is ${current}` };
            // A backup never leaves its store Failed: the store's last create or delete is what failed.
            if (event.kind === "backup") return { conflict: "the store's last operation is a backup, which is not retried — start a new one with POST …/backups" };
            return { status: event.kind === "create" ? "Queued" : "Deleting" };
    }
}

/** Whether the events stream can end: nothing more will happen without a new request. */
export function isFinal(status: StoreStatus | "gone"): boolean {
    return status === "Ready" || status === "Failed" || status === "gone";
}
