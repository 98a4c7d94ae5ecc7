/**
 * Backup commands (issue 14), run against the stack's cluster with kubectl:
 *   npm run backup  -- <store> [--stack dev]                  back up now, and wait
 *   npm run backups -- <store> [--stack dev]                  list the store's snapshots
 *   npm run restore -- <store> --snapshot <id|latest> [--into <store>] [--stack dev]
 * Each runs the backup script (backup/woostore-backup.sh) in a Job built by
 * components/backup.ts, streams its progress and ends with one clear result line. A restore
 * scales WordPress down first, compares order counts with the snapshot (in the script), brings
 * WordPress back and re-runs the store's setup Job, whose read-back steps verify the store.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { BACKUP_COMPONENT, backupJobSpec, type BackupConfig, type BackupPodOptions, RESTIC_PASSWORD_KEY } from "../components/backup";
import { CREDENTIALS_SECRET_NAME, DEFAULT_IMAGES, DEFAULT_WOOCOMMERCE_VERSION, LABELS } from "../components/defaults";
import { storeNames } from "../components/names";
import { formatProblem } from "../components/problems";
import { CONFIG_NAMESPACE, decodeConfigValue, loadStackConfig, readStackConfigFile, type StackConfig } from "../components/stackConfig";
import { type ResolvedStore, validateStoreList } from "../components/storeList";
import { kubectl, type KubeTarget, kubeTarget } from "./kubectl";
import { PROJECT_DIR } from "./workspace";

export type BackupCommand = "backup" | "backups" | "restore";

export interface BackupCommandOptions {
    command: BackupCommand;
    store: string;
    stack: string;
    snapshot?: string;
    into?: string;
}

const USAGE: Record<BackupCommand, string> = {
    backup: "npm run backup -- <store> [--stack dev]",
    backups: "npm run backups -- <store> [--stack dev]",
    restore: "npm run restore -- <store> --snapshot <id|latest> [--into <new-store>] [--stack dev]",
};

/** Command-line problems, all at once; the message ends with the usage line. */
export class UsageError extends Error {
    constructor(readonly problems: string[], command: BackupCommand) {
        super(`${problems.join("\n")}\nusage: ${USAGE[command]}`);
        this.name = "UsageError";
    }
}

/** Parses the arguments after `npm run <command> --`; pure. */
export function parseBackupArgs(command: BackupCommand, argv: readonly string[]): BackupCommandOptions {
    const problems: string[] = [];
    const positional: string[] = [];
    const options: Partial<BackupCommandOptions> = { command, stack: "dev" };
    const value = (flag: string, index: number) => {
        const next = argv[index + 1];
        if (next === undefined || next.startsWith("--")) {
            problems.push(`${flag} needs a value`);
            return undefined;
        }
        return next;
    };
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        if (arg === "--stack") options.stack = value(arg, index++) ?? options.stack;
        else if (arg === "--snapshot" && command === "restore") options.snapshot = value(arg, index++);
        else if (arg === "--into" && command === "restore") options.into = value(arg, index++);
        else if (arg.startsWith("--")) problems.push(`unknown option ${arg}`);
        else positional.push(arg);
    }
    if (positional.length === 0) problems.push("which store? give its name as in stores.yaml");
    if (positional.length > 1) problems.push(`one store at a time (got ${positional.join(", ")})`);
    options.store = positional[0];
    if (command === "restore") {
        if (options.snapshot === undefined && !problems.includes("--snapshot needs a value")) problems.push("--snapshot is required: a snapshot id from npm run backups -- <store>, or latest");
        else if (options.snapshot !== undefined && !/^([0-9a-f]{8,64}|latest)$/.test(options.snapshot)) problems.push(`--snapshot "${options.snapshot}" is not a snapshot id — 8 to 64 hex characters as listed by npm run backups, or latest`);
        if (options.into !== undefined && options.into === options.store) problems.push("--into names the store itself — leave --into out to restore in place");
    }
    if (problems.length) throw new UsageError(problems, command);
    return options as BackupCommandOptions;
}

export interface ResolvedCommand {
    config: StackConfig & { backup: BackupConfig };
    store: ResolvedStore;
    into?: ResolvedStore;
}

