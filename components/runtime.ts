/**
 * What a store needs to keep working after day one (issue 13), as pure functions: the pods the
 * namespace quota must hold (including the WP-Cron CronJob's and cert-manager's HTTP-01 solver),
 * PHP and Apache sizing derived from the WordPress container's memory limit, node-disk
 * (ephemeral-storage) budgets, egress modes and the WordPress version of the pinned image.
 */
import { formatBytes, formatCpu, parseQuantity } from "./quantity";

/** What WordPress pods and the cron pod may reach beyond the store: nothing, or the web (80/443). */
export const EGRESS_MODES = ["web", "none"] as const;
export type EgressMode = (typeof EGRESS_MODES)[number];
export const DEFAULT_EGRESS: EgressMode = "web";

/** Every five minutes: WooCommerce's Action Scheduler expects its queue to run about once a minute, WP-Cron every page view; five minutes bounds the delay of held-stock release and webhooks. */
export const CRON_SCHEDULE = "*/5 * * * *";

/**
 * The WP-Cron pod (WP-CLI: cron events, then the Action Scheduler queue). WP-CLI runs with
 * the CLI image's PHP memory_limit (128M, no php.ini), so 256Mi holds it with WooCommerce loaded.
 */
export const CRON_CONTAINER_RESOURCES = {
    requests: { cpu: "100m", memory: "128Mi", "ephemeral-storage": "64Mi" },
    limits: { cpu: "500m", memory: "256Mi", "ephemeral-storage": "256Mi" },
} as const;

/**
 * cert-manager's HTTP-01 solver pod, created in the store namespace while a certificate is
 * issued or renewed: cert-manager's defaults (--acme-http01-solver-resource-limits-cpu/-memory).
 * It sets no ephemeral-storage, so the LimitRange default below applies to it.
 */
export const ACME_SOLVER_LIMITS = { cpu: "100m", memory: "64Mi" } as const;

/**
 * Node disk per container: writable layer, logs and the emptyDirs mounted for the paths the
 * images write outside the volumes (the pod is evicted when their sum passes its limits).
 * `tmp` is the emptyDir sizeLimit of `/tmp` (PHP uploads and sessions; MariaDB temp tables).
 */
export const EPHEMERAL_STORAGE = {
    wordpress: { request: "256Mi", limit: "1Gi", tmp: "512Mi" },
    mariadb: { request: "256Mi", limit: "1Gi", tmp: "512Mi" },
    setup: { request: "128Mi", limit: "512Mi", tmp: "256Mi" },
    cron: { request: CRON_CONTAINER_RESOURCES.requests["ephemeral-storage"], limit: CRON_CONTAINER_RESOURCES.limits["ephemeral-storage"], tmp: "128Mi" },
    /** LimitRange defaults, for containers that set none (cert-manager's solver). */
    containerDefault: { request: "64Mi", limit: "256Mi", max: "2Gi" },
} as const;

/** A pod the quota must hold at its limits, with what it is for (shown in validation messages). */
export interface QuotaPod {
    name: string;
    cpu: string;
    memory: string;
    ephemeralStorage: string;
}

/**
 * Every pod of a store that may run at once, at its limits: WordPress, MariaDB, the setup Job
 * (re-run on any `up` that changes it), the WP-Cron Job (every 5 minutes, at any time) and,
 * with TLS through cert-manager, the HTTP-01 solver (at issuance and every renewal).
 * WordPress uses `Recreate` and MariaDB is a one-replica StatefulSet: neither ever surges.
 */
export function quotaPods(limits: { cpu: string; memory: string }, tlsWithIssuer: boolean): QuotaPod[] {
    const pods: QuotaPod[] = [
        { name: "WordPress", ...limits, ephemeralStorage: EPHEMERAL_STORAGE.wordpress.limit },
        { name: "MariaDB", ...limits, ephemeralStorage: EPHEMERAL_STORAGE.mariadb.limit },
        { name: "setup Job", ...limits, ephemeralStorage: EPHEMERAL_STORAGE.setup.limit },
        { name: "WP-Cron Job", cpu: CRON_CONTAINER_RESOURCES.limits.cpu, memory: CRON_CONTAINER_RESOURCES.limits.memory, ephemeralStorage: EPHEMERAL_STORAGE.cron.limit },
    ];
    if (tlsWithIssuer) {
        pods.push({ name: "ACME HTTP-01 solver", ...ACME_SOLVER_LIMITS, ephemeralStorage: EPHEMERAL_STORAGE.containerDefault.limit });
    }
    return pods;
}

