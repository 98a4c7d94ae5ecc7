/**
 * The declarative store list (`stores.yaml`): parsed keeping positions, validated with a
 * strict zod schema, then checked across entries and against the stack's bounds. Every
 * problem is reported at once, each with file:line:col, store name, what and how to fix.
 */
import * as path from "path";
import { z } from "zod";
import { isWithinDomain, nonAsciiProblem, readHost } from "./dnsNames";
import { readInputFile } from "./inputFile";
import { backupQuotaPods } from "./backup";
import { defaultHost, DNS_LABEL, MAX_STORE_NAME_LENGTH, oversizedNames } from "./names";
import { describeIssue, documentData, dottedPath, InputError, parseYamlSource, positionOf, Problem, SourceDocument } from "./problems";
import { formatBytes, parseQuantity, readBytes, readCpu } from "./quantity";
import { EGRESS_MODES, EgressMode, formatNeed, phpSizingProblem, QuotaPod, quotaNeeds, quotaPods, QuotaResource } from "./runtime";
import { allowedKeysAt } from "./schemaKeys";
import { containerCpu, containerMemory, StackConfig } from "./stackConfig";
import { shown } from "./text";
import { byteQuantity, country, cpuQuantity, currency, hostName } from "./valueSchemas";

/** WordPress keeps user_email in a VARCHAR(100). */
export const MAX_EMAIL_LENGTH = 100;
export const MAX_TITLE_LENGTH = 100;

const storeName = z.string().check((ctx) => {
    const name = ctx.value;
    const nonAscii = nonAsciiProblem("name", name);
    if (nonAscii && !nonAscii.ok) {
        ctx.issues.push({ code: "custom", input: name, message: `${nonAscii.message} — ${nonAscii.hint}` });
    } else if (name.length > MAX_STORE_NAME_LENGTH) {
        ctx.issues.push({ code: "custom", input: name, message: `name ${shown(name)} is longer than ${MAX_STORE_NAME_LENGTH} characters — shorten it so the namespace, Helm release and labels derived from it fit Kubernetes' limits` });
    } else if (!DNS_LABEL.test(name)) {
        ctx.issues.push({ code: "custom", input: name, message: `name ${shown(name)} is not a DNS-1123 label — use lowercase letters, digits and '-', start with a letter, end with a letter or digit` });
    }
});

const email = z.string().check((ctx) => {
    const address = ctx.value;
    if (address.length > MAX_EMAIL_LENGTH) {
        ctx.issues.push({ code: "custom", input: address, message: `the e-mail address ${shown(address)} is longer than ${MAX_EMAIL_LENGTH} characters — WordPress stores at most ${MAX_EMAIL_LENGTH}: use a shorter address` });
    } else if (!z.email().safeParse(address).success) {
        ctx.issues.push({ code: "custom", input: address, message: `${shown(address)} is not an e-mail address — write the store administrator's address, e.g. owner@example.com` });
    }
});

const title = z.string().check((ctx) => {
    if (ctx.value.trim() === "") {
        ctx.issues.push({ code: "custom", input: ctx.value, message: "the title is empty — write the shop's name, or remove `title` to use the store name" });
    } else if (ctx.value.length > MAX_TITLE_LENGTH) {
        ctx.issues.push({ code: "custom", input: ctx.value, message: `the title ${shown(ctx.value)} is longer than ${MAX_TITLE_LENGTH} characters — shorten it` });
    }
});

