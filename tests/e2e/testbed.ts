/**
 * Tier-2 helpers: the testbed cluster (real kube-apiserver, controller-manager, scheduler,
 * KWOK nodes), kubectl/helm against it, and a Pulumi stack of this project driven through
 * the Automation API with a local file backend and passphrase secrets in a temp dir.
 */
import { execFile, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { Stack } from "@pulumi/pulumi/automation";
import { openStack, PROJECT_DIR } from "../../automation/workspace";

const run = promisify(execFile);
const TESTBED = path.join(PROJECT_DIR, "testbed");

/**
 * Set to a kubeconfig (e.g. of a k3d cluster) to run the e2e suite against that cluster with
 * the official Pulumi CLI from PATH instead of the testbed. KWOK-only steps are then skipped.
 */
export const EXTERNAL_KUBECONFIG = process.env.WOOSTORE_E2E_KUBECONFIG;

/** PATH and Pulumi variables from testbed/env.sh, applied to this process. */
export function loadTestbedEnv(): void {
    if (EXTERNAL_KUBECONFIG) {
        return;
    }
    const output = execFileSync("bash", ["-c", `source "${TESTBED}/env.sh" --quiet >/dev/null; env -0`], { encoding: "utf8" });
    for (const entry of output.split("\0")) {
        const at = entry.indexOf("=");
        const key = entry.slice(0, at);
        if (/^(PATH|PULUMI_[A-Z_]+|WOOSTORE_TESTBED_[A-Z_]+)$/.test(key)) {
            process.env[key] = entry.slice(at + 1);
        }
    }
}

/**
 * Puts the testbed's project-authored language host first on PATH: the upstream host bundled
 * with the CLI (v3.68.0, the newest the Go proxy serves) cannot run policy packs.
 */
export function usePolicyCapableLanguageHost(): void {
    if (EXTERNAL_KUBECONFIG) {
        return; // the official CLI's own host runs policy packs
    }
    const dir = process.env.WOOSTORE_TESTBED_POLICY_HOST;
    if (!dir) throw new Error("WOOSTORE_TESTBED_POLICY_HOST is not set: call loadTestbedEnv() first");
    process.env.PATH = `${dir}:${process.env.PATH}`;
}

export interface Cluster { name: string; kubeconfig: string; down(): void }

/** `settings`: more of cluster.sh's environment, e.g. POD_READY_DELAY_MS. */
export function startCluster(name: string, portBase: number, settings: Record<string, string> = {}): Cluster {
    if (EXTERNAL_KUBECONFIG) {
        return { name, kubeconfig: EXTERNAL_KUBECONFIG, down: () => undefined };
    }
    const env = { ...process.env, ...settings, CLUSTER_NAME: name, PORT_BASE: String(portBase) };
    execFileSync("bash", [`${TESTBED}/cluster.sh`, "up"], { env, stdio: ["ignore", "inherit", "inherit"] });
    const kubeconfig = execFileSync("bash", [`${TESTBED}/cluster.sh`, "kubeconfig"], { env, encoding: "utf8" }).trim();
    return {
        name,
        kubeconfig,
        down: () => execFileSync("bash", [`${TESTBED}/cluster.sh`, "down"], { env, stdio: ["ignore", "inherit", "inherit"] }),
    };
}

export async function kubectl(cluster: Cluster, args: string[], input?: string): Promise<string> {
    const child = run("kubectl", ["--kubeconfig", cluster.kubeconfig, ...args], { maxBuffer: 64 * 1024 * 1024 });
    if (input !== undefined) {
        child.child.stdin?.end(input);
    }
    return (await child).stdout;
}

export async function kubectlJson<T = any>(cluster: Cluster, args: string[]): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return JSON.parse(await kubectl(cluster, [...args, "-o", "json"])) as T;
}

export async function helm(cluster: Cluster, args: string[]): Promise<string> {
    return (await run("helm", ["--kubeconfig", cluster.kubeconfig, ...args], { maxBuffer: 64 * 1024 * 1024 })).stdout;
}

/** Polls until `check` returns true, or fails with `what` after `seconds`. */
export async function eventually(what: string, seconds: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
        try {
            if (await check()) return;
        } catch {
            // not there yet
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
    }
}

export interface StoreSpec { name: string; quota?: { cpu?: string; memory?: string } }

/** Store lists of e2e stacks: inside the project (a store list outside it is refused), gitignored. */
export const E2E_STORE_LIST_DIR = path.join("tests", "e2e", ".stores");

/**
 * A dev-like stack of this project (Pulumi.<stack>.yaml and its store list written into the
 * project, removed by `dispose`), state and passphrase in a temp dir.
 */
