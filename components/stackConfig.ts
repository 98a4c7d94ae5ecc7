/**
 * Stack configuration (`woostore:*` keys in Pulumi.<stack>.yaml), validated to the same
 * standard as the store list. Dev and prod differ only by these values.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import {
    DEFAULT_BOUNDS, DEFAULT_CONTAINER_MAX, DEFAULT_CONTAINER_RESOURCES, DEFAULT_IMAGES,
    DEFAULT_PERSISTENCE, DEFAULT_QUOTA, DEFAULT_WOOCOMMERCE_VERSION, MIN_CONTAINER_LIMITS, MIN_CONTAINER_REQUESTS,
    MIN_QUOTA_PODS, MIN_QUOTA_PODS_WITH_TLS, MIN_QUOTA_PVCS, MIN_VOLUME,
} from "./defaults";
import { readInputFile } from "./inputFile";
import { describeIssue, documentData, dottedPath, InputError, parseYamlSource, positionOf, Problem, SourceDocument } from "./problems";
import { formatBytes, formatCpu, parseQuantity } from "./quantity";
import { DEFAULT_EGRESS, EGRESS_MODES, quotaNeeds, quotaPods, wordpressVersionOfImage } from "./runtime";
import { backupConfigSchema, backupCredentialsSchema, backupQuotaPods, plaintextCredentialProblems } from "./backup";
import { allowedKeysAt } from "./schemaKeys";
import { STACK_LAYOUTS } from "./stackLayout";
import { byteQuantity, cpuQuantity, dnsSubdomain, hostName, imageReference, Minimum, optionalDnsSubdomain } from "./valueSchemas";

export const CONFIG_NAMESPACE = "woostore";

const limitMinimum = (key: "cpu" | "memory"): Minimum => ({
    value: MIN_CONTAINER_LIMITS[key],
    what: `a container limit of ${key}`,
    why: "no store container starts with less (MariaDB and PHP alone need more); raise it",
});
const requestMinimum = (key: "cpu" | "memory"): Minimum => ({
    value: MIN_CONTAINER_REQUESTS[key],
    what: `a container request of ${key}`,
    why: "a request must be above zero; raise it",
});
const volumeMinimum: Minimum = { value: MIN_VOLUME, what: "a volume size", why: "WordPress with WooCommerce, or MariaDB's data, needs at least that; raise it" };

/** Container requests and limits with their minimums: one definition for the stack and the store list. */
export const containerCpu = { requests: () => cpuQuantity(requestMinimum("cpu")), limits: () => cpuQuantity(limitMinimum("cpu")) };
export const containerMemory = { requests: () => byteQuantity(requestMinimum("memory")), limits: () => byteQuantity(limitMinimum("memory")) };

/**
 * Outgoing mail relay. The password is a Pulumi secret: in the stack file it is
 * `password: { secure: … }` (`pulumi config set --secret --path woostore:smtp.password …`);
 * the program sees it decrypted and keeps it a secret (the store's credentials Secret only).
 */
export const smtpSchema = z.strictObject({
    host: hostName("the SMTP relay host"),
    port: z.number().int().min(1).max(65535).default(587),
    encryption: z.enum(["starttls", "tls", "none"], { error: "must be starttls (port 587), tls (port 465) or none — write the one your relay speaks" }).default("starttls"),
    from: z.email({ error: (issue) => `"${String(issue.input)}" is not an e-mail address — the sender address the relay accepts, e.g. shop@example.com` }),
    fromName: z.string().max(100).optional(),
    username: z.string().min(1).optional(),
    password: z.union([z.string().min(1), z.strictObject({ secure: z.string().min(1) })]).optional(),
}).refine((smtp) => (smtp.username === undefined) === (smtp.password === undefined), {
    error: "username and password go together — set both (relay login) or neither (a relay that accepts the cluster without login)",
});

const cpuMemory = (defaults: { cpu: string; memory: string }, kind: "requests" | "limits") => z.strictObject({
    cpu: containerCpu[kind]().default(defaults.cpu),
    memory: containerMemory[kind]().default(defaults.memory),
}).prefault({});