export const storeEntrySchema = z.strictObject({
    name: storeName.meta({ maxLength: MAX_STORE_NAME_LENGTH, pattern: DNS_LABEL.source }).describe("Stable id of the store (DNS label, ≤ 40 characters). Namespace store-<name>, Helm release <name>. Renaming replaces the store."),
    host: hostName("host").meta({ maxLength: 253, pattern: "^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$" }).optional().describe("Public host name (a DNS name, not an IP address; ASCII, punycode for IDNs). Default: <name>.<woostore:domain>."),
    title: title.meta({ minLength: 1, maxLength: MAX_TITLE_LENGTH }).optional().describe("Site title shown in the shop (≤ 100 characters). Default: the name."),
    admin: z.strictObject({
        email: email.meta({ format: "email", maxLength: MAX_EMAIL_LENGTH }).describe("Administrator e-mail (≤ 100 characters)."),
        user: z.string().regex(/^[a-z0-9_.@-]{3,60}$/, { error: (issue) => `the login ${shown(issue.input)} is not a valid WordPress login — use 3–60 lowercase letters, digits, '_', '.', '-'` }).default("admin"),
    }).describe("The store's WordPress administrator. The password is generated."),
    woocommerce: z.strictObject({
        currency: currency.meta({ pattern: "^[A-Z]{3}$" }).default("USD").describe("ISO 4217 currency code, e.g. USD, EUR."),
        country: country.meta({ pattern: "^[A-Z]{2}(:[A-Z0-9-]{1,10})?$" }).default("US:CA").describe("ISO 3166-1 alpha-2 country, optionally with a WooCommerce state code: US:CA, DE."),
    }).prefault({}).describe("Shop settings the setup Job applies."),
    quota: z.strictObject({ cpu: cpuQuantity().optional(), memory: byteQuantity().optional(), storage: byteQuantity().optional() }).optional()
        .describe("Namespace ResourceQuota overrides, up to woostore:bounds.quota. Default: woostore:defaults.quota (2 CPU, 2Gi, 2Gi storage)."),
    container: z.strictObject({
        requests: z.strictObject({ cpu: containerCpu.requests().optional(), memory: containerMemory.requests().optional() }).optional(),
        limits: z.strictObject({ cpu: containerCpu.limits().optional(), memory: containerMemory.limits().optional() }).optional(),
    }).optional()
        .describe("LimitRange default requests/limits per container, up to woostore:bounds.container. Default 250m/256Mi requests, 500m/512Mi limits; limits at least 100m/256Mi."),
    protect: z.boolean().optional().describe("Deletion protection. Default: woostore:protectStores (on in prod)."),
    egress: z.enum(EGRESS_MODES, { error: "must be \"web\" or \"none\" — web lets WordPress reach payment, shipping and plugin APIs on ports 80/443" }).optional()
        .describe("What WordPress may reach on the internet: web (ports 80/443, not cluster or private ranges) or none. Default: woostore:egress (web)."),
});

/** The top level alone (entries are validated one by one, see validateStoreList). */
const storeListShapeSchema = z.strictObject({
    stores: z.array(z.unknown(), { error: "\"stores\" must be a list — write `stores:` followed by `- name: …` entries" }),
});

export const storeListSchema = z.strictObject({
    stores: z.array(storeEntrySchema, { error: "\"stores\" must be a list — write `stores:` followed by `- name: …` entries" }),
});

export interface StoreListOptions {
    /** Stack name, for problems that depend on the stack's bounds. */
    stack?: string;
    /** An empty list is refused unless asked for: `up` would delete every unprotected store. */
    allowEmpty?: boolean;
}

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
    /** Outbound access of WordPress and its cron pod (runtime.ts). */
    egress: EgressMode;
    /** With TLS through a cert-manager issuer, the quota also holds the HTTP-01 solver pod. */
    acmeSolver: boolean;
    quota: { cpu: string; memory: string; storage: string; ephemeralStorage: string; pods: number; persistentVolumeClaims: number };
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
        egress: entry.egress ?? config.egress,
        acmeSolver: config.tls.enabled && config.tls.clusterIssuer !== "",
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
 * Only problems that involve a value the entry sets are returned: the same check on the
 * stack's own defaults is reported once, against the stack config (stackConsistencyProblems).
 */
