/**
 * Backups of a store (issue 14) as plain specs: the `woostore:backup` stack config, the
 * per-store backup CronJob, the restore Job, their NetworkPolicies and quota share. Pure
 * functions, so tests check them without Pulumi; wooStore.ts turns them into resources.
 *
 * One restic repository per store, `<target>/<store>`: each store has its own repository
 * password, so a compromised store pod can read no other shop's customers, and purging a
 * store's backups is deleting one prefix. The password is HMAC-SHA256(fleet backup key,
 * store name): the fleet key is one @pulumi/random resource of the stack, so removing a store
 * (and its Secret) keeps its backups readable, and re-adding the name restores them.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { isIPv4 } from "net";
import { z } from "zod";
import type { QuotaPod } from "./runtime";
import { CREDENTIALS_SECRET_NAME, LABELS, SECRET_KEYS } from "./defaults";
import { storeNames } from "./names";
import { parseYamlSource, positionOf, type Problem } from "./problems";
import type { ResolvedStore } from "./storeList";
import { storeLabels, type NetworkPolicySpec } from "./tenancy";
import { WWW_DATA_POD_SECURITY } from "./setupJob";

export const BACKUP_SCRIPT_PATH = path.join(__dirname, "..", "backup", "woostore-backup.sh");
export const BACKUP_SCRIPT_KEY = "woostore-backup.sh";
export const BACKUP_SCRIPT_CONFIGMAP_NAME = "woostore-backup-script";
/** Pulumi-owned Secret with the target's credentials (S3 keys or REST user), from woostore:backupCredentials. */
export const BACKUP_CREDENTIALS_SECRET_NAME = "woostore-backup-credentials";
/** Key of the store's credentials Secret that holds the restic repository password. */
export const RESTIC_PASSWORD_KEY = "restic-password";
export const BACKUP_CRONJOB_NAME = "woostore-backup";
/** Containers a backup or restore pod runs at once (the init container runs before the main one). */
export const BACKUP_CONTAINERS = 1;
export const BACKUP_COMPONENT = "backup";
/** Where the pod lays out a snapshot: /backup/database (scratch) and /backup/uploads (the PVC). */
export const BACKUP_ROOT = "/backup";

/** Environment variables restic reads for the supported targets; nothing else may be set. */
export const CREDENTIAL_KEYS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_DEFAULT_REGION", "RESTIC_REST_USERNAME", "RESTIC_REST_PASSWORD"] as const;

const CRON = /^(@(daily|weekly|monthly|hourly)|(\S+\s+){4}\S+)$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d|[12]\d|3[0-2])$/;
const TARGET = /^(s3:https?:\/\/[^/\s@]+\/[^\s]+|rest:https?:\/\/[^/\s]+(\/[^\s]*)?)$/;

export const backupConfigSchema = z.strictObject({
    target: z.string()
        .refine((target) => !/^[a-z0-9]+:https?:\/\/[^/]*@/.test(target), { error: "credentials do not belong in the target URL — put them in the secret woostore:backupCredentials (pulumi config set --secret)" })
        .refine((target) => TARGET.test(target), { error: (issue) => `"${String(issue.input)}" is not a backup target — write s3:https://host/bucket[/prefix] or rest:https://host:8000[/prefix]; each store gets its own repository below it` }),
    schedule: z.string().regex(CRON, { error: "must be a cron schedule of five fields, e.g. \"30 2 * * *\" (UTC), or @daily" }).optional()
        .describe("Cron schedule in UTC. Default: daily between 02:00 and 04:59, the minute spread by store name."),
    retention: z.strictObject({
        daily: z.number().int().min(0).max(366).default(7),
        weekly: z.number().int().min(0).max(104).default(4),
        monthly: z.number().int().min(0).max(120).default(6),
    }).prefault({}).refine((keep) => keep.daily + keep.weekly + keep.monthly > 0, { error: "keeps no snapshot at all — keep at least one daily, weekly or monthly snapshot" }),
    egressCidrs: z.array(z.string().refine((cidr) => CIDR.test(cidr) && cidr.split(/[./]/).slice(0, 4).every((octet) => Number(octet) <= 255), {
        error: (issue) => `"${String(issue.input)}" is not an IPv4 CIDR — write e.g. 203.0.113.10/32`,
    })).min(1).optional(),
    beforeUpgrade: z.boolean().default(true),
    scratchSize: z.string().regex(/^\d+(Mi|Gi)$/, { error: "must be a size like 1Gi — room for one database dump" }).default("1Gi"),
    timeoutSeconds: z.number().int().min(300).max(86400).default(3600),
}).superRefine((backup, context) => {
    if (backup.egressCidrs === undefined && !isIPv4(targetEndpoint(backup.target).host)) {
        context.addIssue({
            code: "custom",
            path: ["egressCidrs"],
            message: `the target host ${targetEndpoint(backup.target).host} is a DNS name, and a NetworkPolicy can only allow address ranges — set woostore:backup.egressCidrs to the target's addresses (e.g. ["203.0.113.10/32"])`,
        });
    }
});