export class TestStack {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-e2e-"));
    readonly storeListPath: string;
    readonly storeListFile: string;
    readonly configFile: string;
    readonly backendDir = path.join(this.dir, "state");
    stack!: Stack;

    constructor(readonly stackName: string, readonly cluster: Cluster, readonly extraConfig: Record<string, unknown> = {}) {
        this.configFile = path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`);
        this.storeListPath = path.join(E2E_STORE_LIST_DIR, `${stackName}.yaml`);
        this.storeListFile = path.join(PROJECT_DIR, this.storeListPath);
        fs.mkdirSync(path.dirname(this.storeListFile), { recursive: true });
        fs.mkdirSync(this.backendDir);
    }

    async open(): Promise<this> {
        this.writeStores([]);
        fs.writeFileSync(this.configFile, stringify({
            config: {
                "woostore:domain": "localhost",
                "woostore:storeList": this.storeListPath,
                "woostore:ingressClass": "traefik",
                "woostore:storageClass": "local-path",
                "woostore:podSecurity": "restricted",
                ...Object.fromEntries(Object.entries(this.extraConfig).map(([key, value]) => [`woostore:${key}`, value])),
            },
        }));
        this.stack = await openStack({
            stackName: this.stackName,
            backendUrl: `file://${this.backendDir}`,
            passphrase: "e2e-passphrase",
            env: {
                KUBECONFIG: this.cluster.kubeconfig,
                // Type checking is tier 1's job; here the program is only transpiled.
                PULUMI_NODEJS_TRANSPILE_ONLY: "true",
                PATH: process.env.PATH ?? "",
                PULUMI_HOME: process.env.PULUMI_HOME ?? "",
                PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            },
        });
        return this;
    }

    writeStores(stores: StoreSpec[]): void {
        fs.writeFileSync(this.storeListFile, stringify({
            stores: stores.map((store) => ({ name: store.name, admin: { email: `owner@${store.name}.example.com` }, ...(store.quota ? { quota: store.quota } : {}) })),
        }));
    }

    /** The checkpoint file of the local backend (what a self-managed team would store). */
    stateText(): string {
        const files: string[] = [];
        const walk = (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full); else if (entry.name.endsWith(".json")) files.push(full);
        });
        walk(this.backendDir);
        return files.map((file) => fs.readFileSync(file, "utf8")).join("\n");
    }

    dispose(): void {
        fs.rmSync(this.configFile, { force: true });
        fs.rmSync(this.storeListFile, { force: true });
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/**
 * A KWOK Stage that ends the running pods that `match` selects: every container
 * terminates with `exitCode`, `reason` and the termination `message`, and the pod reaches `phase`.
 * Its weight makes it win over the default stages (weight 0) that would complete them otherwise.
 */
export function terminatePodsStage(options: {
    name: string; weight: number; match: object[];
    exitCode: number; reason: string; message: string; phase: "Succeeded" | "Failed";
}): string {
    return JSON.stringify({
        apiVersion: "kwok.x-k8s.io/v1alpha1",
        kind: "Stage",
        metadata: { name: options.name },
        spec: {
            resourceRef: { apiGroup: "v1", kind: "Pod" },
            weight: options.weight,
            selector: { matchExpressions: options.match },
            next: {
                statusTemplate: [
                    "{{ $now := Now }}",
                    "containerStatuses:",
                    "{{ range $index, $item := .spec.containers }}",
                    "- image: {{ $item.image | Quote }}",
                    "  name: {{ $item.name | Quote }}",
                    "  ready: false",
                    "  restartCount: 0",
                    "  started: false",
                    "  state:",
                    "    terminated:",
                    `      exitCode: ${options.exitCode}`,
                    "      finishedAt: {{ $now | Quote }}",
                    `      reason: ${options.reason}`,
                    `      message: ${JSON.stringify(options.message)}`,
                    "      startedAt: {{ $now | Quote }}",
                    "{{ end }}",
                    `phase: ${options.phase}`,
                ].join("\n"),
            },
        },
    });
}

/** A KWOK Stage that fails the Job pods of one namespace (takes precedence over pod-complete). */
export function failJobPodsStage(namespace: string): string {
    return terminatePodsStage({
        name: `fail-job-pods-${namespace}`,
        weight: 1,
        match: [
            { key: ".metadata.namespace", operator: "In", values: [namespace] },
            { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
            { key: ".status.phase", operator: "In", values: ["Running"] },
            { key: ".metadata.ownerReferences.[].kind", operator: "In", values: ["Job"] },
        ],
        exitCode: 1,
        reason: "Error",
        message: "setup failed at step install-woocommerce (5/10): simulated by the testbed",
        phase: "Failed",
    });
}