/** Checks the command against the stack config and store list; pure apart from reading them. */
export function resolveCommand(options: BackupCommandOptions, projectDir = PROJECT_DIR): ResolvedCommand {
    const configFile = path.join(projectDir, `Pulumi.${options.stack}.yaml`);
    if (!fs.existsSync(configFile)) throw new UsageError([`stack "${options.stack}" has no config file Pulumi.${options.stack}.yaml`], options.command);
    const { raw, text } = readStackConfigFile(configFile);
    const config = loadStackConfig(raw, path.basename(configFile), text);
    const listFile = path.resolve(projectDir, config.storeList);
    const { stores, problems } = validateStoreList(fs.readFileSync(listFile, "utf8"), config.storeList, config);
    if (problems.length) throw new Error(`${config.storeList} has problems, run npm run validate:\n${problems.map((problem) => `  ${formatProblem(problem)}`).join("\n")}`);
    const find = (name: string) => stores.find((store) => store.name === name);
    const errors: string[] = [];
    if (!config.backup) errors.push(`backups are not configured for stack ${options.stack} — set woostore:backup.target in Pulumi.${options.stack}.yaml (README: "Backups and restore") and run npm run up`);
    const store = find(options.store);
    // A removed store's backups are kept: restoring them needs the name back in the list (same repository, same password).
    if (!store) errors.push(`store "${options.store}" is not in ${config.storeList} — known stores: ${stores.map((known) => known.name).join(", ") || "none"}; to restore a removed store, add it back and run npm run up first`);
    const into = options.into === undefined ? undefined : find(options.into);
    if (options.into !== undefined && !into) errors.push(`--into store "${options.into}" is not in ${config.storeList} — add the clone to the list and run npm run up first; it is then overwritten by the snapshot`);
    if (errors.length || !store || !config.backup) throw new UsageError(errors, options.command);
    return { config: config as ResolvedCommand["config"], store, into };
}

/** The Job object a command creates; pure. */
export function commandJob(resolved: ResolvedCommand, command: BackupPodOptions["command"], jobName: string, passwordSecret?: string) {
    const target = resolved.into ?? resolved.store;
    const spec = backupJobSpec({
        store: resolved.store,
        backup: resolved.config.backup,
        images: { mariadb: resolved.config.images.mariadb, restic: resolved.config.images.restic },
        command,
        into: resolved.into,
        passwordSecret,
    });
    return {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: jobName, namespace: storeNames(target.name).namespace, labels: spec.template.metadata.labels },
        spec,
    };
}

export interface StoreVersions { wordpress: string; woocommerce: string }

/** WordPress image and WooCommerce version of a stack config given as `woostore:*` values; pure. */
export function storeVersions(values: Record<string, unknown>): StoreVersions {
    const images = decodeConfigValue(values[`${CONFIG_NAMESPACE}:images`]) as { wordpress?: string } | undefined;
    const woocommerce = values[`${CONFIG_NAMESPACE}:woocommerceVersion`];
    return {
        wordpress: images?.wordpress ?? DEFAULT_IMAGES.wordpress,
        woocommerce: typeof woocommerce === "string" ? woocommerce : DEFAULT_WOOCOMMERCE_VERSION,
    };
}

/** What changes between the last deployed and the new versions ("" when nothing does); pure. */
export function versionChange(before: StoreVersions, after: StoreVersions): string {
    return [
        before.wordpress !== after.wordpress ? `WordPress ${before.wordpress} → ${after.wordpress}` : "",
        before.woocommerce !== after.woocommerce ? `WooCommerce ${before.woocommerce} → ${after.woocommerce}` : "",
    ].filter(Boolean).join(", ");
}

/**
 * The version change a deployment brings since the last one (`lastConfig`, as the stack's
 * history gives it), or "" when there is none to back up for: no last deployment, or backups
 * were off then (switched on by this very update, they have no script or credentials in the
 * cluster yet); pure. `current`: `woostore:*` values as strings.
 */
export function upgradeSinceLastDeployment(lastConfig: Record<string, { value: unknown }> | undefined, current: Record<string, string>): string {
    if (!lastConfig) return "";
    const previous = Object.fromEntries(Object.entries(lastConfig).map(([key, entry]) => [key, typeof entry.value === "string" ? entry.value : JSON.stringify(entry.value)]));
    if (previous[`${CONFIG_NAMESPACE}:backup`] === undefined) return "";
    return versionChange(storeVersions(previous), storeVersions(current));
}

