/**
 * Runs the project's own helm binary (built by scripts/install-tools.sh into the tool cache)
 * for the chart tests, and parses what it renders. Tests FAIL, never skip, when helm is absent:
 * `npm test` runs the installer first (pretest).
 */
import { execFile } from "node:child_process";
import { accessSync, constants, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseAllDocuments } from "yaml";

export const REPO_ROOT = resolve(__dirname, "..", "..");
export const CHART_DIR = join(REPO_ROOT, "charts", "woostore");

/** `$HELM`, else `${WOOSTORE_TOOLS_DIR:-/var/cache/woostore-tools}/bin/helm`. */
export function helmPath(): string {
    const toolsDir = process.env.WOOSTORE_TOOLS_DIR || "/var/cache/woostore-tools";
    const path = process.env.HELM || join(toolsDir, "bin", "helm");
    try {
        accessSync(path, constants.X_OK);
    } catch {
        throw new Error(
            `helm not found at ${path}: run \`bash scripts/install-tools.sh\` (or set HELM to a helm v3 binary)`,
        );
    }
    return path;
}

export interface RunResult { code: number; stdout: string; stderr: string }

/** Runs helm with `args`; resolves with its exit code and output (never rejects on a non-zero exit). */
export function helm(args: readonly string[]): Promise<RunResult> {
    const bin = helmPath();
    return new Promise((resolvePromise, reject) => {
        execFile(
            bin,
            [...args],
            {
                cwd: REPO_ROOT,
                maxBuffer: 32 * 1024 * 1024,
                timeout: 60_000,
                // Keep helm away from the user's repositories/plugins/caches.
                env: {
                    ...process.env,
                    HELM_CACHE_HOME: join(tmpdir(), "woostore-helm", "cache"),
                    HELM_CONFIG_HOME: join(tmpdir(), "woostore-helm", "config"),
                    HELM_DATA_HOME: join(tmpdir(), "woostore-helm", "data"),
                },
            },
            (error, stdout, stderr) => {
                if (error && typeof error.code !== "number") {
                    reject(error);
                    return;
                }
                resolvePromise({ code: error ? (error.code as number) : 0, stdout, stderr });
            },
        );
    });
}

let tmpDir: string | undefined;

/** Writes `values` to a fresh temporary file and returns its path (JSON is valid YAML). */
export function valuesFile(name: string, values: unknown): string {
    tmpDir ??= mkdtempSync(join(tmpdir(), "woostore-chart-"));
    const file = join(tmpDir, `${name}.yaml`);
    writeFileSync(file, JSON.stringify(values, null, 2));
    return file;
}

/** A rendered Kubernetes object, loosely typed: tests navigate it with the helpers below. */
export type K8sObject = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Rendered { text: string; objects: K8sObject[] }

/** `helm template <release> charts/woostore <extraArgs>`, parsed. Throws with helm's stderr on failure. */
export async function renderChart(release: string, extraArgs: readonly string[] = []): Promise<Rendered> {
    const result = await helm(["template", release, CHART_DIR, "--namespace", `store-${release}`, ...extraArgs]);
    if (result.code !== 0) {
        throw new Error(`helm template failed (exit ${result.code}):\n${result.stderr}`);
    }
    const objects: K8sObject[] = [];
    for (const doc of parseAllDocuments(result.stdout)) {
        if (doc.errors.length > 0) {
            throw new Error(`helm rendered invalid YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
        }
        const value = doc.toJS() as K8sObject | null;
        if (value) objects.push(value);
    }
    return { text: result.stdout, objects };
}

/** The one object of `kind` named `name`; fails clearly when it is missing. */
export function getObject(objects: readonly K8sObject[], kind: string, name: string): K8sObject {
    const found = objects.filter((o) => o.kind === kind && o.metadata?.name === name);
    if (found.length !== 1) {
        const have = objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(", ");
        throw new Error(`expected exactly one ${kind}/${name}, found ${found.length} (rendered: ${have})`);
    }
    return found[0];
}

/** Workloads with a pod template, with how many pods each can run at once (replicas + surge). */
export function podTemplates(objects: readonly K8sObject[]): { owner: K8sObject; pod: K8sObject; maxPods: number }[] {
    const out: { owner: K8sObject; pod: K8sObject; maxPods: number }[] = [];
    for (const o of objects) {
        if (o.kind === "Deployment") {
            const replicas: number = o.spec.replicas ?? 1;
            out.push({ owner: o, pod: o.spec.template, maxPods: replicas + deploymentSurge(o, replicas) });
        } else if (o.kind === "StatefulSet") {
            // StatefulSets replace pods one at a time without surge.
            out.push({ owner: o, pod: o.spec.template, maxPods: o.spec.replicas ?? 1 });
        } else if (o.kind === "CronJob") {
            // concurrencyPolicy Forbid: at most one Job, whose one pod never retries in parallel.
            if (o.spec.concurrencyPolicy !== "Forbid") throw new Error(`podTemplates: CronJob ${o.metadata.name} may run Jobs in parallel`);
            out.push({ owner: o, pod: o.spec.jobTemplate.spec.template, maxPods: o.spec.jobTemplate.spec.parallelism ?? 1 });
        } else if (["DaemonSet", "ReplicaSet", "Job", "Pod"].includes(o.kind)) {
            throw new Error(`podTemplates: ${o.kind} is not expected in this chart; extend the quota test`);
        }
    }
    return out;
}

function deploymentSurge(deployment: K8sObject, replicas: number): number {
    const strategy = deployment.spec.strategy ?? {};
    if (strategy.type === "Recreate") return 0;
    const surge: number | string = strategy.rollingUpdate?.maxSurge ?? "25%";
    if (typeof surge === "number") return surge;
    return Math.ceil((replicas * Number(surge.replace("%", ""))) / 100);
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
const DECIMAL: Record<string, number> = { m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A Kubernetes quantity in base units (cores, bytes). Rejects what the chart never renders. */
export function quantity(value: string | number): number {
    if (typeof value === "number") return value;
    const match = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|m|k|M|G|T)?$/.exec(value);
    if (!match) throw new Error(`"${value}" is not a quantity this test understands`);
    const suffix = match[2] ?? "";
    return Number(match[1]) * (BINARY[suffix] ?? DECIMAL[suffix]);
}

/** Millicores as an integer, so sums compare exactly. */
export const milliCpu = (value: string | number): number => Math.round(quantity(value) * 1000);