export function storeArithmeticProblems(store: ResolvedStore, entry: StoreEntry, config: StackConfig, stack?: string): { path: PropertyKey[]; message: string }[] {
    const problems: { path: PropertyKey[]; message: string }[] = [];
    const bounds = config.bounds;
    const ofStack = stack ? ` of stack ${stack}` : "";
    for (const key of ["cpu", "memory", "storage"] as const) {
        const value = entry.quota?.[key];
        if (value !== undefined && parseQuantity(value) > parseQuantity(bounds.quota[key])) {
            problems.push({ path: ["quota", key], message: `quota.${key} ${value} is above the bound ${bounds.quota[key]}${ofStack} — lower it, or raise woostore:bounds.quota.${key} in the stack config` });
        }
    }
    for (const kind of ["requests", "limits"] as const) {
        for (const key of ["cpu", "memory"] as const) {
            const value = entry.container?.[kind]?.[key];
            if (value !== undefined && parseQuantity(value) > parseQuantity(bounds.container[key])) {
                problems.push({ path: ["container", kind, key], message: `container.${kind}.${key} ${value} is above the bound ${bounds.container[key]}${ofStack} — lower it, or raise woostore:bounds.container.${key}` });
            }
        }
    }
    for (const key of ["cpu", "memory"] as const) {
        const setsRequest = entry.container?.requests?.[key] !== undefined;
        const setsLimit = entry.container?.limits?.[key] !== undefined;
        const request = parseQuantity(store.container.requests[key]);
        const limit = parseQuantity(store.container.limits[key]);
        if ((setsRequest || setsLimit) && request > limit) {
            problems.push({ path: ["container", setsRequest ? "requests" : "limits", key], message: `the container request of ${key} ${store.container.requests[key]} is above its limit ${store.container.limits[key]} — a request may not exceed the limit` });
        }
        if (setsLimit && limit > parseQuantity(store.container.max[key])) {
            problems.push({ path: ["container", "limits", key], message: `the container limit of ${key} ${store.container.limits[key]} is above the per-container maximum ${store.container.max[key]}${ofStack} — lower it, or raise woostore:defaults.container.max.${key}` });
        }
    }
    for (const shortfall of quotaFit(store, backupQuotaPods(config.backup, store.container.limits))) {
        // ephemeral-storage comes from the stack's defaults only: the stack config reports it.
        if (shortfall.resource === "ephemeralStorage") continue;
        const resource = shortfall.resource;
        const involved = entry.quota?.[resource] !== undefined || (resource !== "storage" && entry.container?.limits?.[resource] !== undefined);
        if (involved) {
            const where: PropertyKey[] = entry.quota?.[resource] !== undefined ? ["quota", resource] : ["container", "limits", resource];
            problems.push({ path: where, message: shortfall.message });
        }
    }
    const sizing = phpSizingProblem(store.container.limits.memory);
    if (sizing) {
        problems.push({ path: ["container", "limits", "memory"], message: sizing });
    }
    return problems;
}

/** Bound checks of the quantities of a raw entry that are valid on their own (for an entry that failed the schema). */
function boundProblems(value: unknown, config: StackConfig, stack?: string): { path: PropertyKey[]; message: string }[] {
    const raw = (value && typeof value === "object" ? value : {}) as { quota?: Record<string, unknown>; container?: Record<string, Record<string, unknown> | undefined> };
    const quantity = (text: unknown, read: typeof readCpu) => (typeof text === "string" ? read(text) : undefined);
    const overrides: StoreEntry["quota"] & object = {};
    const quota = raw.quota && typeof raw.quota === "object" ? raw.quota : {};
    for (const key of ["cpu", "memory", "storage"] as const) {
        const reading = quantity(quota[key], key === "cpu" ? readCpu : readBytes);
        if (reading?.ok) overrides[key] = reading.canonical;
    }
    const container: { requests: { cpu?: string; memory?: string }; limits: { cpu?: string; memory?: string } } = { requests: {}, limits: {} };
    for (const kind of ["requests", "limits"] as const) {
        const section = raw.container && typeof raw.container === "object" ? raw.container[kind] : undefined;
        for (const key of ["cpu", "memory"] as const) {
            const reading = section && typeof section === "object" ? quantity(section[key], key === "cpu" ? readCpu : readBytes) : undefined;
            if (reading?.ok) container[kind][key] = reading.canonical;
        }
    }
    const partial = { quota: overrides, container } as unknown as StoreEntry;
    return storeArithmeticProblems(resolveStore({ ...partial, name: "x", admin: { email: "", user: "" }, woocommerce: { currency: "", country: "" } }, config), partial, config, stack)
        .filter((problem) => problem.message.includes(" is above the bound "));
}

