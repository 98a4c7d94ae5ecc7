/**
 * `npm run up [-- --stack dev] [--preview | --destroy] [--continue-on-error]`: the main job.
 * Validates the inputs, finds a cluster (KUBECONFIG / configured context, or a local k3d
 * cluster it creates), selects or creates the stack on a local file backend (or
 * PULUMI_BACKEND_URL), runs the update with Pulumi's own progress output and ends with
 * every store's URL and status.
 */
import { EngineEvent } from "@pulumi/pulumi/automation";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { formatProblem } from "../components/problems";
import { readStackConfigFile } from "../components/stackConfig";
import { preUpgradeBackups } from "./backups";
import { setupFailureDetail } from "./diagnose";
import { validateProject } from "./validate";
import { collectErrors, defaultBackendUrl, openStack, PROJECT_DIR, pulumiCliVersion, storeOfUrn, WOOSTORE_HOME } from "./workspace";

export const K3D_CLUSTER = "woostore";

interface Options { stack: string; mode: "up" | "preview" | "destroy"; continueOnError: boolean }

function parseArgs(argv: string[]): Options {
    const options: Options = { stack: "dev", mode: "up", continueOnError: false };
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        if (arg === "--stack") options.stack = argv[++index] ?? "dev";
        else if (arg === "--preview") options.mode = "preview";
        else if (arg === "--destroy") options.mode = "destroy";
        else if (arg === "--continue-on-error") options.continueOnError = true;
        else throw new Error(`unknown option ${arg} — usage: npm run up [-- --stack dev] [--preview | --destroy] [--continue-on-error]`);
    }
    return options;
}

const has = (command: string) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;

/** Environment that points the Kubernetes provider at a cluster; creates a k3d cluster if needed. */
function clusterEnv(stack: string): Record<string, string> {
    const configured = readStackConfigFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`)).raw.kubeContext;
    if (process.env.KUBECONFIG || configured) {
        const kubeconfig = process.env.KUBECONFIG ?? path.join(os.homedir(), ".kube", "config");
        if (!kubeconfig.split(path.delimiter).some((file) => fs.existsSync(file))) {
            throw new Error(`KUBECONFIG points at ${kubeconfig}, which does not exist — fix the path or unset it to use k3d`);
        }
        return { KUBECONFIG: kubeconfig };
    }
    if (!has("k3d")) {
        throw new Error("no cluster: KUBECONFIG is not set and k3d is not installed — install k3d (https://k3d.io) or point KUBECONFIG at a cluster");
    }
    const clusters = JSON.parse(execFileSync("k3d", ["cluster", "list", "-o", "json"], { encoding: "utf8" })) as { name: string }[];
    if (!clusters.some((cluster) => cluster.name === K3D_CLUSTER)) {
        console.log(`Creating the local k3d cluster "${K3D_CLUSTER}" (http://<store>.localhost on port 80)…`);
        execFileSync("k3d", ["cluster", "create", K3D_CLUSTER, "-p", "80:80@loadbalancer", "--wait"], { stdio: "inherit" });
    }
    const kubeconfig = execFileSync("k3d", ["kubeconfig", "write", K3D_CLUSTER], { encoding: "utf8" }).trim();
    return { KUBECONFIG: kubeconfig };
}

async function main(): Promise<number> {
    const options = parseArgs(process.argv.slice(2));
    const report = validateProject(PROJECT_DIR, [options.stack]);
    if (report.problems.length) {
        console.error(`${report.problems.length} problem(s) found, nothing was changed:`);
        report.problems.forEach((problem) => console.error(`  ${formatProblem(problem)}`));
        return 1;
    }
    if (!pulumiCliVersion()) {
        console.error("The Pulumi CLI is not on PATH — install it (https://www.pulumi.com/docs/install/), or on a machine without downloads build it with `bash testbed/build.sh` and `source testbed/env.sh`.");
        return 1;
    }
    const env = clusterEnv(options.stack);
    const stack = await openStack({ stackName: options.stack, env });
    const events: EngineEvent[] = [];
    const common = { onOutput: (text: string) => process.stdout.write(text), onEvent: (event: EngineEvent) => events.push(event), color: "auto" as const };
    let failed = false;
    try {
        if (options.mode === "preview") {
            await stack.preview({ ...common, diff: false });
            return 0;
        }
        if (options.mode === "destroy") {
            await stack.destroy({ ...common, continueOnError: options.continueOnError });
            console.log(`\nAll stores of stack ${options.stack} are gone.`);
            return 0;
        }
        if (!(await preUpgradeBackups(stack, options.stack, env.KUBECONFIG))) {
            return 1;
        }
        await stack.up({ ...common, continueOnError: options.continueOnError });
    } catch {
        failed = true;
    }
    const failures = await storeFailures(collectErrors(events), report.storeNames, env.KUBECONFIG);
    printStores(await stack.outputs(), failures, report.storeNames, failed, showSecretsCommand(options.stack));
    return failed ? 1 : 0;
}

/** The CLI command that shows the stores' credentials, with the backend `npm run up` used. */
function showSecretsCommand(stackName: string): string {
    const backend = process.env.PULUMI_BACKEND_URL ?? defaultBackendUrl();
    const passphrase = process.env.PULUMI_CONFIG_PASSPHRASE !== undefined || process.env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined || /^https?:/.test(backend)
        ? ""
        : `PULUMI_CONFIG_PASSPHRASE_FILE=${path.join(WOOSTORE_HOME, "passphrase")} `;
    return `PULUMI_BACKEND_URL=${backend} ${passphrase}pulumi stack output stores --show-secrets --stack ${stackName}`;
}

/**
 * Why each failed store failed: what its setup Job said (needs kubectl; optional), else the
 * last lines of the engine's error for one of its resources.
 */
async function storeFailures(errors: Map<string, string>, storeNames: string[], kubeconfig?: string): Promise<Map<string, string>> {
    const failures = new Map<string, string>();
    for (const [urn, message] of errors) {
        const store = storeOfUrn(urn, storeNames);
        if (store && !failures.has(store)) {
            const detail = await setupFailureDetail(store, kubeconfig);
            failures.set(store, detail ?? message.split("\n").filter(Boolean).slice(-3).join(" "));
        }
    }
    return failures;
}

/** The closing table: URL and status of every store, and why a failed one failed. */
function printStores(outputs: Record<string, { value: unknown }>, failures: Map<string, string>, storeNames: string[], updateFailed: boolean, credentialsCommand: string) {
    const stores = (outputs.stores?.value ?? {}) as Record<string, { url?: string; status?: string; adminUser?: string }>;
    const names = [...new Set([...storeNames, ...Object.keys(stores)])].sort();
    console.log("\nStores:");
    for (const name of names) {
        const status = failures.has(name) ? `Failed: ${failures.get(name)}` : stores[name]?.status ?? (updateFailed ? "Provisioning" : "unknown");
        console.log(`  ${name.padEnd(24)} ${(stores[name]?.url ?? "").padEnd(40)} ${status}`);
    }
    if (names.length && !updateFailed) {
        console.log(`\nAdmin passwords (Ready stores only): ${credentialsCommand}`);
    }
}

if (require.main === module) {
    main().then((code) => { process.exitCode = code; }, (error: Error) => { console.error(error.message); process.exitCode = 1; });
}
