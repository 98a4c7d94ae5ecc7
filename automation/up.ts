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
import { ProgramInputs } from "../components/program";
import { readStackConfigFile } from "../components/stackConfig";
import { defaultParallelStores, FleetArgumentError, FleetSummary, runFleet } from "../fleet/run";
import { fleetDir } from "../fleet/workspace";
import { pulumiCliOrExplain, pulumiCliProblem, validatedInputs } from "./command";
import { preUpgradeBackups } from "./backups";
import { setupFailureDetail } from "./diagnose";
import { withReleaseRecovery } from "./helmRecords";
import { type KubeTarget, kubeTarget } from "./kubectl";
import { ResolvedCli } from "./pulumiCli";
import { collectErrors, collectParents, defaultBackendUrl, openStack, PROJECT_DIR, pulumiEnv, storeOfUrn, WOOSTORE_HOME } from "./workspace";

export const K3D_CLUSTER = "woostore";

export const UP_USAGE = `usage: npm run up [-- options]
  --stack NAME            stack to run (default dev); its woostore:stackLayout decides single or perStore
  --preview               preview only, change nothing
  --destroy               destroy every store of the stack (protected stores refuse)
  --continue-on-error     single layout: keep going past failed resources
  --all                   perStore: update every store whatever its fingerprint
  --refresh               refresh every store with expect-no-changes (the drift check)
  --store NAME            perStore: act on this store only (repeatable)
  --parallel-stores N     perStore: stores in flight at once (default from cores and memory)
  --parallel N            Pulumi's own --parallel inside each operation
  --json                  perStore: one JSON summary on stdout at the end; progress goes to stderr
  --lock-stale-after MIN  a stack lock older than this is reported as stale, with the recovery command (default 60)
  --policy-pack DIR       run the update/preview behind this policy pack (e.g. policy)
  --policy-pack-config F  its config file (e.g. policy/config/prod.json)
  --allow-empty           accept an empty store list (up would delete every unprotected store)
  --help                  this text`;

export interface UpOptions {
    stack: string;
    mode: "up" | "preview" | "destroy";
    continueOnError: boolean;
    all: boolean;
    refresh: boolean;
    only?: string[];
    parallelStores?: number;
    pulumiParallel?: number;
    json: boolean;
    lockStaleAfterMinutes: number;
    policyPacks?: string[];
    policyPackConfigs?: string[];
    allowEmpty: boolean;
    help: boolean;
}

export class UsageError extends Error {}