export const stackConfigSchema = z.strictObject({
    domain: hostName("domain"),
    storeList: z.string().min(1).default("stores.yaml"),
    kubeContext: z.string().min(1).optional(),
    ingressClass: dnsSubdomain("the IngressClass name", "traefik").default("traefik"),
    tls: z.strictObject({
        enabled: z.boolean().default(false),
        clusterIssuer: optionalDnsSubdomain("the ClusterIssuer name", "letsencrypt-prod").default(""),
        // Traefik serves a TLS Ingress on HTTPS only; this adds the http:// → https:// redirect
        // (a Traefik Middleware: needs Traefik's Kubernetes CRD provider and its CRDs).
        httpRedirect: z.boolean().default(true),
    }).prefault({}).refine((tls) => !tls.enabled || tls.clusterIssuer !== "", {
        error: "TLS is enabled without a cert-manager ClusterIssuer — set woostore:tls.clusterIssuer (e.g. letsencrypt-prod) or disable TLS",
    }),
    storageClass: optionalDnsSubdomain("the StorageClass name", "local-path").default(""),
    podSecurity: z.enum(["restricted", "baseline"], { error: "must be \"restricted\" or \"baseline\" — restricted is what every store pod meets" }).default("restricted"),
    protectStores: z.boolean().default(false),
    stackLayout: z.enum(STACK_LAYOUTS, { error: "must be \"single\" (one stack holds every store) or \"perStore\" (one stack per store, run by npm run up)" }).default("single"),
    woocommerceVersion: z.string().regex(/^\d+\.\d+\.\d+$/, { error: "must be an exact version like 10.3.5 — pin WooCommerce, the Store API changes between versions" }).default(DEFAULT_WOOCOMMERCE_VERSION),
    images: z.strictObject({
        wordpress: imageReference.refine((image) => wordpressVersionOfImage(image) !== undefined, {
            error: (issue) => `image "${String(issue.input)}" has no WordPress version in its tag — use an official tag such as 6.8.3-php8.3-apache: the setup Job updates WordPress core to that version`,
        }).default(DEFAULT_IMAGES.wordpress),
        mariadb: imageReference.default(DEFAULT_IMAGES.mariadb),
        wpCli: imageReference.default(DEFAULT_IMAGES.wpCli),
        restic: imageReference.default(DEFAULT_IMAGES.restic),
    }).prefault({}),
    defaults: z.strictObject({
        quota: z.strictObject({
            cpu: cpuQuantity().default(DEFAULT_QUOTA.cpu),
            memory: byteQuantity().default(DEFAULT_QUOTA.memory),
            storage: byteQuantity().default(DEFAULT_QUOTA.storage),
            ephemeralStorage: byteQuantity().default(DEFAULT_QUOTA.ephemeralStorage),
            pods: z.number().int().positive().default(DEFAULT_QUOTA.pods),
            persistentVolumeClaims: z.number().int().positive().default(DEFAULT_QUOTA.persistentVolumeClaims),
        }).prefault({}),
        container: z.strictObject({
            requests: cpuMemory(DEFAULT_CONTAINER_RESOURCES.requests, "requests"),
            limits: cpuMemory(DEFAULT_CONTAINER_RESOURCES.limits, "limits"),
            max: cpuMemory(DEFAULT_CONTAINER_MAX, "limits"),
        }).prefault({}),
        persistence: z.strictObject({
            wordpress: byteQuantity(volumeMinimum).default(DEFAULT_PERSISTENCE.wordpress),
            mariadb: byteQuantity(volumeMinimum).default(DEFAULT_PERSISTENCE.mariadb),
        }).prefault({}),
    }).prefault({}),
    bounds: z.strictObject({
        quota: z.strictObject({
            cpu: cpuQuantity().default(DEFAULT_BOUNDS.quota.cpu),
            memory: byteQuantity().default(DEFAULT_BOUNDS.quota.memory),
            storage: byteQuantity().default(DEFAULT_BOUNDS.quota.storage),
        }).prefault({}),
        container: cpuMemory(DEFAULT_BOUNDS.container, "limits"),
    }).prefault({}),
    setup: z.strictObject({
        timeoutSeconds: z.number().int().min(60).max(3600).default(900),
        backoffLimit: z.number().int().min(0).max(6).default(2),
        testOrderPolicy: z.enum(["trash", "delete", "keep"], { error: "must be trash, delete or keep — what happens to the verification order" }).default("trash"),
    }).prefault({}),
    helmTimeoutSeconds: z.number().int().min(60).max(3600).default(600),
    egress: z.enum(EGRESS_MODES, { error: "must be \"web\" or \"none\" — web lets WordPress reach payment, shipping and plugin APIs on ports 80/443" }).default(DEFAULT_EGRESS),
    smtp: smtpSchema.optional(),
    // Set by the self-service API on the per-store stacks of the stores it creates (the store
    // entry, as JSON); validated by the program with the store list's schema. Not for
    // Pulumi.<stack>.yaml.
    apiStore: z.unknown().optional(),
    /** Per-store backups (issue 14, components/backup.ts); off when absent. */
    backup: backupConfigSchema.optional(),
    backupCredentials: backupCredentialsSchema.optional(),
});

