/**
 * Stack configuration (`woostore:*` keys in Pulumi.<stack>.yaml), validated to the same
 * standard as the store list. Dev and prod differ only by these values.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import {
    DEFAULT_BOUNDS, DEFAULT_CONTAINER_MAX, DEFAULT_CONTAINER_RESOURCES, DEFAULT_IMAGES,
    DEFAULT_PERSISTENCE, DEFAULT_QUOTA, DEFAULT_WOOCOMMERCE_VERSION,
} from "./defaults";
import { backupConfigSchema, backupCredentialsSchema, plaintextCredentialProblems } from "./backup";
import { describeIssue, dottedPath, InputError, parseYamlSource, positionOf, Problem } from "./problems";
import { isQuantity } from "./quantity";
import { allowedKeysAt } from "./schemaKeys";

export const CONFIG_NAMESPACE = "woostore";

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

export const cpuQuantity = z.string().refine((text) => isQuantity(text) && !/[KMGTPE]i$/.test(text), {
    error: (issue) => `"${String(issue.input)}" is not a CPU quantity — write cores ("2", "1.5") or millicores ("500m")`,
});
export const byteQuantity = z.string().refine((text) => isQuantity(text) && !/m$/.test(text), {
    error: (issue) => `"${String(issue.input)}" is not a memory/storage quantity — write e.g. "512Mi", "2Gi"`,
});
export const dnsName = z.string().regex(DNS_NAME, {
    error: (issue) => `"${String(issue.input)}" is not a valid DNS name — use lowercase letters, digits, '-' and '.'`,
});

/** `repository:tag` or `repository@sha256:…`, never `latest` and never untagged. */
export const pinnedImage = z.string().regex(/^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?(:[A-Za-z0-9_][A-Za-z0-9._-]{0,127})?(@sha256:[a-f0-9]{64})?$/, {
    error: (issue) => `"${String(issue.input)}" is not an image reference — write repository:tag`,
}).refine((image) => /@sha256:/.test(image) || /:[^/]+$/.test(image), {
    error: (issue) => `image "${String(issue.input)}" has no tag — pin a version, e.g. mariadb:11.8.3`,
}).refine((image) => !/:latest$/.test(image), {
    error: (issue) => `image "${String(issue.input)}" uses "latest" — pin a version so rollouts happen only on purpose`,
});

const cpuMemory = (defaults: { cpu: string; memory: string }) => z.strictObject({
    cpu: cpuQuantity.default(defaults.cpu),
    memory: byteQuantity.default(defaults.memory),
}).prefault({});

export const stackConfigSchema = z.strictObject({
    domain: dnsName,
    storeList: z.string().min(1).default("stores.yaml"),
    kubeContext: z.string().min(1).optional(),
    ingressClass: z.string().regex(/^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/, { error: "not a valid IngressClass name — e.g. traefik" }).default("traefik"),
    tls: z.strictObject({
        enabled: z.boolean().default(false),
        clusterIssuer: z.string().default(""),
    }).prefault({}).refine((tls) => !tls.enabled || tls.clusterIssuer !== "", {
        error: "TLS is enabled without a cert-manager ClusterIssuer — set woostore:tls.clusterIssuer (e.g. letsencrypt-prod) or disable TLS",
    }),
    storageClass: z.string().default(""),
    podSecurity: z.enum(["restricted", "baseline"], { error: "must be \"restricted\" or \"baseline\" — restricted is what every store pod meets" }).default("restricted"),
    protectStores: z.boolean().default(false),
    woocommerceVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { error: "must be an exact version like 10.3.5 — pin WooCommerce, the Store API changes between versions" }).default(DEFAULT_WOOCOMMERCE_VERSION),
    images: z.strictObject({
        wordpress: pinnedImage.default(DEFAULT_IMAGES.wordpress),
        mariadb: pinnedImage.default(DEFAULT_IMAGES.mariadb),
        wpCli: pinnedImage.default(DEFAULT_IMAGES.wpCli),
        restic: pinnedImage.default(DEFAULT_IMAGES.restic),
    }).prefault({}),
    defaults: z.strictObject({
        quota: z.strictObject({
            cpu: cpuQuantity.default(DEFAULT_QUOTA.cpu),
            memory: byteQuantity.default(DEFAULT_QUOTA.memory),
            storage: byteQuantity.default(DEFAULT_QUOTA.storage),
            pods: z.number().int().positive().default(DEFAULT_QUOTA.pods),
            persistentVolumeClaims: z.number().int().positive().default(DEFAULT_QUOTA.persistentVolumeClaims),
        }).prefault({}),
        container: z.strictObject({
            requests: cpuMemory(DEFAULT_CONTAINER_RESOURCES.requests),
            limits: cpuMemory(DEFAULT_CONTAINER_RESOURCES.limits),
            max: cpuMemory(DEFAULT_CONTAINER_MAX),
        }).prefault({}),
        persistence: z.strictObject({
            wordpress: byteQuantity.default(DEFAULT_PERSISTENCE.wordpress),
            mariadb: byteQuantity.default(DEFAULT_PERSISTENCE.mariadb),
        }).prefault({}),
    }).prefault({}),
    bounds: z.strictObject({
        quota: z.strictObject({
            cpu: cpuQuantity.default(DEFAULT_BOUNDS.quota.cpu),
            memory: byteQuantity.default(DEFAULT_BOUNDS.quota.memory),
            storage: byteQuantity.default(DEFAULT_BOUNDS.quota.storage),
        }).prefault({}),
        container: cpuMemory(DEFAULT_BOUNDS.container),
    }).prefault({}),
    setup: z.strictObject({
        timeoutSeconds: z.number().int().min(60).max(3600).default(900),
        backoffLimit: z.number().int().min(0).max(6).default(2),
        testOrderPolicy: z.enum(["trash", "delete", "keep"], { error: "must be trash, delete or keep — what happens to the verification order" }).default("trash"),
    }).prefault({}),
    helmTimeoutSeconds: z.number().int().min(60).max(3600).default(600),
    /** Per-store backups (issue 14, components/backup.ts); off when absent. */
    backup: backupConfigSchema.optional(),
    backupCredentials: backupCredentialsSchema.optional(),
});