/**
 * Issue 14 item 2, run by `npm run up` before the update: when the WordPress image or the
 * WooCommerce version differs from the last update's, every deployed store is backed up
 * (kind pre-upgrade) before its setup Job upgrades it. Returns false when a backup failed:
 * then nothing may be upgraded.
 */
export async function preUpgradeBackups(stack: Stack, stackName: string, kube: KubeTarget): Promise<boolean> {
    const file = path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`);
    const { raw, text } = readStackConfigFile(file);
    const config = loadStackConfig(raw, path.basename(file), text);
    if (!config.backup?.beforeUpgrade) return true;
    const [last] = await stack.history(1).catch(() => []);
    const current = Object.fromEntries(Object.entries(raw).map(([key, value]) => [`${CONFIG_NAMESPACE}:${key}`, typeof value === "string" ? value : JSON.stringify(value)]));
    const change = upgradeSinceLastDeployment(last?.config, current);
    if (!change) return true;
    const deployed = Object.keys(((await stack.outputs()).stores?.value ?? {}) as Record<string, unknown>);
    const { stores } = validateStoreList(fs.readFileSync(path.resolve(PROJECT_DIR, config.storeList), "utf8"), config.storeList, config);
    const toBackUp = stores.filter((store) => deployed.includes(store.name));
    if (!toBackUp.length) return true;
    console.log(`${change}: backing up ${toBackUp.length} store(s) before the upgrade (woostore:backup.beforeUpgrade)…`);
    for (const store of toBackUp) {
        const resolved = { config: config as ResolvedCommand["config"], store };
        const backup = await backupStore(kube, resolved, "pre-upgrade", { progress: consoleProgress });
        if (!backup.ok) {
            console.error(`Pre-upgrade backup of ${store.name} FAILED: ${backup.lastLine}
Nothing was upgraded. Fix the backup (npm run backup -- ${store.name}), or set woostore:backup.beforeUpgrade to false to upgrade without one.`);
            return false;
        }
        console.log(`  ${store.name}: snapshot ${backup.snapshot.slice(0, 8)} (${backup.orders} orders)`);
    }
    return true;
}

// ---------------------------------------------------------------------------------------------
// cluster side (kubectl)
// ---------------------------------------------------------------------------------------------

/** Where a running Job's progress goes: the terminal for the commands, the store's events for the API. */
export interface JobWatch {
    progress: (line: string) => void;
    /** Aborted: stop waiting (the Job itself runs on in the cluster and finishes on its own). */
    signal?: AbortSignal;
}

const consoleProgress = (line: string) => console.log(line);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stamp = () => new Date().toISOString().replace(/[-:TZ.]/g, "").slice(0, 14);

interface JobStatus { succeeded?: number; failed?: number; conditions?: { type: string; status: string; message?: string }[] }
interface PodItem { metadata: { name: string }; status?: { phase?: string; containerStatuses?: { state?: { terminated?: { exitCode: number; message?: string } } }[] } }

/** Creates a Job, streams its pod's log lines as progress, and returns the final line of its output. */
async function runJob(kube: KubeTarget, job: { metadata: { name: string; namespace: string } }, deadlineSeconds: number, watch: JobWatch): Promise<{ ok: boolean; lastLine: string; output: string[] }> {
    const { name, namespace } = job.metadata;
    await kubectl(kube, ["create", "-f", "-"], JSON.stringify(job));
    watch.progress(`  job ${namespace}/${name} created, waiting for its pod…`);
    const deadline = Date.now() + (deadlineSeconds + 300) * 1000;
    let logs: Promise<string> | undefined;
    for (;;) {
        if (watch.signal?.aborted) return { ok: false, lastLine: `stopped waiting for job ${name} (interrupted); it runs on in the cluster — see kubectl -n ${namespace} logs job/${name}`, output: [] };
        const status = JSON.parse(await kubectl(kube, ["-n", namespace, "get", "job", name, "-o", "json"])) as { status?: JobStatus };
        const done = status.status?.conditions?.find((condition) => (condition.type === "Complete" || condition.type === "Failed") && condition.status === "True");
        if (!logs) {
            const pods = JSON.parse(await kubectl(kube, ["-n", namespace, "get", "pods", "-l", `job-name=${name}`, "-o", "json"])) as { items: PodItem[] };
            if (pods.items.some((pod) => pod.status?.phase === "Running" || pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed")) {
                // Progress: the script's own log lines, as they come.
                logs = streamLogs(kube, namespace, name, watch.progress);
            }
        }
        if (done) {
            // The log stream ends with the container; a node that serves no logs must not hold us up.
            const output = (await Promise.race([logs ?? Promise.resolve(""), sleep(15_000).then(() => "")])).split("\n").filter(Boolean);
            const pods = JSON.parse(await kubectl(kube, ["-n", namespace, "get", "pods", "-l", `job-name=${name}`, "-o", "json"])) as { items: PodItem[] };
            const message = pods.items.flatMap((pod) => pod.status?.containerStatuses ?? []).map((container) => container.state?.terminated?.message?.trim()).filter(Boolean).pop();
            const lastLine = message?.split("\n").pop() ?? output[output.length - 1] ?? done.message ?? done.type;
            return { ok: done.type === "Complete", lastLine, output };
        }
        if (Date.now() > deadline) return { ok: false, lastLine: `job ${name} did not finish in time — see kubectl -n ${namespace} describe job ${name}`, output: [] };
        await sleep(2000);
    }
}

/** Follows the Job's logs, printing each line as progress; resolves with all of them. */
function streamLogs(kube: KubeTarget, namespace: string, job: string, progress: (line: string) => void): Promise<string> {
    return new Promise((resolve) => {
        const child = spawn("kubectl", [...kube.contextArgs, "-n", namespace, "logs", "-f", `job/${job}`], { stdio: ["ignore", "pipe", "ignore"], env: { ...process.env, ...kube.env } });
        let all = "";
        let partial = "";
        child.stdout.on("data", (chunk: Buffer) => {
            all += chunk.toString();
            const lines = (partial + chunk.toString()).split("\n");
            partial = lines.pop() ?? "";
            for (const line of lines) if (!line.startsWith("{") && !line.startsWith("[")) progress(`    ${line}`);
        });
        child.on("close", () => resolve(all));
        child.on("error", () => resolve(all));
        // Never outlive the command.
        child.unref();
        (child.stdout as unknown as { unref?: () => void }).unref?.();
    });
}

async function scaleWordPress(kube: KubeTarget, store: ResolvedStore, replicas: number): Promise<void> {
    const names = storeNames(store.name);
    await kubectl(kube, ["-n", names.namespace, "scale", "deployment", `${names.releaseName}-wordpress`, `--replicas=${replicas}`]);
    if (replicas === 0) {
        await kubectl(kube, ["-n", names.namespace, "wait", "--for=delete", "pod", "-l", `${LABELS.name}=wordpress`, "--timeout=300s"]).catch(() => undefined);
    } else {
        await kubectl(kube, ["-n", names.namespace, "rollout", "status", `deployment/${names.releaseName}-wordpress`, "--timeout=600s"]);
    }
}

/** Re-runs the store's (Pulumi-owned) setup Job as a new Job: its read-back steps verify the restored store. */
async function verifyWithSetupJob(kube: KubeTarget, store: ResolvedStore): Promise<{ ok: boolean; lastLine: string }> {
    const names = storeNames(store.name);
    const jobs = JSON.parse(await kubectl(kube, ["-n", names.namespace, "get", "jobs", "-o", "json"])) as { items: { metadata: { name: string; creationTimestamp: string }; spec: { template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: unknown }; backoffLimit?: number; activeDeadlineSeconds?: number } }[] };
    const setup = jobs.items.filter((job) => job.metadata.name.startsWith(names.setupJobPrefix)).sort((a, b) => b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp))[0];
    if (!setup) return { ok: false, lastLine: `no setup Job in ${names.namespace} — run npm run up to recreate the store's setup Job` };
    // Labels the Job controller added to the template would tie the copy to the old Job.
    const labels = Object.fromEntries(Object.entries(setup.spec.template.metadata?.labels ?? {}).filter(([key]) => !/controller-uid|job-name/.test(key)));
    const job = {
        apiVersion: "batch/v1",
        kind: "Job",
        metadata: { name: `${store.name}-verify-${stamp()}`.slice(0, 63), namespace: names.namespace, labels: { ...labels, [LABELS.component]: "setup" } },
        spec: { backoffLimit: setup.spec.backoffLimit, activeDeadlineSeconds: setup.spec.activeDeadlineSeconds, ttlSecondsAfterFinished: 86400, template: { metadata: { labels, annotations: setup.spec.template.metadata?.annotations }, spec: setup.spec.template.spec } },
    };
    return runJob(kube, job, setup.spec.activeDeadlineSeconds ?? 900, { progress: consoleProgress });
}