export type StackConfig = z.output<typeof stackConfigSchema>;

/** A problem of the stack config at its line in Pulumi.<stack>.yaml (path: keys below `woostore:`). */
export function configProblem(configFile: string, source: SourceDocument | undefined, configPath: readonly PropertyKey[], message: string, hint: string, keyName?: string): Problem {
    const [key, ...rest] = configPath;
    const yamlPath = key === undefined ? ["config"] : ["config", `${CONFIG_NAMESPACE}:${String(key)}`, ...rest];
    const position = source ? positionOf(source, yamlPath, keyName === undefined || key !== undefined ? keyName : `${CONFIG_NAMESPACE}:${keyName}`) : { line: 0, col: 0 };
    const shownPath = `${CONFIG_NAMESPACE}:${dottedPath(configPath)}${keyName !== undefined ? (configPath.length ? "." : "") + keyName : ""}`;
    return { file: configFile, ...position, path: shownPath, message: `config ${shownPath}: ${message}`, hint };
}

/**
 * Validates raw `woostore:*` values (objects already JSON-decoded). `configFile` is the
 * stack's YAML file, used only to point each problem at its line; `stackName` names the stack
 * in problems that depend on it. A config that parses is returned even when its values do not
 * fit together, so that the store list can still be checked against it.
 */
export function validateStackConfig(raw: Record<string, unknown>, configFile: string, configText?: string, stackName?: string): { config?: StackConfig; problems: Problem[] } {
    const source = configText !== undefined ? parseYamlSource(configFile, configText).source : undefined;
    const result = stackConfigSchema.safeParse(raw, { reportInput: true });
    const plainSecrets = [
        ...(source ? plainTextSecretProblems(source, configFile) : []),
        ...(configText !== undefined ? plaintextCredentialProblems(configFile, configText) : []),
    ];
    if (result.success) {
        const problems = stackConsistencyProblems(result.data, stackName)
            .map((problem) => configProblem(configFile, source, problem.path, problem.message, problem.hint));
        return plainSecrets.length ? { problems: [...problems, ...plainSecrets] } : { config: result.data, problems };
    }
    const problems = result.error.issues.flatMap((issue) => describeIssue(issue, (issuePath) => allowedKeysAt(stackConfigSchema, issuePath))
        .map((described): Problem => configProblem(configFile, source, issue.path, described.message, described.hint, described.keyName)));
    return { problems: [...problems, ...plainSecrets] };
}

/** Keys that must be Pulumi secrets (`{ secure: … }`) in the stack file, never plain text. */
const SECRET_CONFIG_PATHS = [["smtp", "password"]] as const;