/**
 * Whether the namespace quota holds every pod of the store that may run at once, at its limits
 * (runtime.ts quotaPods: WordPress, MariaDB, setup Job, WP-Cron Job and, with TLS, cert-manager's
 * solver), and both volumes.
 */
export function quotaFit(store: ResolvedStore, extraPods: readonly QuotaPod[] = []): { resource: "cpu" | "memory" | "storage" | "ephemeralStorage"; message: string }[] {
    const shortfalls: { resource: "cpu" | "memory" | "storage" | "ephemeralStorage"; message: string }[] = [];
    // Plus the backup Job's pod with woostore:backup (components/backup.ts).
    const pods = [...quotaPods(store.container.limits, store.acmeSolver), ...extraPods];
    const needs = quotaNeeds(pods);
    const podList = pods.map((pod) => pod.name).join(", ");
    for (const key of ["cpu", "memory", "ephemeralStorage"] as const satisfies readonly QuotaResource[]) {
        if (needs[key] > parseQuantity(store.quota[key])) {
            const shown = formatNeed(key, needs[key]);
            const fix = key === "ephemeralStorage" ? "raise woostore:defaults.quota.ephemeralStorage" : `raise quota.${key} to at least ${shown} or lower container.limits.${key}`;
            shortfalls.push({ resource: key, message: `quota.${key} ${store.quota[key]} cannot hold the store's ${pods.length} pods at their limits (${podList}: ${shown}) — ${fix}` });
        }
    }
    const storageNeeded = parseQuantity(store.persistence.wordpress) + parseQuantity(store.persistence.mariadb);
    if (storageNeeded > parseQuantity(store.quota.storage)) {
        shortfalls.push({ resource: "storage", message: `quota.storage ${store.quota.storage} is smaller than the store's volumes (${formatBytes(storageNeeded)}) — raise quota.storage to at least ${formatBytes(storageNeeded)}` });
    }
    return shortfalls;
}

/**
 * One store entry on its own (e.g. from the self-service API): the store list's schema and
 * arithmetic, problems as "path: what — how to fix" lines.
 */
export function validateStoreEntry(raw: unknown, config: StackConfig): { store?: ResolvedStore; problems: string[] } {
    const entry = storeEntrySchema.safeParse(raw, { reportInput: true });
    if (!entry.success) {
        return {
            problems: entry.error.issues.flatMap((issue) => describeIssue(issue, (path) => allowedKeysAt(storeEntrySchema, path))
                .map((d) => `${dottedPath(d.keyName !== undefined ? [...issue.path, d.keyName] : issue.path) || "entry"}: ${d.message} — ${d.hint}`)),
        };
    }
    const store = resolveStore(entry.data, config);
    const problems = storeArithmeticProblems(store, entry.data, config).map((p) => `${dottedPath(p.path)}: ${p.message}`);
    return problems.length ? { problems } : { store, problems };
}

export interface StoreListResult {
    stores: ResolvedStore[];
    problems: Problem[];
    /** Shown, but they do not stop validation (e.g. a host outside woostore:domain). */
    warnings: Problem[];
}

interface ParsedStoreList {
    source: SourceDocument;
    data: unknown;
    /** The schema's verdict on each entry: it does not depend on the stack. */
    entryResults: ReturnType<typeof storeEntrySchema.safeParse>[];
    problems: Problem[];
}

let lastParsed: { text: string; file: string; parsed: ParsedStoreList } | undefined;

