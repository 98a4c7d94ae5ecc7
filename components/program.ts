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
import { InputError } from "./problems";
import { loadStackConfig, StackConfig, stripNamespace } from "./stackConfig";
import { loadStoreList, ResolvedStore } from "./storeList";
import { StoreOutputs, WooStore } from "./wooStore";

export type { StoreOutputs };

export interface ProgramInputs {
    config: StackConfig;
    stores: ResolvedStore[];
}

/** Reads and validates everything the program needs; throws InputError with all problems. */
export function loadProgramInputs(projectDir: string, stackName: string, allConfig: Record<string, string>): ProgramInputs {
    const configFile = `Pulumi.${stackName}.yaml`;
    const configPath = path.join(projectDir, configFile);
    const configText = fs.existsSync(configPath) ? fs.readFileSync(configPath, "utf8") : undefined;
    const config = loadStackConfig(stripNamespace(allConfig), configFile, configText);
    const stores = loadStoreList(path.resolve(projectDir, config.storeList), config, config.storeList);
    return { config, stores };
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
 * store's backups stay readable. Always created (also without woostore:backup), so switching
 * backups off and on again never changes a password. The name has a '_', which no store name
 * has, so it is never taken for a store's resource.
 */
export const FLEET_BACKUP_KEY_NAME = "woostore_backup-key";

function registerStores(inputs: ProgramInputs, provider?: k8s.Provider): Record<string, StoreOutputs> {
    const outputs: Record<string, StoreOutputs> = {};
    const backupKey = pulumi.secret(new random.RandomBytes(FLEET_BACKUP_KEY_NAME, { length: 32 }, {
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
        inputs = loadProgramInputs(projectDir, pulumi.getStack(), pulumi.runtime.allConfig());
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