/** Parses `npm run up` flags; every mistake is a UsageError naming the flag and what it needs. */
export function parseUpArgs(argv: string[]): UpOptions {
    const options: UpOptions = { stack: "dev", mode: "up", continueOnError: false, all: false, refresh: false, json: false, lockStaleAfterMinutes: 60, allowEmpty: false, help: false };
    const problems: string[] = [];
    const modes: string[] = [];
    let index = 0;
    /** The flag's value, consumed; a missing one (end, or another flag next) is a problem. */
    const value = (flag: string): string | undefined => {
        const next = argv[index + 1];
        if (next === undefined || next.startsWith("--")) {
            problems.push(`${flag} needs a value`);
            return undefined;
        }
        index++;
        return next;
    };
    const count = (flag: string, text: string | undefined, min: number): number | undefined => {
        if (text === undefined) return undefined;
        if (!/^\d+$/.test(text) || Number(text) < min) {
            problems.push(`${flag} ${JSON.stringify(text)}: write a whole number of at least ${min}`);
            return undefined;
        }
        return Number(text);
    };
    for (; index < argv.length; index++) {
        const arg = argv[index];
        switch (arg) {
            case "--stack": options.stack = value(arg) ?? options.stack; break;
            case "--preview": modes.push(arg); options.mode = "preview"; break;
            case "--destroy": modes.push(arg); options.mode = "destroy"; break;
            case "--continue-on-error": options.continueOnError = true; break;
            case "--all": options.all = true; break;
            case "--refresh": options.refresh = true; break;
            case "--json": options.json = true; break;
            case "--allow-empty": options.allowEmpty = true; break;
            case "--help": case "-h": options.help = true; break;
            case "--store": { const name = value(arg); if (name !== undefined) (options.only ??= []).push(name); break; }
            case "--parallel-stores": options.parallelStores = count(arg, value(arg), 1); break;
            case "--parallel": options.pulumiParallel = count(arg, value(arg), 1); break;
            case "--lock-stale-after": options.lockStaleAfterMinutes = count(arg, value(arg), 1) ?? options.lockStaleAfterMinutes; break;
            case "--policy-pack": { const dir = value(arg); if (dir !== undefined) (options.policyPacks ??= []).push(path.resolve(dir)); break; }
            case "--policy-pack-config": { const file = value(arg); if (file !== undefined) (options.policyPackConfigs ??= []).push(path.resolve(file)); break; }
            default: problems.push(`unknown option ${JSON.stringify(arg)}`);
        }
    }
    if (new Set(modes).size > 1) problems.push("--preview and --destroy exclude each other: give one");
    if (options.refresh && options.mode !== "up") problems.push(`--refresh cannot be combined with --${options.mode}`);
    if (problems.length) throw new UsageError(`${problems.join("; ")}\n${UP_USAGE}`);
    return options;
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
function planEnv(plan: ClusterPlan): Record<string, string> {
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

/** Environment that points the Kubernetes provider at a cluster (creating a k3d cluster if needed); throws when there is none. */
export function clusterEnv(stack: string): Record<string, string> {
    const { plan, problems } = clusterPrerequisites(stack);
    if (!plan) {
        throw new Error(problems.join("\n"));
    }
    return planEnv(plan);
}

async function main(): Promise<number> {
    let options: UpOptions;
    try {
        options = parseUpArgs(process.argv.slice(2));
    } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        console.error(`npm run up: ${error.message}`);
        return 2;
    }
    if (options.help) {
        console.log(UP_USAGE);
        return 0;
    }
    // Every prerequisite is checked, and all missing ones listed at once, before anything is
    // written (the CLI install, ~/.woostore, a k3d cluster).
    const validated = validatedInputs(options.stack, { allowEmpty: options.allowEmpty || options.mode === "destroy" });
    const cluster = clusterPrerequisites(options.stack);
    const cliProblem = await pulumiCliProblem();
    const missing = [...(cliProblem ? [cliProblem] : []), ...cluster.problems];
    if (missing.length) {
        console.error(`${missing.length} prerequisite${missing.length === 1 ? " is" : "s are"} missing, nothing was changed:`);
        missing.forEach((line) => console.error(`  ${line}`));
    }
    if (!validated || !cluster.plan) return 1;
    if (options.allowEmpty) {
        process.env[ALLOW_EMPTY_ENV] = "true";
    }
    const { inputs, storeNames } = validated;
    const perStore = inputs.config.stackLayout === "perStore";
    if (!perStore && (options.only || options.all || options.json || options.parallelStores)) {
        console.error(`npm run up: --store, --all, --json and --parallel-stores need woostore:stackLayout perStore; stack ${options.stack} is single`);
        return 2;
    }
    const cli = await pulumiCliOrExplain();
    if (!cli) return 1;
    const env: Record<string, string> = { ...planEnv(cluster.plan), ...(options.allowEmpty ? { [ALLOW_EMPTY_ENV]: "true" } : {}) };
    return perStore ? upFleet(options, inputs, env, cli) : upSingleStack(options, storeNames, env, cli, inputs.config.kubeContext);
}

async function upSingleStack(options: UpOptions, storeNames: string[], env: Record<string, string>, cli: ResolvedCli, kubeContext?: string): Promise<number> {
    const stack = await openStack({ stackName: options.stack, env, pulumiCommand: cli.command });
    const kube = kubeTarget({ kubeContext }, env.KUBECONFIG ? { KUBECONFIG: env.KUBECONFIG } : {});
    const events: EngineEvent[] = [];
    const common = { onOutput: (text: string) => process.stdout.write(text), onEvent: (event: EngineEvent) => events.push(event), color: "auto" as const, parallel: options.pulumiParallel };
    const policy = { policyPacks: options.policyPacks, policyPackConfigs: options.policyPackConfigs };
    let failed = false;
    try {
        if (options.mode === "preview") {
            await stack.preview({ ...common, ...policy, diff: false });
            return 0;
        }
        if (options.mode === "destroy") {
            await stack.destroy({ ...common, continueOnError: options.continueOnError });
            console.log(`\nAll stores of stack ${options.stack} are gone.`);
            return 0;
        }
        if (options.refresh) {
            // The drift check is read-only: it reports differences, it does not write them into the state.
            await stack.refresh({ ...common, expectNoChanges: true, previewOnly: true });
        } else {
            if (!(await preUpgradeBackups(stack, options.stack, kube))) {
                return 1;
            }
            await withReleaseRecovery(() => stack.up({ ...common, ...policy, continueOnError: options.continueOnError }), {
                failures: () => failuresByStore(events),
                target: kube,
                say: (line) => { console.log(`\n${line}`); events.length = 0; },
            });
        }
    } catch {
        failed = true;
    }
    const failures = await storeFailures(collectErrors(events), collectParents(events), kube);
    printStores(await stack.outputs(), failures, storeNames, failed, showSecretsCommand(options.stack));
    return failed ? 1 : 0;
}

async function upFleet(options: UpOptions, inputs: ProgramInputs, env: Record<string, string>, cli: ResolvedCli): Promise<number> {
    const progressStream = options.json ? process.stderr : process.stdout;
    const abort = new AbortController();
    let interrupts = 0;
    const onSigint = () => {
        interrupts++;
        if (interrupts > 1) process.exit(130);
        progressStream.write("\nInterrupted: stopping the operations in flight (Ctrl-C again to quit at once)…\n");
        abort.abort();
    };
    process.on("SIGINT", onSigint);
    const parallelStores = options.parallelStores ?? defaultParallelStores();
    let summary;
    try {
        summary = await runFleet(inputs, {
            projectDir: PROJECT_DIR, woostoreHome: WOOSTORE_HOME, baseStack: options.stack, mode: options.mode,
            all: options.all, refresh: options.refresh, only: options.only, parallelStores, pulumiParallel: options.pulumiParallel,
            envVars: pulumiEnv({ env }), pulumiCommand: cli.command, lockStaleAfterMs: options.lockStaleAfterMinutes * 60_000,
            policyPacks: options.policyPacks, policyPackConfigs: options.policyPackConfigs,
            progress: { write: (text) => progressStream.write(text), isTTY: progressStream.isTTY, columns: progressStream.columns },
            signal: abort.signal,
        });
    } catch (error) {
        if (!(error instanceof FleetArgumentError)) throw error;
        console.error(`npm run up: ${error.message}`);
        return 2;
    } finally {
        process.off("SIGINT", onSigint);
    }
    if (options.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
        printFleet(summary, options.stack);
    }
    if (abort.signal.aborted) return 130;
    return summary.stores.some((store) => store.action === "failed") ? 1 : 0;
}

/** The closing table of a fleet run: every store's action, status and URL; why and where the log is for failures. */
function printFleet(summary: FleetSummary, baseStack: string): void {
    console.log(`\nStores of ${baseStack} (perStore):`);
    for (const store of summary.stores) {
        const status = store.action === "failed" ? `Failed: ${store.reason ?? ""}` : store.status ?? "";
        console.log(`  ${store.name.padEnd(24)} ${store.action.padEnd(10)} ${(store.url ?? "").padEnd(40)} ${status}`);
        if (store.action === "failed" && store.log) console.log(`  ${"".padEnd(24)} log: ${store.log}`);
    }
    const counts = summary.stores.reduce<Record<string, number>>((acc, store) => ({ ...acc, [store.action]: (acc[store.action] ?? 0) + 1 }), {});
    console.log(`\n${Object.entries(counts).map(([action, n]) => `${n} ${action}`).join(", ") || "no stores"}`);
    console.log(`Admin password of a Ready store: ${showSecretsCommand(`${baseStack}.<store>`)} --cwd ${fleetDir(WOOSTORE_HOME, PROJECT_DIR)}`);
}

/** The CLI command that shows the stores' credentials, with the backend `npm run up` used. */
function showSecretsCommand(stackName: string): string {
    const backend = process.env.PULUMI_BACKEND_URL ?? defaultBackendUrl();
    const passphrase = process.env.PULUMI_CONFIG_PASSPHRASE !== undefined || process.env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined || /^https?:/.test(backend)
        ? ""
        : `PULUMI_CONFIG_PASSPHRASE_FILE=${path.join(WOOSTORE_HOME, "passphrase")} `;
    return `PULUMI_BACKEND_URL=${backend} ${passphrase}pulumi stack output stores --show-secrets --stack ${stackName}`;
}

/** The engine's error messages of each store whose resources failed. */
function failuresByStore(events: EngineEvent[]): Map<string, string> {
    const parents = collectParents(events);
    const byStore = new Map<string, string>();
    for (const [urn, message] of collectErrors(events)) {
        const store = storeOfUrn(urn, parents);
        if (store) byStore.set(store, `${byStore.get(store) ?? ""}\n${message}`);
    }
    return byStore;
}

/**
 * Why each failed store failed: what its setup Job said (needs kubectl; optional), else the
 * last lines of the engine's error for one of its resources.
 */
async function storeFailures(errors: Map<string, string>, parents: Map<string, string>, kube: KubeTarget): Promise<Map<string, string>> {
    const failures = new Map<string, string>();
    for (const [urn, message] of errors) {
        const store = storeOfUrn(urn, parents);
        if (store && !failures.has(store)) {
            const detail = await setupFailureDetail(store, kube);
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