export type StackConfig = z.output<typeof stackConfigSchema>;

/**
 * Validates raw `woostore:*` values (objects already JSON-decoded). `configFile` is the
 * stack's YAML file, used only to point each problem at its line.
 */
export function validateStackConfig(raw: Record<string, unknown>, configFile: string, configText?: string): { config?: StackConfig; problems: Problem[] } {
    const result = stackConfigSchema.safeParse(raw, { reportInput: true });
    const plaintext = configText !== undefined ? plaintextCredentialProblems(configFile, configText) : [];
    if (result.success) {
        return plaintext.length ? { problems: plaintext } : { config: result.data, problems: [] };
    }
    const source = configText !== undefined ? parseYamlSource(configFile, configText).source : undefined;
    const problems = result.error.issues.flatMap((issue) => describeIssue(issue, (issuePath) => allowedKeysAt(stackConfigSchema, issuePath)).map((described): Problem => {
        // In the YAML file the first segment is the namespaced key under `config:`.
        const [key, ...rest] = issue.path;
        const yamlPath = key === undefined ? ["config"] : ["config", `${CONFIG_NAMESPACE}:${String(key)}`, ...rest];
        const keyName = described.keyName;
        const position = source ? positionOf(source, yamlPath, keyName === undefined || key !== undefined ? keyName : `${CONFIG_NAMESPACE}:${keyName}`) : { line: 0, col: 0 };
        const shownPath = `${CONFIG_NAMESPACE}:${dottedPath(issue.path)}${keyName !== undefined ? (issue.path.length ? "." : "") + keyName : ""}`;
        return { file: configFile, ...position, path: shownPath, message: `config ${shownPath}: ${described.message}`, hint: described.hint };
    }));
    return { problems: [...problems, ...plaintext] };
}

/** Reads a Pulumi.<stack>.yaml file's `woostore:*` values (for `npm run validate`). */
export function readStackConfigFile(file: string): { raw: Record<string, unknown>; text: string; problems: Problem[] } {
    const text = fs.readFileSync(file, "utf8");
    const { source, problems } = parseYamlSource(path.basename(file), text);
    const config = (source.document.toJS() as { config?: Record<string, unknown> } | null)?.config ?? {};
    return { raw: stripNamespace(config), text, problems };
}

/** `{ "woostore:domain": … }` → `{ domain: … }`; keys of other namespaces are not ours. */
export function stripNamespace(config: Record<string, unknown>): Record<string, unknown> {
    const prefix = `${CONFIG_NAMESPACE}:`;
    return Object.fromEntries(Object.entries(config)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => [key.slice(prefix.length), decodeConfigValue(value)]));
}

/**
 * Pulumi keeps top-level config values as text: the program receives `"false"` and objects as
 * JSON, and `pulumi config set` writes `woostore:protectStores: "false"` into the stack file.
 * Text that is JSON for a boolean, number, object or list is read as that value.
 */
export function decodeConfigValue(value: unknown): unknown {
    if (typeof value !== "string" || !/^(true|false|-?\d+(\.\d+)?|\{.*\}|\[.*\])$/s.test(value.trim())) {
        return value;
    }
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

/** Loads and validates; throws InputError listing every problem. */
export function loadStackConfig(raw: Record<string, unknown>, configFile: string, configText?: string): StackConfig {
    const { config, problems } = validateStackConfig(raw, configFile, configText);
    if (!config) {
        throw new InputError(problems);
    }
    return config;
}
