/**
 * Runs a per-store fleet (`woostore:stackLayout: perStore`) through the Automation API: one
 * stack per store, only stores whose fingerprint changed (or whose last update failed) are
 * touched, each in its own Pulumi CLI process, at most `parallelStores` at a time. The stacks
 * are the truth (a `woostore:fleet` stack tag per stack); the local index is a cache, used only
 * for stacks whose last update is still the one it saw.
 */
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack, StackSummary } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ProgramInputs } from "../components/program";
import { storeStackName } from "../components/stackLayout";
import { setupFailureDetail } from "../automation/diagnose";
import { withReleaseRecovery } from "../automation/helmRecords";
import { backupStore, type BackupOutcome, type JobWatch, type ResolvedCommand } from "../automation/backups";
import { kubeTarget } from "../automation/kubectl";
import { backupBeforeUpgrade } from "./preUpgrade";
import { ConfigEntry, fingerprint } from "./fingerprint";
import { describeLock, parseLockError } from "./locks";
import {
    Action, decodeRecord, DesiredStore, encodeRecord, ExistingStoreStack, planFleet, PlannedStore, RECORD_TAG, StackRecord, unknownSelections,
} from "./plan";
import { runBounded } from "./pool";
import { FleetProgress, ProgressSink } from "./progress";
import { chartDigest, FleetIndex, fleetDir, prepareFleetDir, programVersion, readIndex, setupChecksum, stackConfigFile, writeIndex } from "./workspace";

export type FleetMode = "up" | "preview" | "destroy";

export interface FleetOptions {
    projectDir: string;
    woostoreHome: string;
    baseStack: string;
    mode: FleetMode;
    all?: boolean;
    refresh?: boolean;
    only?: string[];
    parallelStores: number;
    /** Pulumi's own --parallel inside each store's operation. */
    pulumiParallel?: number;
    /** Environment of every CLI process (backend, passphrase, KUBECONFIG…). */
    envVars: Record<string, string>;
    pulumiCommand?: PulumiCommand;
    /** Policy packs (directories) and their config files, for updates and previews. */
    policyPacks?: string[];
    policyPackConfigs?: string[];
    /** A lock older than this is reported as stale, with the recovery command. */
    lockStaleAfterMs: number;
    progress: ProgressSink;
    signal?: AbortSignal;
    /** Replaces the per-store Pulumi operation (tests only). */
    operation?: StoreOperation;
}

/** What the --json summary says of a store. */
export interface StoreResult {
    name: string;
    stack: string;
    action: "created" | "updated" | "refreshed" | "previewed" | "unchanged" | "deleted" | "failed" | "skipped";
    status?: string;
    url?: string;
    reason?: string;
    log?: string;
}

export interface FleetSummary { stack: string; layout: "perStore"; stores: StoreResult[] }

/** One store's Pulumi operation: the real one runs the CLI through the Automation API. */
export type StoreOperation = (context: OperationContext) => Promise<OperationOutcome>;

export interface OperationContext {
    planned: PlannedStore;
    desired?: DesiredStore;
    mode: FleetMode;
    fleet: LocalWorkspace;
    fleetDir: string;
    baseConfig: Record<string, ConfigEntry>;
    logFile: string;
    onStep: (text: string) => void;
    options: FleetOptions;
    /** Where the store comes from (recorded on the stack); default the store list. */
    source?: "stores.yaml" | "api";
    /** Config beyond the base stack's, e.g. woostore:apiStore for the API's stores. */
    extraConfig?: Record<string, ConfigEntry>;
    /**
     * Set when woostore:backup.beforeUpgrade is on: backs this store up (kind pre-upgrade). An
     * update that changes the WordPress image or WooCommerce version runs it first (fleet/preUpgrade.ts).
     */
    preUpgradeBackup?: (watch: JobWatch) => Promise<BackupOutcome>;
}

export interface OperationOutcome { status?: string; url?: string; record?: StackRecord; error?: string; lockFailure?: boolean; staleLock?: boolean }

/**
 * A store whose stack is locked by a live operation is tried again this many times, after a
 * random 2–6 s pause: two runs that start at the same instant both see each other's lock (a DIY
 * backend writes its own lock, then looks for others), and one of them must get through.
 */
export const LOCK_RETRIES = 3;

