/**
 * A store's lifecycle status from what the cluster reports. Ready only once the setup Job —
 * which verifies a real checkout — has completed; Failed says why.
 */

export type StoreStatus = "Ready" | "Provisioning" | "Failed";

export interface JobStatusLike {
    succeeded?: number;
    failed?: number;
    conditions?: { type?: string; status?: string; reason?: string; message?: string }[];
}

export function storeStatus(jobStatus: JobStatusLike | undefined): { status: StoreStatus; reason: string } {
    const conditions = jobStatus?.conditions ?? [];
    const failed = conditions.find((condition) => condition.type === "Failed" && condition.status === "True");
    if (failed) {
        return { status: "Failed", reason: `setup Job failed (${failed.reason ?? "unknown"}): ${failed.message ?? "see the Job's pod logs"}` };
    }
    const complete = conditions.some((condition) => condition.type === "Complete" && condition.status === "True");
    if (complete || (jobStatus?.succeeded ?? 0) > 0) {
        return { status: "Ready", reason: "WooCommerce installed, demo product and Cash on Delivery set up, a test order was placed" };
    }
    return { status: "Provisioning", reason: "waiting for WordPress, MariaDB and the setup Job" };
}
