/**
 * The cluster side of fleet/interruptedRelease.ts: reads and removes a store's Helm release
 * records with kubectl (Helm's default storage driver keeps them in Secrets labelled
 * owner=helm, name=<release>, status, version).
 */
import { storeNames } from "../components/names";
import { describeRecovery, HelmReleaseRecord, interruptionOf, leftoverRecords } from "../fleet/interruptedRelease";
import { kubectl, type KubeTarget } from "./kubectl";

interface SecretList { items: { metadata: { name: string; labels?: Record<string, string> } }[] }

export async function helmReleaseRecords(namespace: string, release: string, target: KubeTarget): Promise<HelmReleaseRecord[]> {
    const stdout = await kubectl(target, ["-n", namespace, "get", "secrets", "-l", `owner=helm,name=${release}`, "-o", "json"]);
    return (JSON.parse(stdout) as SecretList).items.map((item) => ({
        secret: item.metadata.name,
        revision: Number(item.metadata.labels?.version ?? 0),
        status: item.metadata.labels?.status ?? "unknown",
    }));
}

/**
 * After a failed update of `store`: when the failure is Helm refusing because of a killed
 * earlier run, removes the leftover release records and returns the line that says so (the
 * caller then runs the update once more). Undefined when there is nothing to recover from or
 * the records could not be read or removed (then the original failure stands).
 */
export async function recoverInterruptedRelease(store: string, failure: string, target: KubeTarget): Promise<string | undefined> {
    const interruption = interruptionOf(failure);
    if (!interruption) return undefined;
    const { namespace, releaseName } = storeNames(store);
    try {
        const leftover = leftoverRecords(interruption, await helmReleaseRecords(namespace, releaseName, target));
        if (!leftover.length) return undefined;
        await kubectl(target, ["-n", namespace, "delete", "secret", "--ignore-not-found", ...leftover.map((record) => record.secret)]);
        return describeRecovery(releaseName, namespace, interruption, leftover);
    } catch {
        return undefined;
    }
}

/**
 * Runs an update; when it fails because an earlier, killed run left a store's Helm release
 * half-installed or half-upgraded, removes the leftovers and runs it once more. Any other
 * failure, or a second one, is thrown as it is. `failures` says which stores failed and how
 * (each store's own messages: a store's records are only touched for its own failure).
 */
export async function withReleaseRecovery<T>(
    update: () => Promise<T>,
    options: {
        failures: (error: unknown) => Map<string, string>;
        target: KubeTarget;
        say: (line: string) => void;
        recover?: typeof recoverInterruptedRelease;
    },
): Promise<T> {
    try {
        return await update();
    } catch (error) {
        const recovered: string[] = [];
        for (const [store, failure] of options.failures(error)) {
            const line = await (options.recover ?? recoverInterruptedRelease)(store, failure, options.target);
            if (line) recovered.push(`${store}: ${line}`);
        }
        if (!recovered.length) throw error;
        recovered.forEach((line) => options.say(line));
        return await update();
    }
}