const ACTION_DONE: Record<Action, StoreResult["action"]> = {
    create: "created", update: "updated", refresh: "refreshed", unchanged: "unchanged", delete: "deleted", refuse: "failed", skip: "skipped",
};

/** A default for --parallel-stores from cores and memory: ~450 MiB and about half a core per operation. */
export function defaultParallelStores(cpus = os.cpus().length, totalMemBytes = os.totalmem()): number {
    const byMemory = Math.floor((totalMemBytes * 0.5) / (450 * 1024 * 1024));
    return Math.max(1, Math.min(2 * cpus, byMemory, 16));
}

/**
 * The fleet directory and workspace of a base stack, and the base stack's config (secrets
 * included: decrypted here, re-encrypted by each per-store stack).
 */
export async function openFleet(options: { projectDir: string; woostoreHome: string; baseStack: string; envVars: Record<string, string>; pulumiCommand?: PulumiCommand }) {
    const dir = fleetDir(options.woostoreHome, options.projectDir);
    prepareFleetDir(dir, options.projectDir);
    const wsOptions = { envVars: options.envVars, pulumiCommand: options.pulumiCommand };
    const base = await LocalWorkspace.createOrSelectStack({ stackName: options.baseStack, workDir: options.projectDir }, wsOptions);
    const baseConfig = Object.fromEntries(Object.entries(await base.getAllConfig()).filter(([key]) => key.startsWith("woostore:"))) as Record<string, ConfigEntry>;
    const fleet = await LocalWorkspace.create({ workDir: dir, ...wsOptions });
    return { dir, base, baseConfig, fleet };
}