/** A copy of the source store's repository password in the clone's namespace (data stays base64, never printed). */
async function copyPassword(kube: KubeTarget, source: ResolvedStore, clone: ResolvedStore): Promise<string> {
    const name = `woostore-restore-from-${source.name}`.slice(0, 63);
    const encoded = (await kubectl(kube, ["-n", storeNames(source.name).namespace, "get", "secret", CREDENTIALS_SECRET_NAME, "-o", `jsonpath={.data.${RESTIC_PASSWORD_KEY}}`])).trim();
    if (!encoded) throw new Error(`store ${source.name} has no ${RESTIC_PASSWORD_KEY} in its Secret — run npm run up so backups are configured`);
    await kubectl(kube, ["apply", "-f", "-"], JSON.stringify({
        apiVersion: "v1", kind: "Secret", type: "Opaque",
        metadata: { name, namespace: storeNames(clone.name).namespace, labels: { [LABELS.component]: BACKUP_COMPONENT } },
        data: { [RESTIC_PASSWORD_KEY]: encoded },
    }));
    return name;
}

const resultOf = (line: string): Record<string, unknown> | undefined => {
    try {
        return line.startsWith("{") ? JSON.parse(line) as Record<string, unknown> : undefined;
    } catch {
        return undefined;
    }
};