export type QuotaResource = "cpu" | "memory" | "ephemeralStorage";

/** The sum of the pods' limits per resource, in base units (cores, bytes). */
export function quotaNeeds(pods: readonly QuotaPod[]): Record<QuotaResource, number> {
    const sum = (key: QuotaResource) => pods.reduce((total, pod) => total + parseQuantity(pod[key]), 0);
    return { cpu: sum("cpu"), memory: sum("memory"), ephemeralStorage: sum("ephemeralStorage") };
}

/** A quantity in base units, printed like the quota would be written. */
export function formatNeed(resource: QuotaResource, amount: number): string {
    return resource === "cpu" ? formatCpu(amount) : formatBytes(amount);
}

const MI = 2 ** 20;

/**
 * PHP and Apache sizing of the WordPress container from its memory limit. In the worst case
 * every Apache prefork worker runs one PHP request at `memory_limit`, next to opcache's shared
 * memory and Apache's own processes; all of it must stay under the container limit, or the
 * kernel OOM-kills the only web pod. wp-admin raises PHP to WP_MAX_MEMORY_LIMIT (256M by
 * default), so the chart pins WP_MEMORY_LIMIT and WP_MAX_MEMORY_LIMIT to the same value.
 */
export interface PhpSizing {
    /** PHP memory_limit (and WP_MEMORY_LIMIT/WP_MAX_MEMORY_LIMIT), MiB. */
    memoryLimitMi: number;
    /** opcache.memory_consumption, MiB (the image's opcache-recommended.ini sets 128). */
    opcacheMi: number;
    /** Apache parent, idle children and PHP's per-process baseline outside memory_limit, MiB. */
    apacheOverheadMi: number;
    /** Apache prefork MaxRequestWorkers. */
    maxRequestWorkers: number;
    /** upload_max_filesize and post_max_size, MiB. */
    uploadMaxMi: number;
}

/** Fewer workers than this and one slow request (a payment gateway call) blocks the store. */
export const MIN_REQUEST_WORKERS = 2;
export const APACHE_OVERHEAD_MI = 64;

export function phpSizing(containerMemoryLimit: string): PhpSizing {
    const limitMi = Math.floor(parseQuantity(containerMemoryLimit) / MI);
    // WooCommerce asks for 256M; small pods get 128M so that at least a few workers fit.
    const memoryLimitMi = limitMi >= 1024 ? 256 : 128;
    const opcacheMi = limitMi >= 1024 ? 128 : 64;
    const maxRequestWorkers = Math.max(0, Math.floor((limitMi - opcacheMi - APACHE_OVERHEAD_MI) / memoryLimitMi));
    return {
        memoryLimitMi,
        opcacheMi,
        apacheOverheadMi: APACHE_OVERHEAD_MI,
        maxRequestWorkers,
        // An upload is held by PHP as a temp file, not in memory; half the memory limit keeps
        // the image editor (GD/Imagick, which decodes the picture in memory) inside the limit.
        uploadMaxMi: memoryLimitMi / 2,
    };
}

/** Why the WordPress container's memory limit cannot serve the store, or undefined. */
export function phpSizingProblem(containerMemoryLimit: string): string | undefined {
    const sizing = phpSizing(containerMemoryLimit);
    if (sizing.maxRequestWorkers >= MIN_REQUEST_WORKERS) {
        return undefined;
    }
    const neededMi = MIN_REQUEST_WORKERS * sizing.memoryLimitMi + sizing.opcacheMi + sizing.apacheOverheadMi;
    return `container.limits.memory ${containerMemoryLimit} leaves room for ${sizing.maxRequestWorkers} PHP worker(s) of ${sizing.memoryLimitMi}M ` +
        `(after ${sizing.opcacheMi}Mi opcache and ${sizing.apacheOverheadMi}Mi Apache) — raise it to at least ${neededMi}Mi so ${MIN_REQUEST_WORKERS} requests can run at once`;
}

/**
 * The WordPress version of an official `wordpress` image tag (`6.8.3-php8.3-apache`,
 * `6.8-apache`, optionally `@sha256:…`), or undefined when the tag does not start with one.
 */
export function wordpressVersionOfImage(image: string): string | undefined {
    const withoutDigest = image.split("@")[0];
    const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
    const colon = lastSegment.lastIndexOf(":");
    const tag = colon >= 0 ? lastSegment.slice(colon + 1) : "";
    return /^(\d+\.\d+(?:\.\d+)?)(?:-|$)/.exec(tag)?.[1];
}
