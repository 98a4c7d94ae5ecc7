/**
 * The declarative store list (`stores.yaml`): parsed keeping positions, validated with a
 * strict zod schema, then checked across entries and against the stack's bounds. Every
 * problem is reported at once, each with file:line:col, store name, what and how to fix.
 */
import * as fs from "fs";
import { z } from "zod";
import { backupContainers } from "./backup";
import { CONTAINERS_PER_STORE } from "./defaults";
import { defaultHost, DNS_LABEL, MAX_STORE_NAME_LENGTH, oversizedNames } from "./names";
import { describeIssue, dottedPath, InputError, parseYamlSource, positionOf, Problem } from "./problems";
import { formatBytes, formatCpu, parseQuantity } from "./quantity";
import { allowedKeysAt } from "./schemaKeys";
import { byteQuantity, cpuQuantity, dnsName, StackConfig } from "./stackConfig";

const storeName = z.string()
    .max(MAX_STORE_NAME_LENGTH, { error: (issue) => `name "${String(issue.input)}" is longer than ${MAX_STORE_NAME_LENGTH} characters — shorten it so the namespace, Helm release and labels derived from it fit Kubernetes' limits` })
    .regex(DNS_LABEL, { error: (issue) => `name "${String(issue.input)}" is not a DNS-1123 label — use lowercase letters, digits and '-', start with a letter, end with a letter or digit` });

const cpuMemoryOverride = z.strictObject({ cpu: cpuQuantity.optional(), memory: byteQuantity.optional() });

export const storeEntrySchema = z.strictObject({
    name: storeName.describe("Stable id of the store (DNS label, ≤ 40 characters). Namespace store-<name>, Helm release <name>. Renaming replaces the store."),
    host: dnsName.optional().describe("Public host name. Default: <name>.<woostore:domain>."),
    title: z.string().min(1).max(100).optional().describe("Site title shown in the shop. Default: the name."),
    admin: z.strictObject({
        email: z.email({ error: (issue) => `"${String(issue.input)}" is not an e-mail address — write the store administrator's address, e.g. owner@example.com` }),
        user: z.string().regex(/^[a-z0-9_.@-]{3,60}$/, { error: "not a valid WordPress login — use 3–60 lowercase letters, digits, '_', '.', '-'" }).default("admin"),
    }).describe("The store's WordPress administrator. The password is generated."),
    woocommerce: z.strictObject({
        currency: z.string().regex(/^[A-Z]{3}$/, { error: (issue) => `currency "${String(issue.input)}" is not an ISO 4217 code — write three capital letters, e.g. USD or EUR` }).default("USD"),
        country: z.string().regex(/^[A-Z]{2}(:[A-Z0-9-]{1,10})?$/, { error: (issue) => `country "${String(issue.input)}" is not a WooCommerce country — write an ISO 3166 code, optionally with a state: US:CA, DE` }).default("US:CA"),
    }).prefault({}).describe("Shop settings the setup Job applies."),
    quota: z.strictObject({ cpu: cpuQuantity.optional(), memory: byteQuantity.optional(), storage: byteQuantity.optional() }).optional()
        .describe("Namespace ResourceQuota overrides, up to woostore:bounds.quota. Default: woostore:defaults.quota (2 CPU, 2Gi, 2Gi storage)."),
    container: z.strictObject({ requests: cpuMemoryOverride.optional(), limits: cpuMemoryOverride.optional() }).optional()
        .describe("LimitRange default requests/limits per container, up to woostore:bounds.container. Default 250m/256Mi requests, 500m/512Mi limits."),
    protect: z.boolean().optional().describe("Deletion protection. Default: woostore:protectStores (on in prod)."),
});

/** The top level alone (entries are validated one by one, see validateStoreList). */
const storeListShapeSchema = z.strictObject({
    stores: z.array(z.unknown(), { error: "\"stores\" must be a list — write `stores:` followed by `- name: …` entries" }),
});

export const storeListSchema = z.strictObject({
    stores: z.array(storeEntrySchema, { error: "\"stores\" must be a list — write `stores:` followed by `- name: …` entries" }),
});

export type StoreEntry = z.output<typeof storeEntrySchema>;

/** A store with every default and override resolved: what the component is built from. */
export interface ResolvedStore {
    name: string;
    host: string;
    url: string;
    title: string;
    adminEmail: string;
    adminUser: string;
    currency: string;
    country: string;
    protect: boolean;
    quota: { cpu: string; memory: string; storage: string; pods: number; persistentVolumeClaims: number };
    container: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string }; max: { cpu: string; memory: string } };
    persistence: { wordpress: string; mariadb: string };
}

