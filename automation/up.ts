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
import { parse as parseYaml } from "yaml";
import { ALLOW_EMPTY_ENV } from "../components/defaults";
import { readStackConfigFile } from "../components/stackConfig";
import { CommandSpec, ParsedArgs, runCommand } from "./cli";
import { setupFailureDetail } from "./diagnose";
import { printReport, validateProject } from "./validate";
import { collectErrors, collectParents, defaultBackendUrl, openStack, PROJECT_DIR, pulumiCliVersion, storeOfUrn, WOOSTORE_HOME } from "./workspace";

export const K3D_CLUSTER = "woostore";

export const UP_COMMAND: CommandSpec = {
    command: "up",
    summary: "Validates the inputs, finds a cluster (KUBECONFIG, the stack's woostore:kubeContext, or a local k3d cluster it creates), runs the update and lists every store's URL and status.",
    options: [
        { name: "stack", value: "name", description: "stack to update (default: dev)" },
        { name: "preview", description: "show what would change, change nothing" },
        { name: "destroy", description: "delete every store of the stack" },
        { name: "continue-on-error", description: "keep updating other stores when one fails" },
        { name: "allow-empty", description: "accept an empty store list, which deletes every unprotected store" },
    ],
};

interface Options { stack: string; mode: "up" | "preview" | "destroy"; continueOnError: boolean; allowEmpty: boolean }

function toOptions(args: ParsedArgs): Options | string {
    if (args.options.preview && args.options.destroy) {
        return "--preview and --destroy exclude each other: give one";
    }
    return {
        stack: (args.options.stack as string | undefined) ?? "dev",
        mode: args.options.preview ? "preview" : args.options.destroy ? "destroy" : "up",
        continueOnError: args.options["continue-on-error"] === true,
        allowEmpty: args.options["allow-empty"] === true,
    };
}