export async function runFleet(inputs: ProgramInputs, options: FleetOptions): Promise<FleetSummary> {
    const { dir, baseConfig, fleet } = await openFleet(options);
    const existing = await existingStoreStacks(fleet, dir, options.baseStack, options.signal);

    const parts = { stackConfig: baseConfig, chartDigest: chartDigest(options.projectDir), setupChecksum: setupChecksum(options.projectDir), programVersion: programVersion(options.projectDir) };
    const desired: DesiredStore[] = options.mode === "destroy" ? [] : inputs.stores.map((store) => ({ name: store.name, fingerprint: fingerprint({ ...parts, store }), protect: store.protect }));
    const unknown = unknownSelections(options.only, options.mode === "destroy" ? inputs.stores.map((s) => ({ name: s.name, fingerprint: "", protect: false })) : desired, existing.entries);
    if (unknown.length) {
        throw new FleetArgumentError(`--store ${unknown.join(", ")}: no such store in the store list or among the stacks of ${options.baseStack} — check the name (stores: ${[...new Set([...desired.map((d) => d.name), ...existing.entries.map((e) => e.store)])].sort().join(", ") || "none"})`);
    }
    const plan = planFleet(desired, existing.entries, (store) => storeStackName(options.baseStack, store), { all: options.all, refresh: options.refresh, only: options.only });

    const progress = new FleetProgress(options.progress, plan.map((p) => p.store));
    const results = new Map<string, StoreResult>();
    const work: PlannedStore[] = [];
    for (const planned of plan) {
        if (planned.action === "unchanged" || planned.action === "skip") {
            results.set(planned.store, { name: planned.store, stack: planned.stack, action: ACTION_DONE[planned.action], reason: planned.why, status: existing.status.get(planned.store) });
            progress.set(planned.store, planned.action === "unchanged" ? "unchanged" : "skipped", planned.why);
        } else if (planned.action === "refuse") {
            results.set(planned.store, { name: planned.store, stack: planned.stack, action: "failed", reason: planned.why });
            progress.set(planned.store, "failed", planned.why);
        } else {
            work.push(planned);
        }
    }

    const runId = new Date().toISOString().replace(/[:.]/g, "-");
    const logDir = path.join(options.woostoreHome, "logs", options.baseStack, runId);
    const operation = options.operation ?? pulumiOperation;
    const desiredByName = new Map(desired.map((store) => [store.name, store]));
    // Pre-upgrade backups run kubectl against the cluster of this run (KUBECONFIG of its CLI processes).
    const kube = kubeTarget(inputs.config, options.envVars.KUBECONFIG ? { KUBECONFIG: options.envVars.KUBECONFIG } : {});
    await runBounded(work, options.parallelStores, async (planned) => {
        if (options.signal?.aborted) {
            results.set(planned.store, { name: planned.store, stack: planned.stack, action: "skipped", reason: "interrupted before it started" });
            progress.set(planned.store, "skipped", "interrupted before it started");
            return;
        }
        fs.mkdirSync(logDir, { recursive: true });
        const logFile = path.join(logDir, `${planned.store}.log`);
        progress.set(planned.store, "running", `${planned.action} (${planned.why})`);
        const resolved = inputs.stores.find((store) => store.name === planned.store);
        const backup = inputs.config.backup;
        const preUpgradeBackup = backup?.beforeUpgrade && resolved && planned.action === "update"
            ? (watch: JobWatch) => backupStore(kube, { config: inputs.config as ResolvedCommand["config"], store: resolved }, "pre-upgrade", watch)
            : undefined;
        let outcome: OperationOutcome = {};
        for (let attempt = 0; attempt <= LOCK_RETRIES; attempt++) {
            try {
                outcome = await operation({
                    planned, desired: desiredByName.get(planned.store), mode: options.mode, fleet, fleetDir: dir, baseConfig, logFile,
                    onStep: (text) => progress.detail(planned.store, text), options, preUpgradeBackup,
                });
            } catch (error) {
                outcome = { error: error instanceof Error ? error.message : String(error) };
            }
            if (!outcome.lockFailure || outcome.staleLock || attempt === LOCK_RETRIES || options.signal?.aborted) break;
            progress.detail(planned.store, "locked by another operation: waiting to try again");
            await new Promise((resolve) => setTimeout(resolve, 2000 + Math.random() * 4000));
        }
        const interrupted = options.signal?.aborted === true;
        if (outcome.error !== undefined) {
            const reason = interrupted ? `interrupted: ${firstLines(outcome.error)}` : outcome.error;
            results.set(planned.store, { name: planned.store, stack: planned.stack, action: "failed", status: outcome.status ?? "Failed", reason, log: logFile });
            progress.set(planned.store, "failed", `${reason} (log: ${logFile})`);
        } else {
            const action = options.mode === "preview" ? "previewed" : ACTION_DONE[planned.action];
            results.set(planned.store, { name: planned.store, stack: planned.stack, action, status: outcome.status, url: outcome.url, log: logFile });
            progress.set(planned.store, outcome.status === "Ready" || options.mode !== "up" || planned.action === "delete" ? (outcome.status === "Ready" ? "ready" : "done") : "done", outcome.status ?? action);
        }
        if (outcome.record) existing.index.stacks[planned.stack] = { record: outcome.record };
        if (planned.action === "delete" && outcome.error === undefined && options.mode !== "preview") delete existing.index.stacks[planned.stack];
    });
    progress.finish();

    // Re-read what the backend says of the stacks this run touched, so the cache matches the truth.
    if (work.length && options.mode !== "preview") {
        await refreshIndex(fleet, options.baseStack, existing.index).catch(() => undefined);
    }
    writeIndex(dir, existing.index);
    return { stack: options.baseStack, layout: "perStore", stores: plan.map((p) => results.get(p.store)!).filter(Boolean) };
}

export class FleetArgumentError extends Error {}

/** The per-store stacks of a base stack, each with its record (from the cache when current, else its tag). */
async function existingStoreStacks(fleet: LocalWorkspace, dir: string, baseStack: string, signal?: AbortSignal) {
    const summaries = (await fleet.listStacks()).filter((summary) => summary.name.startsWith(`${baseStack}.`));
    const readTag = (stack: string) => fleet.getTag(stack, RECORD_TAG).catch(() => undefined);
    const { records, index } = await resolveRecords(summaries, readIndex(dir), readTag, signal);
    const entries: ExistingStoreStack[] = [];
    const status = new Map<string, string>();
    for (const [stack, record] of records) {
        const store = stack.slice(baseStack.length + 1);
        entries.push({ stack, store, record });
        if (record.result === "succeeded") status.set(store, "Ready");
    }
    return { entries, index, status };
}

/**
 * Each stack's record: from the cache when the cache saw the stack's current last update and
 * resource count, otherwise from the stack's tag (the truth). Returns the fresh cache too.
 */