/** A backup's result, or why it failed (the script's last line). */
export type BackupOutcome =
    | { ok: true; snapshot: string; orders: number; dumpBytes: number; uploadFiles: number; seconds: number }
    | { ok: false; lastLine: string };

/** Backs the store up now in a Job of the given kind and waits for its result line. */
export async function backupStore(kube: KubeTarget, resolved: ResolvedCommand, kind: "manual" | "pre-upgrade" | "scheduled", watch: JobWatch): Promise<BackupOutcome> {
    const run = await runJob(kube, commandJob(resolved, { action: "backup", kind }, `woostore-backup-${kind}-${stamp()}`), resolved.config.backup.timeoutSeconds, watch);
    const result = resultOf(run.lastLine);
    if (!run.ok || !result) return { ok: false, lastLine: run.lastLine };
    const count = (key: string) => (typeof result[key] === "number" ? result[key] : 0);
    return { ok: true, snapshot: String(result.snapshot), orders: count("orders"), dumpBytes: count("dumpBytes"), uploadFiles: count("uploadFiles"), seconds: count("seconds") };
}

/** One snapshot as `restic snapshots --json` lists it (the fields used here). */
export interface ResticSnapshot { id?: string; short_id: string; time: string; tags?: string[]; summary?: { total_bytes_processed?: number } }

export interface SnapshotView { id: string; time: string; kind: string | null; orders: number | null; sizeBytes: number | null }

/** A restic snapshot as the commands and the API show it: kind and orders come from its tags; pure. */
export function snapshotView(snapshot: ResticSnapshot): SnapshotView {
    const tag = (key: string) => snapshot.tags?.find((entry) => entry.startsWith(`${key}=`))?.slice(key.length + 1);
    const orders = tag("orders");
    const size = snapshot.summary?.total_bytes_processed;
    return {
        id: snapshot.short_id,
        time: new Date(snapshot.time).toISOString(),
        kind: tag("kind") ?? null,
        orders: orders !== undefined && /^\d+$/.test(orders) ? Number(orders) : null,
        // restic ≥ 0.17 records what the backup read; older snapshots have no size.
        sizeBytes: typeof size === "number" ? size : null,
    };
}

/** The store's snapshots, newest first; throws with the script's last line when they cannot be listed. */
export async function listSnapshots(kube: KubeTarget, resolved: ResolvedCommand, watch: JobWatch): Promise<SnapshotView[]> {
    const run = await runJob(kube, commandJob(resolved, { action: "snapshots" }, `woostore-backups-${stamp()}`), resolved.config.backup.timeoutSeconds, watch);
    const listing = [...run.output, run.lastLine].filter((line) => line.startsWith("[")).pop();
    if (!run.ok || !listing) throw new Error(`listing the backups of ${resolved.store.name} failed: ${run.lastLine}`);
    return (JSON.parse(listing) as ResticSnapshot[]).map(snapshotView).sort((a, b) => b.time.localeCompare(a.time));
}