export type BackupConfig = z.output<typeof backupConfigSchema>;

const secureValue = z.strictObject({ secure: z.string() });

/**
 * `woostore:backupCredentials`: in the stack file `{secure: …}` (whole value) or a map of
 * `{secure: …}` (set with --path); in the program the decrypted map of strings.
 */
export const backupCredentialsSchema = z.union([
    secureValue,
    z.partialRecord(z.enum(CREDENTIAL_KEYS), z.union([z.string().min(1), secureValue])),
], { error: `must be a secret map of ${CREDENTIAL_KEYS.join(", ")} — set each with pulumi config set --secret --path 'woostore:backupCredentials.AWS_ACCESS_KEY_ID' <value>` });

const isSecure = (value: unknown) => secureValue.safeParse(value).success;

/** Credentials written to the stack file in plain text are a problem: the file is committed. */
export function plaintextCredentialProblems(configFile: string, configText: string): Problem[] {
    const { source } = parseYamlSource(configFile, configText);
    const config = (source.document.toJS() as { config?: Record<string, unknown> } | null)?.config ?? {};
    const key = "woostore:backupCredentials";
    const value = config[key];
    if (value === undefined || isSecure(value)) {
        return [];
    }
    const plain = typeof value === "object" && value !== null
        ? Object.entries(value).filter(([, entry]) => !isSecure(entry)).map(([name]) => name)
        : ["the whole value"];
    if (plain.length === 0) {
        return [];
    }
    return [{
        file: configFile,
        ...positionOf(source, ["config", key]),
        path: key,
        message: `config ${key}: ${plain.join(", ")} in plain text`,
        hint: `store credentials encrypted: pulumi config set --secret --path '${key}.${CREDENTIAL_KEYS[1]}' <value>`,
    }];
}

/** Host and port a target URL connects to. */
export function targetEndpoint(target: string): { host: string; port: number } {
    const url = new URL(target.replace(/^(s3|rest):/, ""));
    const port = url.port ? Number(url.port) : url.protocol === "http:" ? 80 : 443;
    return { host: url.hostname, port };
}

/** The store's own repository below the configured target. */
export function repositoryUrl(backup: BackupConfig, storeName: string): string {
    return `${backup.target.replace(/\/+$/, "")}/${storeName}`;
}

/** Address ranges the backup pod may reach: configured, or the target's own IPv4 address. */
export function egressCidrs(backup: BackupConfig): string[] {
    return backup.egressCidrs ?? [`${targetEndpoint(backup.target).host}/32`];
}

/** Daily between 02:00 and 04:59 UTC, spread by store name so a fleet does not back up at once. */
export function backupSchedule(backup: BackupConfig, storeName: string): string {
    if (backup.schedule !== undefined) {
        return backup.schedule;
    }
    const hash = crypto.createHash("sha256").update(storeName).digest();
    return `${hash[0] % 60} ${2 + (hash[1] % 3)} * * *`;
}

/** The store's repository password: HMAC-SHA256 of the store name under the fleet backup key. */
export function resticPassword(fleetKey: string, storeName: string): string {
    return crypto.createHmac("sha256", fleetKey).update(`woostore-restic:${storeName}`).digest("base64url");
}

/** The script text, read once per program run. */
let cachedScript: string | undefined;
export function readBackupScript(): string {
    cachedScript ??= fs.readFileSync(BACKUP_SCRIPT_PATH, "utf8");
    return cachedScript;
}