export async function resolveRecords(
    summaries: readonly Pick<StackSummary, "name" | "lastUpdate" | "resourceCount">[],
    cache: FleetIndex,
    readTag: (stack: string) => Promise<string | undefined>,
    signal?: AbortSignal,
): Promise<{ records: Map<string, StackRecord>; index: FleetIndex }> {
    const records = new Map<string, StackRecord>();
    const index: FleetIndex = { stacks: {} };
    await runBounded(summaries, 8, async (summary) => {
        if (signal?.aborted) return;
        const cached = cache.stacks[summary.name];
        const record = cached && cacheIsCurrent(cached, summary) ? cached.record : decodeRecord(await readTag(summary.name));
        records.set(summary.name, record);
        index.stacks[summary.name] = { record, lastUpdate: summary.lastUpdate, resourceCount: summary.resourceCount };
    });
    return { records, index };
}

function cacheIsCurrent(cached: FleetIndex["stacks"][string], summary: Pick<StackSummary, "lastUpdate" | "resourceCount">): boolean {
    return cached.lastUpdate !== undefined && cached.lastUpdate === summary.lastUpdate && cached.resourceCount === summary.resourceCount;
}

async function refreshIndex(fleet: LocalWorkspace, baseStack: string, index: FleetIndex): Promise<void> {
    for (const summary of await fleet.listStacks()) {
        if (!summary.name.startsWith(`${baseStack}.`)) continue;
        const entry = index.stacks[summary.name];
        if (entry) Object.assign(entry, { lastUpdate: summary.lastUpdate, resourceCount: summary.resourceCount });
    }
    for (const name of Object.keys(index.stacks)) {
        if (!name.startsWith(`${baseStack}.`)) delete index.stacks[name];
    }
}