export function resolveStore(entry: StoreEntry, config: StackConfig): ResolvedStore {
    const host = entry.host ?? defaultHost(entry.name, config.domain);
    const scheme = config.tls.enabled ? "https" : "http";
    const defaults = config.defaults;
    return {
        name: entry.name,
        host,
        url: `${scheme}://${host}`,
        title: entry.title ?? entry.name,
        adminEmail: entry.admin.email,
        adminUser: entry.admin.user,
        currency: entry.woocommerce.currency,
        country: entry.woocommerce.country,
        protect: entry.protect ?? config.protectStores,
        quota: { ...defaults.quota, ...entry.quota },
        container: {
            requests: { ...defaults.container.requests, ...entry.container?.requests },
            limits: { ...defaults.container.limits, ...entry.container?.limits },
            max: defaults.container.max,
        },
        persistence: defaults.persistence,
    };
}

/**
 * Checks of one resolved store that the schema cannot express: overrides within the stack's
 * bounds, requests ≤ limits ≤ max, and the quota large enough for all of a store's pods.
 * Returns [path relative to the entry, message — hint] pairs.
 */
export function storeArithmeticProblems(store: ResolvedStore, entry: StoreEntry, config: StackConfig): { path: PropertyKey[]; message: string }[] {
    const problems: { path: PropertyKey[]; message: string }[] = [];
    const bounds = config.bounds;
    for (const key of ["cpu", "memory", "storage"] as const) {
        const value = entry.quota?.[key];
        if (value !== undefined && parseQuantity(value) > parseQuantity(bounds.quota[key])) {
            problems.push({ path: ["quota", key], message: `quota.${key} ${value} is above the stack's bound ${bounds.quota[key]} — lower it, or raise woostore:bounds.quota.${key} in the stack config` });
        }
    }
    for (const kind of ["requests", "limits"] as const) {
        for (const key of ["cpu", "memory"] as const) {
            const value = entry.container?.[kind]?.[key];
            if (value !== undefined && parseQuantity(value) > parseQuantity(bounds.container[key])) {
                problems.push({ path: ["container", kind, key], message: `container.${kind}.${key} ${value} is above the stack's bound ${bounds.container[key]} — lower it, or raise woostore:bounds.container.${key}` });
            }
        }
    }
    for (const key of ["cpu", "memory"] as const) {
        const request = parseQuantity(store.container.requests[key]);
        const limit = parseQuantity(store.container.limits[key]);
        if (request > limit) {
            problems.push({ path: ["container", "requests", key], message: `container request ${key} ${store.container.requests[key]} is above its limit ${store.container.limits[key]} — a request may not exceed the limit` });
        }
        if (limit > parseQuantity(store.container.max[key])) {
            problems.push({ path: ["container", "limits", key], message: `container limit ${key} ${store.container.limits[key]} is above the per-container maximum ${store.container.max[key]} — lower it, or raise woostore:defaults.container.max.${key}` });
        }
    }
    const fit = quotaFit(store, backupContainers(config.backup));
    for (const shortfall of fit) {
        problems.push({ path: ["quota", shortfall.resource], message: shortfall.message });
    }
    return problems;
}

/** Whether the namespace quota holds every container of a store at its limits, and both volumes. */
export function quotaFit(store: ResolvedStore, extraContainers = 0): { resource: "cpu" | "memory" | "storage"; message: string }[] {
    const shortfalls: { resource: "cpu" | "memory" | "storage"; message: string }[] = [];
    // A backup pod (woostore:backup) may run next to WordPress, MariaDB and the setup Job.
    const containers = CONTAINERS_PER_STORE + extraContainers;
    for (const key of ["cpu", "memory"] as const) {
        const needed = containers * parseQuantity(store.container.limits[key]);
        const available = parseQuantity(store.quota[key]);
        if (needed > available) {
            const shown = key === "cpu" ? formatCpu(needed) : formatBytes(needed);
            shortfalls.push({ resource: key, message: `quota.${key} ${store.quota[key]} cannot hold the store's ${containers} containers at their limit ${store.container.limits[key]} (${shown}) — raise quota.${key} to at least ${shown} or lower container.limits.${key}` });
        }
    }
    const storageNeeded = parseQuantity(store.persistence.wordpress) + parseQuantity(store.persistence.mariadb);
    if (storageNeeded > parseQuantity(store.quota.storage)) {
        shortfalls.push({ resource: "storage", message: `quota.storage ${store.quota.storage} is smaller than the store's volumes (${formatBytes(storageNeeded)}) — raise quota.storage to at least ${formatBytes(storageNeeded)}` });
    }
    return shortfalls;
}

export interface StoreListResult {
    stores: ResolvedStore[];
    problems: Problem[];
}