export interface BackupImages { mariadb: string; restic: string }

export interface BackupPodOptions {
    store: ResolvedStore;
    backup: BackupConfig;
    images: BackupImages;
    /** What the pod runs: a backup of the given kind, a restore of a snapshot, or a listing. */
    command: { action: "backup"; kind: "scheduled" | "manual" | "pre-upgrade" } | { action: "restore"; snapshot: string } | { action: "snapshots" };
    /** Restore into this store's database and uploads (a clone); default: the store itself. */
    into?: ResolvedStore;
    /**
     * Secret (in the pod's namespace) whose key restic-password opens the repository; default:
     * the store's own credentials. A clone gets a copy of the source store's password.
     */
    passwordSecret?: string;
}

const secretEnv = (name: string, secret: string, key: string, optional = false) => ({
    name,
    valueFrom: { secretKeyRef: { name: secret, key, ...(optional ? { optional: true } : {}) } },
});

export function backupPodLabels(store: ResolvedStore): Record<string, string> {
    return { ...storeLabels(store), [LABELS.name]: "woostore-backup", [LABELS.component]: BACKUP_COMPONENT };
}

/**
 * The pod of a backup, restore or listing: restricted Pod Security (non-root uid 33, no
 * privilege escalation, all capabilities dropped, RuntimeDefault seccomp, read-only root).
 */
export function backupPodSpec(options: BackupPodOptions) {
    const { store, backup, images, command } = options;
    const target = options.into ?? store;
    const names = storeNames(target.name);
    const writesUploads = command.action === "restore";
    const args = command.action === "backup" ? ["backup", "--kind", command.kind] : command.action === "restore" ? ["restore", command.snapshot] : ["snapshots"];
    // The dump is written to the scratch emptyDir, which counts against the pod's ephemeral-storage
    // limit: the limit is the scratch size, and the quota arithmetic counts it (backupQuotaPod).
    const resources = {
        requests: { ...target.container.requests, "ephemeral-storage": "64Mi" },
        limits: { ...target.container.limits, "ephemeral-storage": backup.scratchSize },
    };
    const securityContext = {
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
        readOnlyRootFilesystem: true,
    };
    const env = [
        { name: "HOME", value: "/tmp" },
        { name: "TMPDIR", value: "/tmp" },
        { name: "PATH", value: "/tools:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" },
        // The snapshot's host and tags name the store it came from, also when restoring into a clone.
        { name: "STORE_NAME", value: store.name },
        { name: "RESTIC_REPOSITORY", value: repositoryUrl(backup, store.name) },
        secretEnv("RESTIC_PASSWORD", options.passwordSecret ?? CREDENTIALS_SECRET_NAME, RESTIC_PASSWORD_KEY),
        ...CREDENTIAL_KEYS.map((key) => secretEnv(key, BACKUP_CREDENTIALS_SECRET_NAME, key, true)),
        { name: "BACKUP_ROOT", value: BACKUP_ROOT },
        { name: "DB_HOST", value: names.mariadbService },
        { name: "DB_PORT", value: "3306" },
        { name: "DB_NAME", value: "wordpress" },
        { name: "DB_USER", value: "wordpress" },
        secretEnv("DB_PASSWORD", CREDENTIALS_SECRET_NAME, SECRET_KEYS.mariadbPassword),
        { name: "KEEP_DAILY", value: String(backup.retention.daily) },
        { name: "KEEP_WEEKLY", value: String(backup.retention.weekly) },
        { name: "KEEP_MONTHLY", value: String(backup.retention.monthly) },
        { name: "TERMINATION_LOG", value: "/dev/termination-log" },
    ];
    return {
        metadata: { labels: backupPodLabels(target) },
        spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: WWW_DATA_POD_SECURITY,
            // The WordPress volume is ReadWriteOnce: while WordPress runs, only pods on its node can mount it.
            // A restore runs with WordPress scaled down, so it has no WordPress pod to follow.
            ...(writesUploads ? {} : {
                affinity: {
                    podAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: [{
                            labelSelector: { matchLabels: { [LABELS.name]: "wordpress", [LABELS.instance]: names.releaseName } },
                            topologyKey: "kubernetes.io/hostname",
                        }],
                    },
                },
            }),
            initContainers: [{
                name: "restic-binary",
                image: images.restic,
                imagePullPolicy: "IfNotPresent",
                command: ["cp", "/usr/bin/restic", "/tools/restic"],
                resources,
                securityContext,
                volumeMounts: [{ name: "tools", mountPath: "/tools" }],
            }],
            containers: [{
                name: command.action,
                image: images.mariadb,
                imagePullPolicy: "IfNotPresent",
                command: ["bash", `/woostore-backup/${BACKUP_SCRIPT_KEY}`, ...args],
                env,
                resources,
                terminationMessagePolicy: "FallbackToLogsOnError",
                securityContext,
                volumeMounts: [
                    { name: "scratch", mountPath: BACKUP_ROOT },
                    { name: "wordpress", mountPath: `${BACKUP_ROOT}/uploads`, subPath: "wp-content/uploads", readOnly: !writesUploads },
                    { name: "tools", mountPath: "/tools", readOnly: true },
                    { name: "script", mountPath: "/woostore-backup", readOnly: true },
                    { name: "tmp", mountPath: "/tmp" },
                ],
            }],
            volumes: [
                { name: "scratch", emptyDir: { sizeLimit: backup.scratchSize } },
                { name: "wordpress", persistentVolumeClaim: { claimName: names.wordpressPvc, readOnly: !writesUploads } },
                { name: "tools", emptyDir: { sizeLimit: "128Mi" } },
                { name: "script", configMap: { name: BACKUP_SCRIPT_CONFIGMAP_NAME, defaultMode: 0o555 } },
                { name: "tmp", emptyDir: { sizeLimit: "512Mi" } },
            ],
        },
    };
}