/** The real per-store operation: the Pulumi CLI through the Automation API. */
export const pulumiOperation: StoreOperation = async (context) => {
    const { planned, options, fleet } = context;
    const log = fs.createWriteStream(context.logFile, { flags: "a" });
    const write = (text: string) => { log.write(text); };
    const events: EngineEvent[] = [];
    const common = {
        onOutput: write,
        onEvent: (event: EngineEvent) => {
            if (event.diagnosticEvent?.severity === "error") events.push(event);
            const pre = event.resourcePreEvent?.metadata;
            if (pre && pre.op !== "same") context.onStep(`${pre.op} ${pre.type.split(":").pop()} ${pre.urn.slice(pre.urn.lastIndexOf("::") + 2)}`);
        },
        color: "never" as const,
        signal: options.signal,
    };
    const policy = { policyPacks: options.policyPacks, policyPackConfigs: options.policyPackConfigs };
    const created = !fs.existsSync(stackConfigFile(context.fleetDir, planned.stack));
    const source = context.source ?? "stores.yaml";
    const wantedConfig = { ...context.baseConfig, ...(context.extraConfig ?? {}) };
    const kube = kubeTarget({ kubeContext: wantedConfig["woostore:kubeContext"]?.value }, options.envVars.KUBECONFIG ? { KUBECONFIG: options.envVars.KUBECONFIG } : {});
    let stack: Stack | undefined;
    try {
        write(`== ${new Date().toISOString()} ${planned.action} ${planned.stack} (${planned.why})\n`);
        if (planned.action === "delete" || options.mode === "destroy") {
            stack = await Stack.select(planned.stack, fleet);
            if (options.mode === "preview") {
                // A pull request that removes a store previews its deletion; it must not delete it.
                await stack.previewDestroy({ ...common, parallel: options.pulumiParallel });
                return { status: "would be deleted" };
            }
            await stack.destroy({ ...common, parallel: options.pulumiParallel });
            await fleet.removeStack(planned.stack);
            return { status: "deleted" };
        }
        stack = await Stack.createOrSelect(planned.stack, fleet);
        if (options.mode === "up" && planned.action === "update" && context.preUpgradeBackup) {
            // Before the new config is set: a refused upgrade leaves the stack as it was. History is
            // read without secrets, and only here, where backups before upgrades are on (it costs a CLI call).
            const selected = stack;
            const refused = await backupBeforeUpgrade(planned.store, true, wantedConfig, {
                history: () => selected.history(1, 1, false),
                backup: context.preUpgradeBackup,
            }, { progress: (line) => { write(`${line}\n`); context.onStep(line.trim()); }, signal: options.signal });
            if (refused) {
                write(`${refused}\n`);
                return { error: refused, status: "Failed" };
            }
        }
        if (created && planned.action !== "create") {
            // This machine lost the stack's config file (e.g. a new checkout or home directory):
            // bring back its encryption salt from the last deployment.
            await stack.refreshConfig().catch(() => undefined);
        }
        if (!sameConfig(await stack.getAllConfig(), wantedConfig)) {
            // Only when it differs: two runs at once must not both rewrite the stack's config file.
            await stack.setAllConfig(wantedConfig);
        }
        if (options.mode === "preview") {
            await stack.preview({ ...common, ...policy, parallel: options.pulumiParallel, diff: false });
            if (planned.action === "create") await fleet.removeStack(planned.stack);
            return { status: planned.action === "create" ? "would be created" : "previewed" };
        }
        if (planned.action === "refresh") {
            // The drift check is read-only: it reports differences, it does not write them into the state.
            await stack.refresh({ ...common, parallel: options.pulumiParallel, expectNoChanges: true, previewOnly: true });
        } else {
            const up = stack;
            await withReleaseRecovery(() => up.up({ ...common, ...policy, parallel: options.pulumiParallel }), {
                // One store per stack: whatever failed, failed for this store.
                failures: (error) => new Map([[planned.store, [messageOf(error), ...events.map((event) => event.diagnosticEvent!.message)].join("\n")]]),
                target: kube,
                say: (line) => { write(`== ${line}\n`); context.onStep(line); events.length = 0; },
            });
        }
        const store = ((await stack.outputs()).stores?.value as Record<string, { status?: string; url?: string }> | undefined)?.[planned.store];
        const record: StackRecord = { fingerprint: context.desired?.fingerprint, result: "succeeded", source, protect: context.desired?.protect ?? false };
        if (planned.action !== "refresh") await fleet.setTag(planned.stack, RECORD_TAG, encodeRecord(record));
        return { status: store?.status, url: store?.url, record };
    } catch (error) {
        const text = messageOf(error);
        const holders = parseLockError(text);
        if (holders) {
            const cancel = `PULUMI_BACKEND_URL=${options.envVars.PULUMI_BACKEND_URL ?? "<backend>"} pulumi cancel --yes --stack ${planned.stack} --cwd ${context.fleetDir}`;
            const staleLock = holders.some((holder) => holder.since !== undefined && Date.now() - holder.since.getTime() > options.lockStaleAfterMs);
            return { error: describeLock(planned.stack, holders, options.lockStaleAfterMs, cancel), lockFailure: true, staleLock };
        }
        const detail = options.mode === "up" && planned.action !== "delete" ? await setupFailureDetail(planned.store, kube) : undefined;
        const engine = events.map((event) => event.diagnosticEvent!.message).join("\n");
        const reason = detail ?? firstLines(engine || text);
        let record: StackRecord | undefined;
        if (stack && planned.action !== "delete" && options.mode === "up" && planned.action !== "refresh") {
            record = { fingerprint: context.desired?.fingerprint, result: "failed", source, protect: context.desired?.protect ?? false };
            await fleet.setTag(planned.stack, RECORD_TAG, encodeRecord(record)).catch(() => undefined);
        }
        return { error: reason, status: planned.action === "refresh" ? "drifted" : "Failed", record };
    } finally {
        await new Promise((resolve) => log.end(resolve));
    }
};

/** Whether a stack's `woostore:*` config already equals the base stack's (values and secrecy). */
export function sameConfig(current: Record<string, ConfigEntry>, wanted: Record<string, ConfigEntry>): boolean {
    const ours = Object.entries(current).filter(([key]) => key.startsWith("woostore:"));
    return ours.length === Object.keys(wanted).length &&
        ours.every(([key, entry]) => wanted[key] !== undefined && wanted[key].value === entry.value && (wanted[key].secret ?? false) === (entry.secret ?? false));
}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

function firstLines(text: string): string {
    const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
    const joined = lines.slice(-3).join(" ");
    return joined.length > 400 ? `${joined.slice(0, 397)}…` : joined;
}