/** Validates the text of a store list against the stack config. Never throws on bad input. */
export function validateStoreList(text: string, file: string, config: StackConfig): StoreListResult {
    const { source, problems } = parseYamlSource(file, text);
    if (problems.length > 0) {
        return { stores: [], problems };
    }
    const data = source.document.toJS() as unknown;
    const raw = (data ?? {}) as { stores?: unknown };
    const nameAt = (index: PropertyKey): string | undefined => {
        const entry = Array.isArray(raw.stores) && typeof index === "number" ? (raw.stores[index] as { name?: unknown } | undefined) : undefined;
        return typeof entry?.name === "string" ? entry.name : undefined;
    };
    const problemAt = (entryPath: PropertyKey[], message: string, hint: string, keyName?: string): Problem => ({
        file,
        ...positionOf(source, entryPath, keyName),
        store: entryPath[0] === "stores" ? nameAt(entryPath[1]) : undefined,
        path: dottedPath(keyName !== undefined ? [...entryPath, keyName] : entryPath),
        message,
        hint,
    });

    // The list's shape first, then every entry on its own: one bad entry must not hide the
    // problems of the others, and entries that parse are still checked against the bounds.
    const all: Problem[] = [];
    const toProblems = (issues: z.core.$ZodIssue[], prefix: PropertyKey[]) => issues.flatMap((issue) => {
        const fullPath = [...prefix, ...issue.path];
        return describeIssue(issue, (path) => allowedKeysAt(storeListSchema, [...prefix, ...path]))
            .map((described) => problemAt(fullPath, described.message, described.hint, described.keyName));
    });
    const shape = storeListShapeSchema.safeParse(data ?? {}, { reportInput: true });
    if (!shape.success) {
        all.push(...toProblems(shape.error.issues, []));
    }
    const entries = Array.isArray(raw.stores) ? raw.stores : [];
    const stores: ResolvedStore[] = [];
    entries.forEach((value: unknown, index: number) => {
        const entry = storeEntrySchema.safeParse(value, { reportInput: true });
        if (!entry.success) {
            all.push(...toProblems(entry.error.issues, ["stores", index]));
            return;
        }
        const store = resolveStore(entry.data, config);
        for (const problem of storeArithmeticProblems(store, entry.data, config)) {
            const [message, hint] = problem.message.split(" — ");
            all.push(problemAt(["stores", index, ...problem.path], message, hint));
        }
        stores.push(store);
    });
    all.push(...crossEntryProblems(raw, problemAt, config));
    all.sort((a, b) => a.line - b.line || a.col - b.col);
    return { stores: all.length ? [] : stores, problems: all };
}

type ProblemAt = (path: PropertyKey[], message: string, hint: string) => Problem;

/** Duplicate names and hosts, and names whose derived names do not fit, across raw entries. */
function crossEntryProblems(raw: { stores?: unknown }, problemAt: ProblemAt, config: StackConfig): Problem[] {
    if (!Array.isArray(raw.stores)) {
        return [];
    }
    const problems: Problem[] = [];
    const firstName = new Map<string, number>();
    const firstHost = new Map<string, number>();
    raw.stores.forEach((value: unknown, index: number) => {
        const entry = (value ?? {}) as { name?: unknown; host?: unknown };
        if (typeof entry.name !== "string") {
            return;
        }
        const name = entry.name;
        if (firstName.has(name)) {
            problems.push(problemAt(["stores", index, "name"], `duplicate store name "${name}" (first used by entry ${firstName.get(name)! + 1})`, "store names are stable ids and must be unique: rename one of the entries"));
            if (typeof entry.host !== "string") {
                return; // its default host repeats too; one problem says it
            }
        } else {
            firstName.set(name, index);
        }
        if (DNS_LABEL.test(name) && name.length <= MAX_STORE_NAME_LENGTH) {
            const oversized = oversizedNames(name);
            if (oversized.length) {
                problems.push(problemAt(["stores", index, "name"], `derived names are too long: ${oversized.join(", ")}`, "shorten the store name"));
            }
        }
        const host = typeof entry.host === "string" ? entry.host : defaultHost(name, config.domain);
        if (firstHost.has(host)) {
            problems.push(problemAt(["stores", index, typeof entry.host === "string" ? "host" : "name"], `duplicate host "${host}" (also used by entry ${firstHost.get(host)! + 1})`, "every store needs its own host: set a different `host`"));
        } else {
            firstHost.set(host, index);
        }
    });
    return problems;
}

/** Reads and validates a store list file; throws InputError listing every problem. */
export function loadStoreList(file: string, config: StackConfig, displayName = file): ResolvedStore[] {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (error) {
        throw new InputError([{ file: displayName, line: 0, col: 0, path: "", message: `cannot read the store list (${(error as NodeJS.ErrnoException).code ?? String(error)})`, hint: "create it or set woostore:storeList in the stack config to its path" }]);
    }
    const { stores, problems } = validateStoreList(text, displayName, config);
    if (problems.length) {
        throw new InputError(problems);
    }
    return stores;
}
