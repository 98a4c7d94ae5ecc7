/**
 * The fleet's operations for one store created by the self-service API: the same per-store
 * stacks, fleet directory, backend settings and program as `npm run up`, for a single store
 * whose entry lives in the stack's config (woostore:apiStore) instead of stores.yaml. Each call
 * locks and touches that store's stack only.
 */
import { LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import * as fs from "fs";
import * as path from "path";
import { storeStackName } from "../components/stackLayout";
import { ConfigEntry } from "./fingerprint";
import { decodeRecord, RECORD_TAG, StackRecord } from "./plan";
import { openFleet, OperationOutcome, pulumiOperation } from "./run";
import { fleetDir, prepareFleetDir } from "./workspace";

export interface ApiStoreContext {
    projectDir: string;
    woostoreHome: string;
    baseStack: string;
    envVars: Record<string, string>;
    pulumiCommand?: PulumiCommand;
    signal?: AbortSignal;
    /** Engine steps as they happen, e.g. "create Job shop-setup". */
    onStep?: (text: string) => void;
    logDir: string;
    lockStaleAfterMs?: number;
}

/** Names of every store that has a per-store stack under the base stack, with where it came from. */
export async function storeStacks(context: ApiStoreContext): Promise<{ store: string; stack: string; record: StackRecord }[]> {
    const fleet = await fleetWorkspace(context);
    const stacks = (await fleet.listStacks()).filter((s) => s.name.startsWith(`${context.baseStack}.`));
    return Promise.all(stacks.map(async (s) => ({
        store: s.name.slice(context.baseStack.length + 1),
        stack: s.name,
        record: decodeRecord(await fleet.getTag(s.name, RECORD_TAG).catch(() => undefined)),
    })));
}

/** Creates or updates an API store (its entry as the API validated it); resolves with its status and URL. */
export async function upApiStore(entry: { name: string } & Record<string, unknown>, context: ApiStoreContext): Promise<OperationOutcome> {
    return operate(entry.name, "create", context, { "woostore:apiStore": { value: JSON.stringify(entry), secret: false } });
}

/** Destroys an API store and removes its stack. */
export async function destroyApiStore(name: string, context: ApiStoreContext): Promise<OperationOutcome> {
    return operate(name, "delete", context);
}

/** The admin credentials of a store from its stack's outputs (secret; only Ready stores have a password). */
export async function apiStoreCredentials(name: string, context: ApiStoreContext): Promise<{ adminUser?: string; adminPassword?: string; status?: string } | undefined> {
    const fleet = await fleetWorkspace(context);
    const stack = await Stack.select(storeStackName(context.baseStack, name), fleet).catch(() => undefined);
    if (!stack) return undefined;
    const stores = (await stack.outputs()).stores?.value as Record<string, { adminUser?: string; adminPassword?: string; status?: string }> | undefined;
    return stores?.[name];
}

async function fleetWorkspace(context: ApiStoreContext): Promise<LocalWorkspace> {
    const dir = fleetDir(context.woostoreHome, context.projectDir);
    prepareFleetDir(dir, context.projectDir);
    return LocalWorkspace.create({ workDir: dir, envVars: context.envVars, pulumiCommand: context.pulumiCommand });
}

async function operate(name: string, action: "create" | "delete", context: ApiStoreContext, extraConfig?: Record<string, ConfigEntry>): Promise<OperationOutcome> {
    const { dir, baseConfig, fleet } = await openFleet(context);
    fs.mkdirSync(context.logDir, { recursive: true });
    const stack = storeStackName(context.baseStack, name);
    return pulumiOperation({
        planned: { store: name, stack, action, why: action === "create" ? "requested through the API" : "deleted through the API" },
        mode: "up",
        fleet,
        fleetDir: dir,
        baseConfig,
        extraConfig,
        source: "api",
        logFile: path.join(context.logDir, `${name}.log`),
        onStep: context.onStep ?? (() => undefined),
        options: {
            projectDir: context.projectDir, woostoreHome: context.woostoreHome, baseStack: context.baseStack, mode: "up", parallelStores: 1,
            envVars: context.envVars, pulumiCommand: context.pulumiCommand, lockStaleAfterMs: context.lockStaleAfterMs ?? 60 * 60_000,
            progress: { write: () => undefined }, signal: context.signal,
        },
    });
}