const has = (command: string) => spawnSync("sh", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;

/** How `up` reaches a cluster, decided before anything is created. */
export type ClusterPlan = { kind: "kubeconfig"; kubeconfig: string } | { kind: "k3d" };

/**
 * Which cluster the stack would use, or every reason it cannot: KUBECONFIG must name existing
 * files, a configured woostore:kubeContext must be in the kubeconfig, and without either k3d
 * must be installed. Reads only; creates nothing.
 */
export function clusterPrerequisites(stack: string, env: NodeJS.ProcessEnv = process.env, exists: (command: string) => boolean = has): { plan?: ClusterPlan; problems: string[] } {
    const configured = readStackConfigFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`)).raw.kubeContext;
    const context = typeof configured === "string" ? configured : undefined;
    const homeConfig = path.join(env.HOME ?? os.homedir(), ".kube", "config");
    if (env.KUBECONFIG) {
        const files = env.KUBECONFIG.split(path.delimiter).filter(Boolean);
        const present = files.filter((file) => fs.existsSync(file));
        if (present.length === 0) {
            return { problems: [`KUBECONFIG points at ${env.KUBECONFIG}, which does not exist — fix the path, or unset KUBECONFIG${context ? "" : " to use a local k3d cluster"}`] };
        }
        const contextProblem = context ? missingContext(context, present, stack) : undefined;
        return contextProblem ? { problems: [contextProblem] } : { plan: { kind: "kubeconfig", kubeconfig: env.KUBECONFIG }, problems: [] };
    }
    if (context) {
        if (!fs.existsSync(homeConfig)) {
            return { problems: [`stack ${stack} uses the kube context "${context}" (woostore:kubeContext in Pulumi.${stack}.yaml), but KUBECONFIG is not set and ${homeConfig} does not exist — set KUBECONFIG to the kubeconfig file that has the context "${context}"`] };
        }
        const contextProblem = missingContext(context, [homeConfig], stack);
        return contextProblem ? { problems: [contextProblem] } : { plan: { kind: "kubeconfig", kubeconfig: homeConfig }, problems: [] };
    }
    if (!exists("k3d")) {
        return { problems: ["no cluster: KUBECONFIG is not set and k3d is not installed — install k3d (https://k3d.io) or point KUBECONFIG at a cluster"] };
    }
    return { plan: { kind: "k3d" }, problems: [] };
}

function missingContext(context: string, files: string[], stack: string): string | undefined {
    const names: string[] = [];
    for (const file of files) {
        try {
            const kubeconfig = parseYaml(fs.readFileSync(file, "utf8")) as { contexts?: { name?: string }[] } | null;
            names.push(...(kubeconfig?.contexts ?? []).map((entry) => String(entry.name)));
        } catch {
            return `the kubeconfig ${file} cannot be read as YAML — fix it or point KUBECONFIG at another file`;
        }
    }
    return names.includes(context)
        ? undefined
        : `stack ${stack} uses the kube context "${context}" (woostore:kubeContext), which is not in ${files.join(", ")} (it has: ${names.join(", ") || "no contexts"}) — add the context, or point KUBECONFIG at the kubeconfig that has it`;
}

/** Environment that points the Kubernetes provider at the planned cluster; creates the k3d cluster if needed. */
function clusterEnv(plan: ClusterPlan): Record<string, string> {
    if (plan.kind === "kubeconfig") {
        return { KUBECONFIG: plan.kubeconfig };
    }
    const clusters = JSON.parse(execFileSync("k3d", ["cluster", "list", "-o", "json"], { encoding: "utf8" })) as { name: string }[];
    if (!clusters.some((cluster) => cluster.name === K3D_CLUSTER)) {
        console.log(`Creating the local k3d cluster "${K3D_CLUSTER}" (http://<store>.localhost on port 80)…`);
        execFileSync("k3d", ["cluster", "create", K3D_CLUSTER, "-p", "80:80@loadbalancer", "--wait"], { stdio: "inherit" });
    }
    const kubeconfig = execFileSync("k3d", ["kubeconfig", "write", K3D_CLUSTER], { encoding: "utf8" }).trim();
    return { KUBECONFIG: kubeconfig };
}

async function main(args: ParsedArgs): Promise<number> {
    const options = toOptions(args);
    if (typeof options === "string") {
        console.error(options);
        return 2;
    }
    // Every prerequisite is checked, and all missing ones listed, before anything is written.
    const report = validateProject(PROJECT_DIR, [options.stack], { allowEmpty: options.allowEmpty || options.mode === "destroy" });
    const missing: string[] = [];
    if (!pulumiCliVersion()) {
        missing.push("The Pulumi CLI is not on PATH — install it (https://www.pulumi.com/docs/install/), or on a machine without downloads build it with `bash testbed/build.sh` and `source testbed/env.sh`.");
    }
    const cluster = report.problems.some((problem) => problem.file === `Pulumi.${options.stack}.yaml` && problem.line === 0) ? { problems: [] } : clusterPrerequisites(options.stack);
    missing.push(...cluster.problems);
    printReport(report);
    if (missing.length) {
        console.error(`${missing.length} prerequisite${missing.length === 1 ? " is" : "s are"} missing, nothing was changed:`);
        missing.forEach((line) => console.error(`  ${line}`));
    }
    if (report.problems.length || missing.length || !cluster.plan) {
        return 1;
    }
    const env: Record<string, string> = { ...clusterEnv(cluster.plan), ...(options.allowEmpty ? { [ALLOW_EMPTY_ENV]: "true" } : {}) };
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
        await stack.up({ ...common, continueOnError: options.continueOnError });
    } catch {
        failed = true;
    }
    const failures = await storeFailures(collectErrors(events), collectParents(events), env.KUBECONFIG);
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
async function storeFailures(errors: Map<string, string>, parents: Map<string, string>, kubeconfig?: string): Promise<Map<string, string>> {
    const failures = new Map<string, string>();
    for (const [urn, message] of errors) {
        const store = storeOfUrn(urn, parents);
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
    runCommand(UP_COMMAND, process.argv.slice(2), main).then((code) => { process.exitCode = code; }, (error: Error) => { console.error(error.message); process.exitCode = 1; });
}