/**
 * The YAML and schema part of validating a store list, which is the same for every stack:
 * `validate` checks one list against several stacks, so the last result is kept.
 */
function parseStoreList(text: string, file: string): ParsedStoreList {
    if (lastParsed?.text === text && lastParsed.file === file) {
        return lastParsed.parsed;
    }
    const { source, problems } = parseYamlSource(file, text);
    let parsed: ParsedStoreList = { source, data: undefined, entryResults: [], problems };
    if (problems.length === 0) {
        const { data, problems: aliasProblems } = documentData(source);
        const stores = data && typeof data === "object" && !Array.isArray(data) ? (data as { stores?: unknown }).stores : undefined;
        const entryResults = Array.isArray(stores) ? stores.map((value: unknown) => storeEntrySchema.safeParse(value, { reportInput: true })) : [];
        parsed = { source, data, entryResults, problems: aliasProblems };
    }
    lastParsed = { text, file, parsed };
    return parsed;
}

/** Validates the text of a store list against the stack config. Never throws on bad input. */
export function validateStoreList(text: string, file: string, config: StackConfig, options: StoreListOptions = {}): StoreListResult {
    const parsed = parseStoreList(text, file);
    if (parsed.problems.length > 0) {
        return { stores: [], problems: parsed.problems, warnings: [] };
    }
    const { source, data, entryResults } = parsed;
    const raw = (data && typeof data === "object" && !Array.isArray(data) ? data : {}) as { stores?: unknown };
    const nameAt = (index: PropertyKey): string | undefined => {
        const entry = Array.isArray(raw.stores) && typeof index === "number" ? (raw.stores[index] as { name?: unknown } | undefined) : undefined;
        return entry && typeof entry === "object" && typeof entry.name === "string" ? entry.name : undefined;
    };
    const problemAt = (entryPath: PropertyKey[], message: string, hint: string, keyName?: string): Problem => {
        const inEntry = entryPath[0] === "stores" && typeof entryPath[1] === "number";
        const store = inEntry ? nameAt(entryPath[1]) : undefined;
        return {
            file,
            ...positionOf(source, entryPath, keyName),
            store,
            path: dottedPath(keyName !== undefined ? [...entryPath, keyName] : entryPath),
            // An entry without a usable name is named by its place in the list.
            message: inEntry && store === undefined ? `entry ${Number(entryPath[1]) + 1}: ${message}` : message,
            hint,
        };
    };

    // The list's shape first, then every entry on its own: one bad entry must not hide the
    // problems of the others, and entries that parse are still checked against the bounds.
    const all: Problem[] = [];
    const warnings: Problem[] = [];
    const toProblems = (issues: z.core.$ZodIssue[], prefix: PropertyKey[]) => issues.flatMap((issue) => {
        const fullPath = [...prefix, ...issue.path];
        return describeIssue(issue, (issuePath) => allowedKeysAt(storeListSchema, [...prefix, ...issuePath]))
            .map((described) => problemAt(fullPath, described.message, described.hint, described.keyName));
    });
    const shape = storeListShapeSchema.safeParse(data && typeof data === "object" && !Array.isArray(data) ? data : data ?? {}, { reportInput: true });
    if (!shape.success) {
        all.push(...toProblems(shape.error.issues, []));
    }
    const entries = Array.isArray(raw.stores) ? raw.stores : [];
    if (Array.isArray(raw.stores) && entries.length === 0 && !options.allowEmpty) {
        all.push(problemAt(["stores"], "the store list is empty", "`up` would delete every store that is not protected: add stores, or pass --allow-empty if that is really meant"));
    }
    const stores: ResolvedStore[] = [];
    entries.forEach((value: unknown, index: number) => {
        const entry = entryResults[index];
        if (!entry.success) {
            all.push(...toProblems(entry.error.issues, ["stores", index]));
            // The entry's other values are still held against the stack's bounds, so that fixing
            // the first problems does not reveal new ones.
            const issuePaths = new Set(entry.error.issues.map((issue) => dottedPath(issue.path)));
            for (const problem of boundProblems(value, config, options.stack)) {
                if (!issuePaths.has(dottedPath(problem.path))) {
                    const [message, hint] = problem.message.split(" — ");
                    all.push(problemAt(["stores", index, ...problem.path], message, hint));
                }
            }
            return;
        }
        const store = resolveStore(entry.data, config);
        for (const problem of storeArithmeticProblems(store, entry.data, config, options.stack)) {
            const [message, hint] = problem.message.split(" — ");
            all.push(problemAt(["stores", index, ...problem.path], message, hint));
        }
        if (entry.data.host !== undefined && !isWithinDomain(entry.data.host, config.domain)) {
            warnings.push({ ...problemAt(["stores", index, "host"], `host "${entry.data.host}" is outside the stack's domain ${config.domain}${options.stack ? ` (stack ${options.stack})` : ""}`, "make sure its DNS record points at the ingress (and that TLS can be issued for it), or use a host under woostore:domain"), severity: "warning" });
        }
        stores.push(store);
    });
    all.push(...crossEntryProblems(raw, problemAt, config));
    all.sort((a, b) => a.line - b.line || a.col - b.col);
    warnings.sort((a, b) => a.line - b.line || a.col - b.col);
    return { stores: all.length ? [] : stores, problems: all, warnings };
}

