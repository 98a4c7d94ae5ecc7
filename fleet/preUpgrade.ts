/**
 * Issue 14 item 2 for the per-store fleet: before a store's stack is updated to another
 * WordPress image or WooCommerce version, that store is backed up (kind pre-upgrade). A failed
 * backup stops that store's upgrade alone; the fleet's other stores go on. The decision is
 * here, apart from Pulumi and kubectl, so tier-1 tests drive it with fakes.
 */
import type { BackupOutcome, JobWatch } from "../automation/backups";
import { upgradeSinceLastDeployment } from "../automation/backups";
import type { ConfigEntry } from "./fingerprint";

/** The last deployment of a store's stack as `stack.history(1)` gives it (the fields used here). */
export interface LastDeployment { config?: Record<string, { value: unknown; secret?: boolean }> }

export interface PreUpgradeDeps {
    /** The stack's last deployment, newest first; only asked when backups before upgrades are on. */
    history: () => Promise<LastDeployment[]>;
    /** Backs the store up now, kind pre-upgrade. */
    backup: (watch: JobWatch) => Promise<BackupOutcome>;
}

/**
 * Backs the store up when its stack's last deployment ran other versions than `wanted` (the
 * config this update sets). Returns why the store must not be upgraded, or undefined to go on.
 * `beforeUpgrade`: woostore:backup.beforeUpgrade of the stack (undefined: backups are off).
 */
export async function backupBeforeUpgrade(store: string, beforeUpgrade: boolean | undefined, wanted: Record<string, ConfigEntry>, deps: PreUpgradeDeps, watch: JobWatch): Promise<string | undefined> {
    if (!beforeUpgrade) return undefined;
    const [last] = await deps.history().catch(() => []);
    const change = upgradeSinceLastDeployment(last?.config, Object.fromEntries(Object.entries(wanted).map(([key, entry]) => [key, entry.value])));
    if (!change) return undefined;
    watch.progress(`${change}: backing up ${store} before the upgrade (woostore:backup.beforeUpgrade)`);
    const outcome = await deps.backup(watch);
    if (!outcome.ok) {
        return `pre-upgrade backup failed, so ${store} was not upgraded: ${outcome.lastLine} — fix the backup (npm run backup -- ${store}), or set woostore:backup.beforeUpgrade to false to upgrade without one`;
    }
    watch.progress(`pre-upgrade snapshot ${outcome.snapshot.slice(0, 8)} (${outcome.orders} orders)`);
    return undefined;
}