function plainTextSecretProblems(source: ReturnType<typeof parseYamlSource>["source"], configFile: string): Problem[] {
    const config = (source.document.toJS() as { config?: Record<string, unknown> } | null)?.config ?? {};
    return SECRET_CONFIG_PATHS.flatMap(([key, field]) => {
        const value = (config[`${CONFIG_NAMESPACE}:${key}`] as Record<string, unknown> | undefined)?.[field];
        if (typeof value !== "string") {
            return [];
        }
        const yamlPath = ["config", `${CONFIG_NAMESPACE}:${key}`, field];
        return [{
            file: configFile,
            ...positionOf(source, yamlPath),
            path: `${CONFIG_NAMESPACE}:${key}.${field}`,
            message: `config ${CONFIG_NAMESPACE}:${key}.${field} is stored in plain text`,
            hint: `remove it and set it as a secret: pulumi config set --secret --path '${CONFIG_NAMESPACE}:${key}.${field}' <value>`,
        }];
    });
}

/** The SMTP password as the program sees it (decrypted), or undefined without one. */
export function smtpPassword(config: StackConfig): string | undefined {
    const password = config.smtp?.password;
    return typeof password === "string" ? password : undefined;
}

interface ConsistencyProblem { path: PropertyKey[]; message: string; hint: string }

/**
 * What the schema cannot say: the stack's defaults within its own bounds and maximums, the
 * default quota large enough for a store, and enough pods and PVCs. Reported once, at the
 * stack config's lines, not once per store.
 */
export function stackConsistencyProblems(config: StackConfig, stackName?: string): ConsistencyProblem[] {
    const problems: ConsistencyProblem[] = [];
    const stack = stackName ? ` of stack ${stackName}` : "";
    const { defaults, bounds } = config;
    for (const key of ["cpu", "memory", "storage"] as const) {
        if (parseQuantity(defaults.quota[key]) > parseQuantity(bounds.quota[key])) {
            problems.push({ path: ["defaults", "quota", key], message: `the default quota.${key} ${defaults.quota[key]} is above the bound ${bounds.quota[key]}${stack}`, hint: `lower it, or raise woostore:bounds.quota.${key}` });
        }
    }
    for (const key of ["cpu", "memory"] as const) {
        for (const kind of ["requests", "limits"] as const) {
            if (parseQuantity(defaults.container[kind][key]) > parseQuantity(bounds.container[key])) {
                problems.push({ path: ["defaults", "container", kind, key], message: `the default container ${kind}.${key} ${defaults.container[kind][key]} is above the bound ${bounds.container[key]}${stack}`, hint: `lower it, or raise woostore:bounds.container.${key}` });
            }
        }
        if (parseQuantity(defaults.container.requests[key]) > parseQuantity(defaults.container.limits[key])) {
            problems.push({ path: ["defaults", "container", "requests", key], message: `the default container request of ${key} ${defaults.container.requests[key]} is above the default limit ${defaults.container.limits[key]}${stack}`, hint: "a request may not exceed its limit: lower the request or raise the limit" });
        }
        if (parseQuantity(defaults.container.limits[key]) > parseQuantity(defaults.container.max[key])) {
            problems.push({ path: ["defaults", "container", "limits", key], message: `the default container limit of ${key} ${defaults.container.limits[key]} is above the per-container maximum ${defaults.container.max[key]}${stack}`, hint: `lower it, or raise woostore:defaults.container.max.${key}` });
        }
        // Every pod that may run at once (runtime.ts quotaPods: WordPress, MariaDB, setup Job,
        // WP-Cron Job and, with TLS, cert-manager's solver) at the default limits.
        const pods = [...quotaPods(defaults.container.limits, config.tls.enabled), ...backupQuotaPods(config.backup, defaults.container.limits)];
        const needed = quotaNeeds(pods)[key];
        if (needed > parseQuantity(defaults.quota[key])) {
            const shownNeed = key === "cpu" ? formatCpu(needed) : formatBytes(needed);
            problems.push({ path: ["defaults", "quota", key], message: `the default quota.${key} ${defaults.quota[key]} cannot hold a store's ${pods.length} pods at the default limit ${defaults.container.limits[key]} (${shownNeed})${stack}`, hint: `raise it to at least ${shownNeed}, or lower woostore:defaults.container.limits.${key}` });
        }
    }
    const ephemeralNeed = quotaNeeds([...quotaPods(defaults.container.limits, config.tls.enabled), ...backupQuotaPods(config.backup, defaults.container.limits)]).ephemeralStorage;
    if (ephemeralNeed > parseQuantity(defaults.quota.ephemeralStorage)) {
        problems.push({ path: ["defaults", "quota", "ephemeralStorage"], message: `the default quota.ephemeralStorage ${defaults.quota.ephemeralStorage} cannot hold the node-disk limits of a store's pods (${formatBytes(ephemeralNeed)})${stack}`, hint: `raise woostore:defaults.quota.ephemeralStorage to at least ${formatBytes(ephemeralNeed)}` });
    }
    const volumes = parseQuantity(defaults.persistence.wordpress) + parseQuantity(defaults.persistence.mariadb);
    if (volumes > parseQuantity(defaults.quota.storage)) {
        problems.push({ path: ["defaults", "quota", "storage"], message: `the default quota.storage ${defaults.quota.storage} is smaller than a store's two volumes (${formatBytes(volumes)})${stack}`, hint: `raise it to at least ${formatBytes(volumes)}, or lower woostore:defaults.persistence` });
    }
    const minPods = config.tls.enabled ? MIN_QUOTA_PODS_WITH_TLS : MIN_QUOTA_PODS;
    if (defaults.quota.pods < minPods) {
        problems.push({ path: ["defaults", "quota", "pods"], message: `quota.pods ${defaults.quota.pods} is below the ${minPods} pods a store runs at once${stack}`, hint: `WordPress, MariaDB and the setup Job${config.tls.enabled ? ", plus cert-manager's HTTP-01 solver with TLS," : ""} run together: write ${minPods} or more` });
    }
    if (defaults.quota.persistentVolumeClaims < MIN_QUOTA_PVCS) {
        problems.push({ path: ["defaults", "quota", "persistentVolumeClaims"], message: `quota.persistentVolumeClaims ${defaults.quota.persistentVolumeClaims} is below the ${MIN_QUOTA_PVCS} volumes of a store${stack}`, hint: `WordPress and MariaDB each have a volume: write ${MIN_QUOTA_PVCS} or more` });
    }
    return problems;
}