async function main(command: BackupCommand, argv: string[]): Promise<number> {
    const options = parseBackupArgs(command, argv);
    const resolved = resolveCommand(options);
    const kube = kubeTarget(resolved.config);
    const watch: JobWatch = { progress: consoleProgress };
    const { store, into, config } = resolved;
    const deadline = config.backup.timeoutSeconds;
    if (command === "backup") {
        console.log(`Backing up store ${store.name} now…`);
        const backup = await backupStore(kube, resolved, "manual", watch);
        if (!backup.ok) return fail(`Backup of ${store.name} FAILED: ${backup.lastLine}`);
        console.log(`Backup of ${store.name} done: snapshot ${backup.snapshot.slice(0, 8)}, ${backup.orders} orders, dump ${backup.dumpBytes} bytes, ${backup.uploadFiles} upload files, ${backup.seconds}s.`);
        return 0;
    }
    if (command === "backups") {
        let snapshots: SnapshotView[];
        try {
            snapshots = (await listSnapshots(kube, resolved, watch)).reverse();
        } catch (error) {
            return fail(`Listing the backups of ${store.name} FAILED: ${(error as Error).message.replace(/^listing the backups of \S+ failed: /, "")}`);
        }
        console.log(`Snapshots of ${store.name} (${snapshots.length}):`);
        for (const snapshot of snapshots) {
            console.log(`  ${snapshot.id}  ${snapshot.time.slice(0, 19).replace("T", " ")} UTC  ${(snapshot.kind ?? "?").padEnd(12)} ${snapshot.orders ?? "?"} orders`);
        }
        console.log(`Restore one with: npm run restore -- ${store.name} --snapshot <id> [--into <new-store>]`);
        return 0;
    }
    const target = into ?? store;
    console.log(into ? `Restoring snapshot ${options.snapshot} of ${store.name} into ${into.name} (a clone)…` : `Restoring snapshot ${options.snapshot} of ${store.name} in place…`);
    const passwordSecret = into ? await copyPassword(kube, store, into) : undefined;
    console.log(`  scaling ${target.name}'s WordPress down (the shop is closed during the restore)`);
    await scaleWordPress(kube, target, 0);
    const run = await runJob(kube, commandJob(resolved, { action: "restore", snapshot: options.snapshot ?? "latest" }, `woostore-restore-${stamp()}`, passwordSecret), deadline, watch);
    if (passwordSecret) await kubectl(kube, ["-n", storeNames(target.name).namespace, "delete", "secret", passwordSecret, "--ignore-not-found"]);
    const result = resultOf(run.lastLine);
    if (!run.ok || !result) {
        return fail(`Restore of ${target.name} FAILED: ${run.lastLine}\n  WordPress stays scaled down. Retry the restore, or reopen the shop as it is now with: kubectl -n ${storeNames(target.name).namespace} scale deployment ${target.name}-wordpress --replicas=1`);
    }
    console.log(`  restored ${String(result.orders)} orders (snapshot recorded ${String(result.ordersRecorded)}), ${String(result.tablesChecked)} tables checked; scaling WordPress up`);
    await scaleWordPress(kube, target, 1);
    console.log("  verifying the store with its setup Job's read-back steps…");
    const verify = await verifyWithSetupJob(kube, target);
    if (!verify.ok) return fail(`Restore of ${target.name} done, but verification FAILED: ${verify.lastLine}`);
    console.log(`Restore of ${target.name} from snapshot ${String(result.snapshot)} done and verified: ${String(result.orders)} orders, the shop takes orders again.`);
    return 0;
}

function fail(message: string): number {
    console.error(message);
    return 1;
}

if (require.main === module) {
    const [command, ...argv] = process.argv.slice(2);
    if (command !== "backup" && command !== "backups" && command !== "restore") {
        console.error("usage: tsx automation/backups.ts backup|backups|restore …");
        process.exitCode = 2;
    } else {
        main(command, argv).then((code) => { process.exitCode = code; }, (error: Error) => {
            console.error(error.message);
            process.exitCode = error instanceof UsageError ? 2 : 1;
        });
    }
}
