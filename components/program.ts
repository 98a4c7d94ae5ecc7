/**
 * The program behind `pulumi up`, the Automation API and the benchmarks: load and validate
 * the stack config and the store list, then one WooStore per entry. Inputs are validated
 * completely before any resource is registered, so bad input changes nothing.
 */
import * as k8s from "@pulumi/kubernetes";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ALLOW_EMPTY_ENV } from "./defaults";
import { InputError, parseYamlSource } from "./problems";
import { configProblem, loadStackConfig, readStackConfigFile, resolveStoreListPath, StackConfig, stripNamespace } from "./stackConfig";
import { ownershipProblem, parseStackName } from "./stackLayout";
import { loadStoreList, ResolvedStore, validateStoreEntry } from "./storeList";
import { StoreOutputs, WooStore } from "./wooStore";

export type { StoreOutputs };

export interface ProgramInputs {
    config: StackConfig;
    stores: ResolvedStore[];
}

/** Reads and validates everything the program needs; throws InputError with all problems. */
export function loadProgramInputs(projectDir: string, stackName: string, allConfig: Record<string, string>, options: { allowEmpty?: boolean } = {}): ProgramInputs {
    // A per-store stack (dev.demo-shop) runs with a copy of its base stack's config: problems
    // are reported against the file the user edits, Pulumi.dev.yaml.
    const configFile = `Pulumi.${parseStackName(stackName).base}.yaml`;
    const configPath = path.join(projectDir, configFile);
    const baseStack = parseStackName(stackName).base;
    const configText = fs.existsSync(configPath) ? readStackConfigFile(configPath).text : undefined;
    const config = loadStackConfig(stripNamespace(allConfig), configFile, configText, baseStack);
    const listPath = resolveStoreListPath(projectDir, config.storeList);
    if (!listPath.ok) {
        const source = configText !== undefined ? parseYamlSource(configFile, configText).source : undefined;
        throw new InputError([configProblem(configFile, source, ["storeList"], listPath.message, listPath.hint)]);
    }
    // The empty-list guard protects a stack that holds every store (an empty list would delete
    // them all). A per-store stack owns one store and can never delete another, and the
    // self-service API serves stores that are not in the list at all: for those an empty list is fine.
    const allowEmpty = process.env[ALLOW_EMPTY_ENV] === "true" || options.allowEmpty === true || parseStackName(stackName).store !== undefined;
    const stores = loadStoreList(listPath.path, config, config.storeList, { stack: baseStack, allowEmpty });
    return { config, stores };
}

/**
 * The stores this stack registers: all of them under `single`, the one its name says it owns
 * under `perStore`. Throws InputError when the stack may not run (see ownershipProblem).
 */
export function storesOfStack(inputs: ProgramInputs, stackName: string): ProgramInputs {
    const configFile = `Pulumi.${parseStackName(stackName).base}.yaml`;
    const apiStore = inputs.config.apiStore === undefined ? undefined : apiStoreOf(inputs, stackName, configFile);
    const names = inputs.stores.map((store) => store.name);
    const problem = ownershipProblem(stackName, inputs.config.stackLayout, apiStore ? [...names, apiStore.name] : names);
    if (problem) {
        throw new InputError([{ file: configFile, line: 0, col: 0, path: "woostore:stackLayout", ...problem }]);
    }
    if (apiStore) return { ...inputs, stores: [apiStore] };
    const owned = parseStackName(stackName).store;
    return owned === undefined ? inputs : { ...inputs, stores: inputs.stores.filter((store) => store.name === owned) };
}

/**
 * The store of a per-store stack created by the self-service API: its entry comes from the
 * stack's config (woostore:apiStore), validated like a store list entry. It must be the store
 * the stack's name says, and must not also be in the store list (git owns those).
 */
function apiStoreOf(inputs: ProgramInputs, stackName: string, configFile: string): ResolvedStore {
    const raw = typeof inputs.config.apiStore === "string" ? safeJson(inputs.config.apiStore) : inputs.config.apiStore;
    const result = validateStoreEntry(raw, inputs.config);
    const at = (message: string, hint: string) => new InputError([{ file: configFile, line: 0, col: 0, path: "woostore:apiStore", message: `stack "${stackName}": ${message}`, hint }]);
    if (!result.store) throw at(`the API's store entry is invalid: ${result.problems.join("; ")}`, "recreate the store through the API");
    if (result.store.name !== parseStackName(stackName).store) throw at(`the API's store entry is for "${result.store.name}"`, "a per-store stack runs only the store its name says");
    if (inputs.stores.some((store) => store.name === result.store!.name)) {
        throw at(`store "${result.store.name}" is in the store list too`, "a store is either in stores.yaml (changed through git) or created by the API, never both: remove one");
    }
    return result.store;
}

function safeJson(text: string): unknown {
    try {
        return JSON.parse(text);
    } catch {
        return text;
    }
}

/**
 * Above this many stores the program registers resources with V8's stack capture off: the
 * Pulumi SDK formats a stack trace for every promise and resource it creates, which dominates
 * CPU and memory of large programs (see `npm run bench:program`). Small lists keep full traces.
 */
export const LARGE_STORE_LIST = 50;

export function createStores(inputs: ProgramInputs, provider?: k8s.Provider): Record<string, StoreOutputs> {
    const stackTraceLimit = Error.stackTraceLimit;
    if (inputs.stores.length > LARGE_STORE_LIST) {
        Error.stackTraceLimit = 0;
    }
    try {
        return registerStores(inputs, provider);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
}

/**
 * The stack's fleet backup key: every store's restic password is derived from it, so a removed
 * store's backups stay readable. Created with woostore:backup only, so stacks without backups
 * (and `npm run migrate`, which moves store components) have no resource outside the stores;
 * in prod it is protected, so switching backups off fails instead of losing the key. Under
 * perStore each store's stack holds its own key. The name has a '_', which no store name has,
 * so it is never taken for a store's resource.
 */
export const FLEET_BACKUP_KEY_NAME = "woostore_backup-key";

function registerStores(inputs: ProgramInputs, provider?: k8s.Provider): Record<string, StoreOutputs> {
    const outputs: Record<string, StoreOutputs> = {};
    const backupKey = inputs.config.backup === undefined ? undefined : pulumi.secret(new random.RandomBytes(FLEET_BACKUP_KEY_NAME, { length: 32 }, {
        additionalSecretOutputs: ["base64", "hex"],
        // Without it no store's backups can be opened: protected like the stores (prod).
        protect: inputs.config.protectStores,
    }).base64);
    for (const store of inputs.stores) {
        outputs[store.name] = new WooStore(store.name, { store, config: inputs.config, backupKey }, {
            protect: store.protect,
            providers: provider ? { kubernetes: provider } : undefined,
        }).outputs();
    }
    return outputs;
}

/** The whole program: what index.ts runs. Bad input ends it with a readable list, no stack trace. */
export function runProgram(projectDir: string): Record<string, StoreOutputs> {
    let inputs: ProgramInputs;
    try {
        inputs = storesOfStack(loadProgramInputs(projectDir, pulumi.getStack(), pulumi.runtime.allConfig()), pulumi.getStack());
    } catch (error) {
        if (error instanceof InputError) {
            throw new pulumi.RunError(`invalid WooStore input, nothing was changed.\n${error.message}`);
        }
        throw error;
    }
    // An explicit provider: the cluster is chosen by stack config (or KUBECONFIG), never by
    // whatever the ambient default provider would pick up.
    const provider = new k8s.Provider("kubernetes", {
        context: inputs.config.kubeContext,
        enableServerSideApply: true,
    });
    return createStores(inputs, provider);
}