/**
 * Where the store list is: inside the project, or a problem for woostore:storeList (the list
 * decides what gets deleted, so it must be a file the project's reviews see). A file outside is
 * never read, so its contents cannot end up in a message.
 */
export function resolveStoreListPath(projectDir: string, storeList: string): { ok: true; path: string } | { ok: false; message: string; hint: string } {
    const resolved = path.resolve(projectDir, storeList);
    const real = (target: string) => {
        try {
            return fs.realpathSync(target);
        } catch {
            return target;
        }
    };
    const relative = path.relative(real(projectDir), real(resolved));
    if (relative.startsWith("..") || path.isAbsolute(relative)) {
        return { ok: false, message: `the store list ${JSON.stringify(storeList.slice(0, 200))} is outside the project`, hint: "keep the store list in the project directory (e.g. stores.yaml), where its changes are reviewed" };
    }
    return { ok: true, path: resolved };
}

/** Reads a Pulumi.<stack>.yaml file's `woostore:*` values; file and YAML problems are returned, never thrown. */
export function readStackConfigFile(file: string): { raw: Record<string, unknown>; text?: string; problems: Problem[] } {
    const shownName = path.basename(file);
    const input = readInputFile(file, shownName, `check the stack config file ${shownName}`, 1024 * 1024);
    if (!input.ok) {
        return { raw: {}, problems: [input.problem] };
    }
    const { source, problems } = parseYamlSource(shownName, input.text);
    if (problems.length) {
        return { raw: {}, text: input.text, problems };
    }
    const { data, problems: aliasProblems } = documentData(source);
    const document = data as { config?: unknown } | null | undefined;
    const config = document && typeof document === "object" && document.config && typeof document.config === "object" && !Array.isArray(document.config) ? document.config as Record<string, unknown> : {};
    return { raw: stripNamespace(config), text: input.text, problems: aliasProblems };
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
export function loadStackConfig(raw: Record<string, unknown>, configFile: string, configText?: string, stackName?: string): StackConfig {
    const { config, problems } = validateStackConfig(raw, configFile, configText, stackName);
    if (!config || problems.length) {
        throw new InputError(problems);
    }
    return config;
}
