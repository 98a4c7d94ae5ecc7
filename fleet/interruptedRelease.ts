/**
 * Recovery from an operation that was killed while Helm was installing or upgrading a store's
 * release (a crashed API worker, a killed CI runner, a second Ctrl-C). Helm writes the
 * release's record (a `sh.helm.release.v1.<name>.v<N>` Secret) with status `pending-install`
 * or `pending-upgrade` before it applies anything and rewrites it when it is done, so a killed
 * run leaves a record that blocks every later one:
 *   - the create never reached Pulumi's state, so the next run installs again and Helm answers
 *     "cannot re-use a name that is still in use" (whether the record still says
 *     pending-install, or deployed because the orphaned provider process finished the install
 *     after the engine died — both seen in tests/e2e/api.test.ts);
 *   - a killed upgrade leaves "another operation (install/upgrade/rollback) is in progress".
 * The Helm Release resource does not recover from either (pulumi/pulumi-kubernetes#1697).
 *
 * Nobody else can be driving the release at that moment: the store's stack lock is held by
 * the run that got the error. So the run removes the leftover records and tries once more:
 *   - a killed install: every record of the release goes (Pulumi does not own the release
 *     yet); the new install adopts the objects the killed one created, which carry Helm's
 *     release annotations;
 *   - a killed upgrade: only the `pending-*` records go, so the last deployed revision is the
 *     current one again and the upgrade starts from it.
 * Pure: the I/O (kubectl) is in automation/helmRecords.ts.
 */

export interface HelmReleaseRecord {
    /** The Secret holding the record. */
    secret: string;
    revision: number;
    /** Helm's release status: deployed, failed, pending-install, pending-upgrade, … */
    status: string;
}

export type Interruption = "install" | "upgrade";

const INTERRUPTED: Record<Interruption, RegExp> = {
    install: /cannot re-use a name that is still in use/,
    upgrade: /another operation \(install\/upgrade\/rollback\) is in progress/,
};

/** Which kind of interrupted Helm operation a failed Pulumi run's output shows, if any. */
export function interruptionOf(failure: string): Interruption | undefined {
    return (Object.keys(INTERRUPTED) as Interruption[]).find((kind) => INTERRUPTED[kind].test(failure));
}

/** The records a retry must remove, oldest first (none: nothing to recover from). */
export function leftoverRecords(interruption: Interruption, records: readonly HelmReleaseRecord[]): HelmReleaseRecord[] {
    const leftover = interruption === "install" ? records : records.filter((record) => record.status.startsWith("pending-"));
    return [...leftover].sort((a, b) => a.revision - b.revision);
}

/** One line for the store's log and events: what was found and what is done about it. */
export function describeRecovery(release: string, namespace: string, interruption: Interruption, removed: readonly HelmReleaseRecord[]): string {
    const found = removed.map((record) => `revision ${record.revision} ${record.status}`).join(", ");
    return interruption === "install"
        ? `an earlier run was killed while it created Helm release ${namespace}/${release}: Helm has it (${found}), Pulumi's state does not; removing Helm's record and installing again — the objects it created are adopted`
        : `an earlier run was killed while Helm upgraded release ${namespace}/${release} (${found}); removing the unfinished revision and upgrading again from the last deployed one`;
}