type ProblemAt = (path: PropertyKey[], message: string, hint: string) => Problem;

/**
 * Duplicate names and hosts, and names whose derived names or default host do not fit, across
 * raw entries. Names and hosts that are invalid themselves are reported by the schema and left
 * out here, so that they cause no follow-on problem (such as a bogus duplicate host).
 */
function crossEntryProblems(raw: { stores?: unknown }, problemAt: ProblemAt, config: StackConfig): Problem[] {
    if (!Array.isArray(raw.stores)) {
        return [];
    }
    const problems: Problem[] = [];
    const firstName = new Map<string, number>();
    const firstHost = new Map<string, number>();
    raw.stores.forEach((value: unknown, index: number) => {
        const entry = (value && typeof value === "object" ? value : {}) as { name?: unknown; host?: unknown };
        if (typeof entry.name !== "string" || !DNS_LABEL.test(entry.name) || entry.name.length > MAX_STORE_NAME_LENGTH) {
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
        const oversized = oversizedNames(name);
        if (oversized.length) {
            problems.push(problemAt(["stores", index, "name"], `derived names are too long: ${oversized.join(", ")}`, "shorten the store name"));
        }
        let host: string;
        if (typeof entry.host === "string") {
            if (!readHost("host", entry.host).ok) {
                return;
            }
            host = entry.host;
        } else {
            host = defaultHost(name, config.domain);
            const derived = readHost("the default host", host);
            if (!derived.ok) {
                problems.push(problemAt(["stores", index, "name"], `${derived.message} (<name>.<woostore:domain>)`, "set `host` for this store, or shorten the store name or woostore:domain"));
                return;
            }
        }
        if (firstHost.has(host)) {
            problems.push(problemAt(["stores", index, typeof entry.host === "string" ? "host" : "name"], `duplicate host "${host}" (also used by entry ${firstHost.get(host)! + 1})`, "every store needs its own host: set a different `host`"));
        } else {
            firstHost.set(host, index);
        }
    });
    return problems;
}

/** Reads and validates a store list file; throws InputError listing every problem. */
export function loadStoreList(file: string, config: StackConfig, displayName = file, options: StoreListOptions = {}): ResolvedStore[] {
    const input = readInputFile(file, displayName, "create it, or set woostore:storeList in the stack config to its path");
    if (!input.ok) {
        throw new InputError([input.problem]);
    }
    const { stores, problems } = validateStoreList(input.text, displayName, config, options);
    if (problems.length) {
        throw new InputError(problems);
    }
    return stores;
}

/** Store list path relative to where the user ran the command, for messages. */
export function shownPath(filePath: string, from: string): string {
    return path.relative(from, filePath) || filePath;
}
