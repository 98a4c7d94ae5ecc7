/**
 * Opens a stack of this project through the Automation API (LocalWorkspace on the project
 * directory, like `localProgram-tsnode`): the same program the CLI runs. Used by
 * `npm run up`, the e2e tests and the benchmarks.
 */
import { EngineEvent, LocalWorkspace, PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface StackOptions {
    stackName: string;
    /** Any Pulumi backend URL; default: a local file backend in ~/.woostore/state. */
    backendUrl?: string;
    /** Secrets passphrase for self-managed backends; default: a generated one kept in ~/.woostore. */
    passphrase?: string;
    /** Extra environment for the Pulumi CLI (e.g. KUBECONFIG). */
    env?: Record<string, string>;
    /** The CLI to run (automation/pulumiCli.ts); default: `pulumi` on PATH. */
    pulumiCommand?: PulumiCommand;
}

export const WOOSTORE_HOME = process.env.WOOSTORE_HOME ?? path.join(os.homedir(), ".woostore");

export function defaultBackendUrl(): string {
    const dir = path.join(WOOSTORE_HOME, "state");
    fs.mkdirSync(dir, { recursive: true });
    return `file://${dir}`;
}

/** A per-user passphrase, created once with mode 0600, for a local backend's secrets provider. */
export function defaultPassphrase(): string {
    const file = path.join(WOOSTORE_HOME, "passphrase");
    if (!fs.existsSync(file)) {
        fs.mkdirSync(WOOSTORE_HOME, { recursive: true });
        fs.writeFileSync(file, crypto.randomBytes(24).toString("base64url"), { mode: 0o600 });
    }
    return fs.readFileSync(file, "utf8").trim();
}

/** The environment every Pulumi CLI process of this project gets: backend, passphrase, extras. */
export function pulumiEnv(options: Omit<StackOptions, "stackName" | "pulumiCommand">): Record<string, string> {
    const envVars: Record<string, string> = {
        // With a Pulumi Cloud token (as in CI) and no backend URL, Pulumi Cloud; else a local file backend.
        PULUMI_BACKEND_URL: options.backendUrl ?? (process.env.PULUMI_BACKEND_URL || undefined) ??
            (process.env.PULUMI_ACCESS_TOKEN ? "https://api.pulumi.com" : defaultBackendUrl()),
        PULUMI_SKIP_UPDATE_CHECK: "true",
        ...(options.env ?? {}),
    };
    const backend = envVars.PULUMI_BACKEND_URL;
    const selfManaged = !/^https?:\/\//.test(backend);
    if (selfManaged && process.env.PULUMI_CONFIG_PASSPHRASE === undefined && process.env.PULUMI_CONFIG_PASSPHRASE_FILE === undefined) {
        envVars.PULUMI_CONFIG_PASSPHRASE = options.passphrase ?? defaultPassphrase();
    } else if (options.passphrase !== undefined) {
        envVars.PULUMI_CONFIG_PASSPHRASE = options.passphrase;
    }
    return envVars;
}

export async function openStack(options: StackOptions): Promise<Stack> {
    return LocalWorkspace.createOrSelectStack({ stackName: options.stackName, workDir: PROJECT_DIR }, { envVars: pulumiEnv(options), pulumiCommand: options.pulumiCommand });
}

/** Errors the engine reported, by resource URN (what failed and why). */
export function collectErrors(events: EngineEvent[]): Map<string, string> {
    const errors = new Map<string, string>();
    for (const event of events) {
        const diagnostic = event.diagnosticEvent;
        if (diagnostic?.severity === "error" && diagnostic.urn) {
            errors.set(diagnostic.urn, `${errors.get(diagnostic.urn) ?? ""}${diagnostic.message}`.trim());
        }
    }
    return errors;
}

/** The component type every store's resources are children of. */
export const STORE_COMPONENT_TYPE = "woostore:index:WooStore";

/** Each resource's parent URN, from the engine's step events (old and new state). */
export function collectParents(events: EngineEvent[]): Map<string, string> {
    const parents = new Map<string, string>();
    for (const event of events) {
        const metadata = event.resourcePreEvent?.metadata ?? event.resOutputsEvent?.metadata ?? event.resOpFailedEvent?.metadata;
        if (!metadata) {
            continue;
        }
        for (const state of [metadata.new, metadata.old]) {
            if (state?.parent) {
                parents.set(metadata.urn, state.parent);
                break;
            }
        }
    }
    return parents;
}

/** `urn:pulumi:<stack>::<project>::<parent types $ own type>::<name>` → own type and name. */
export function parseUrn(urn: string): { type: string; name: string } | undefined {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) {
        return undefined;
    }
    const types = parts[2].split("$");
    return { type: types[types.length - 1], name: parts.slice(3).join("::") };
}

/**
 * The store a URN belongs to: the name of the nearest WooStore component up its parent chain.
 * Names are not used to guess it: store `shop`'s Job is named `shop-setup`, which is also
 * what a store called `shop-setup` would be named.
 */
export function storeOfUrn(urn: string, parents: ReadonlyMap<string, string>): string | undefined {
    const visited = new Set<string>();
    for (let current: string | undefined = urn; current !== undefined && !visited.has(current); current = parents.get(current)) {
        visited.add(current);
        const parsed = parseUrn(current);
        if (parsed?.type === STORE_COMPONENT_TYPE) {
            return parsed.name;
        }
    }
    return undefined;
}