/** The Job around a backup pod: bounded retries and deadline, so a broken backup says why. */
export function backupJobSpec(options: BackupPodOptions) {
    return {
        backoffLimit: options.command.action === "restore" ? 0 : 2,
        activeDeadlineSeconds: options.backup.timeoutSeconds,
        ttlSecondsAfterFinished: 7 * 24 * 3600,
        template: backupPodSpec(options),
    };
}

export function backupCronJobSpec(store: ResolvedStore, backup: BackupConfig, images: BackupImages) {
    return {
        schedule: backupSchedule(backup, store.name),
        timeZone: "Etc/UTC",
        // Never two backups of a store at once; a missed run is started up to an hour late.
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
            metadata: { labels: backupPodLabels(store) },
            spec: { ...backupJobSpec({ store, backup, images, command: { action: "backup", kind: "scheduled" } }), ttlSecondsAfterFinished: undefined },
        },
    };
}

/**
 * NetworkPolicies of backup pods, separate objects so the store's other policies stay as they
 * are: the backup pod may reach MariaDB and the backup target only; MariaDB admits it.
 */
export function backupNetworkPolicySpecs(backup: BackupConfig): NetworkPolicySpec[] {
    const backupPods = { [LABELS.component]: BACKUP_COMPONENT };
    const mariadb = { [LABELS.name]: "mariadb" };
    const tcp = (port: number) => ({ protocol: "TCP", port });
    return [
        {
            name: "backup-egress",
            spec: {
                podSelector: { matchLabels: backupPods },
                policyTypes: ["Egress"],
                egress: [
                    { to: [{ podSelector: { matchLabels: mariadb } }], ports: [tcp(3306)] },
                    { to: egressCidrs(backup).map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(targetEndpoint(backup.target).port)] },
                ],
            },
        },
        {
            name: "mariadb-ingress-backup",
            spec: {
                podSelector: { matchLabels: mariadb },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ podSelector: { matchLabels: backupPods } }], ports: [tcp(3306)] }],
            },
        },
    ];
}

/** Containers that may run at once in a store namespace on top of WordPress, MariaDB and setup. */
/** The backup pod as the quota sees it (it may run beside the store's other pods), or none. */
export function backupQuotaPods(backup: BackupConfig | undefined, limits: { cpu: string; memory: string }): QuotaPod[] {
    return backup ? [{ name: "backup Job", ...limits, ephemeralStorage: backup.scratchSize }] : [];
}

