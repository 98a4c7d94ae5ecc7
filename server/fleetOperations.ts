/**
 * The real store operations: the fleet layer's per-store stacks (fleet/apiStores.ts) with the
 * same backend settings, Pulumi CLI and cluster as `npm run up`.
 */
import { configAsPulumiGivesIt } from "../automation/command";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { loadProgramInputs, ProgramInputs } from "../components/program";
import { readStackConfigFile } from "../components/stackConfig";
import { resolvePulumiCli } from "../automation/pulumiCli";
import { clusterEnv } from "../automation/up";
import { PROJECT_DIR, pulumiEnv, WOOSTORE_HOME } from "../automation/workspace";
import { ApiStoreContext, apiStoreCredentials, destroyApiStore, storeStacks, upApiStore } from "../fleet/apiStores";
import { storeStackName } from "../components/stackLayout";
import { fleetDir } from "../fleet/workspace";
import { backupStore, listSnapshots, type ResolvedCommand } from "../automation/backups";
import { type KubeTarget, kubeTarget } from "../automation/kubectl";
import { validateStoreEntry } from "../components/storeList";
import type { BackupSnapshot, OperationContext, StackState, StoreOperations } from "./operations";

/** Stack listings are cached this long: a POST must not wait for the CLI every time. */
const STACKS_TTL_MS = 10_000;
/** A store's snapshot list is reused this long (each listing is a Job in the store's namespace); a backup clears it. */
const SNAPSHOTS_TTL_MS = 30_000;

/** The stack's config and store list, validated as the program sees them (`woostore:*`, objects as JSON text). */
export function loadInputs(stack: string): ProgramInputs {
    const raw = readStackConfigFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`)).raw;
    // The API serves stores that are not in the list: an empty stores.yaml is normal here.
    return loadProgramInputs(PROJECT_DIR, stack, configAsPulumiGivesIt(raw), { allowEmpty: true });
}

export function fleetOperations(stack: string): StoreOperations {
    const config = loadInputs(stack).config;
    if (config.stackLayout !== "perStore") {
        throw new Error(`stack ${stack} has woostore:stackLayout ${config.stackLayout}: the API creates one stack per store — set woostore:stackLayout: perStore in Pulumi.${stack}.yaml (README: "Stack layouts")`);
    }
    let cli: Promise<PulumiCommand> | undefined;
    let stacks: { at: number; names: Promise<Map<string, StackState>> } | undefined;
    let refreshing: Promise<void> | undefined;
    const pulumiCommand = () => (cli ??= resolvePulumiCli({ woostoreHome: WOOSTORE_HOME }).then((resolved) => resolved.command));
    // Listing stacks needs only the backend; operations also need the cluster (found or created as `npm run up` does).
    const baseContext = async (withCluster: boolean, operation?: OperationContext): Promise<ApiStoreContext> => ({
        projectDir: PROJECT_DIR,
        woostoreHome: WOOSTORE_HOME,
        baseStack: stack,
        envVars: pulumiEnv({ env: withCluster ? clusterEnv(stack) : {} }),
        pulumiCommand: await pulumiCommand(),
        signal: operation?.signal,
        onStep: operation?.onStep,
        logDir: path.join(WOOSTORE_HOME, "logs", "api"),
    });
    /** The store as the backup Job needs it (sized and labelled like the store), with the stack's backup settings. */
    const backupCommand = (entry: { name: string } & Record<string, unknown>): ResolvedCommand => {
        if (!config.backup) throw new Error(`backups are not configured for stack ${stack} — set woostore:backup.target in Pulumi.${stack}.yaml (README: "Backups and restore") and run npm run up`);
        const { store, problems } = validateStoreEntry(entry, config);
        if (!store) throw new Error(`store ${entry.name} has an invalid entry: ${problems.join("; ")}`);
        return { config: config as ResolvedCommand["config"], store };
    };
    // The cluster is the one `npm run up` uses for the stack (KUBECONFIG and woostore:kubeContext), passed to each
    // call; found once (finding it may run k3d), a lookup that throws is tried again next time.
    let kubeFound: KubeTarget | undefined;
    const kube = () => (kubeFound ??= kubeTarget(config, clusterEnv(stack)));
    const snapshots = new Map<string, { at: number; list: Promise<BackupSnapshot[]> }>();
    return {
        config: () => config,
        backup: async (entry, context) => {
            const outcome = await backupStore(kube(), backupCommand(entry), "manual", { progress: (line) => context.onStep(line.trim()), signal: context.signal });
            snapshots.delete(entry.name);
            return outcome.ok
                ? { status: `snapshot ${outcome.snapshot.slice(0, 8)}, ${outcome.orders} orders, dump ${outcome.dumpBytes} bytes, ${outcome.uploadFiles} upload files, ${outcome.seconds}s` }
                : { error: outcome.lastLine };
        },
        listBackups: (entry) => {
            const cached = snapshots.get(entry.name);
            if (cached && Date.now() - cached.at < SNAPSHOTS_TTL_MS) return cached.list;
            // Concurrent readers share one listing Job; a failed listing is not kept.
            const list = Promise.resolve().then(() => listSnapshots(kube(), backupCommand(entry), { progress: () => undefined }));
            list.catch(() => snapshots.delete(entry.name));
            snapshots.set(entry.name, { at: Date.now(), list });
            return list;
        },
        listedStores: () => loadInputs(stack).stores,
        stackStores: (options) => {
            const load = () => baseContext(false).then(storeStacks).then((list) => new Map(list.map((entry) => [entry.store, { result: entry.record.result, source: entry.record.source }])));
            const expired = !stacks || Date.now() - stacks.at > STACKS_TTL_MS;
            if (stacks && expired && options?.allowStale) {
                // A listing answers at once from the last snapshot and the next one is loaded meanwhile.
                if (!refreshing) {
                    refreshing = load().then((names) => { stacks = { at: Date.now(), names: Promise.resolve(names) }; }, () => undefined)
                        .finally(() => { refreshing = undefined; });
                }
                return stacks.names;
            }
            if (!stacks || expired) {
                const names = load();
                names.catch(() => { stacks = undefined; });
                stacks = { at: Date.now(), names };
            }
            return stacks.names;
        },
        up: async (entry, context) => {
            const outcome = await upApiStore(entry, await baseContext(true, context));
            stacks = undefined;
            return outcome;
        },
        destroy: async (name, context) => {
            const outcome = await destroyApiStore(name, await baseContext(true, context));
            stacks = undefined;
            return outcome;
        },
        releaseLock: async (name) => {
            const context = await baseContext(false);
            const fleet = await LocalWorkspace.create({ workDir: fleetDir(context.woostoreHome, context.projectDir), envVars: context.envVars, pulumiCommand: context.pulumiCommand });
            await (await Stack.select(storeStackName(stack, name), fleet)).cancel();
        },
        credentials: async (name) => {
            const found = await apiStoreCredentials(name, await baseContext(false));
            return found?.adminUser && found.adminPassword ? { adminUser: found.adminUser, adminPassword: found.adminPassword } : undefined;
        },
    };
}
