/**
 * Why a store failed, from the cluster: the termination message of its newest failed setup
 * pod. The setup script ends every failure with `setup failed at step <name> (<n>/10): …` and
 * the Job uses `FallbackToLogsOnError`, so this is the failed step and the log tail. Pulumi's
 * own error for a failed Job only names the Job and its condition (BackoffLimitExceeded).
 */
import { LABELS } from "../components/defaults";
import { storeNames } from "../components/names";
import { kubectl, type KubeTarget } from "./kubectl";

interface PodList {
    items: {
        metadata: { creationTimestamp?: string };
        status?: { containerStatuses?: { state?: { terminated?: { exitCode?: number; message?: string; reason?: string } } }[] };
    }[];
}

/** The failure detail of a store's setup Job, or undefined when kubectl or the pods are not there. */
export async function setupFailureDetail(store: string, kube: KubeTarget): Promise<string | undefined> {
    let pods: PodList;
    try {
        pods = JSON.parse(await kubectl(kube, ["-n", storeNames(store).namespace, "get", "pods", "-l", `${LABELS.component}=setup`, "-o", "json"])) as PodList;
    } catch {
        return undefined;
    }
    const failures = pods.items
        .sort((a, b) => (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? ""))
        .flatMap((pod) => (pod.status?.containerStatuses ?? []).map((status) => status.state?.terminated))
        .filter((terminated) => terminated && terminated.exitCode !== 0);
    const newest = failures[0];
    if (!newest) {
        return undefined;
    }
    const lines = (newest.message ?? "").trim().split("\n").filter(Boolean);
    const failedStep = lines.reverse().find((line) => line.includes("setup failed at step"));
    return failedStep ?? lines.slice(0, 3).reverse().join(" | ") ?? newest.reason;
}
