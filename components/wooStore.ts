/**
 * One isolated WooCommerce store: namespace, guardrails, generated credentials, the Helm
 * release of charts/woostore and the setup Job that proves a customer can check out.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CREDENTIALS_SECRET_NAME, SECRET_KEYS, SETUP_SCRIPT_CONFIGMAP_NAME, WORDPRESS_SALTS } from "./defaults";
import {
    BACKUP_CREDENTIALS_SECRET_NAME, BACKUP_CRONJOB_NAME, BACKUP_SCRIPT_CONFIGMAP_NAME, BACKUP_SCRIPT_KEY, type BackupConfig,
    backupCronJobSpec, backupNetworkPolicySpecs, readBackupScript, RESTIC_PASSWORD_KEY, resticPassword,
} from "./backup";
import { helmValues, SMTP_PASSWORD_KEY } from "./helmValues";
import { storeNames } from "./names";
import { readSetupScript, scriptChecksum, SETUP_SCRIPT_KEY, setupJobAnnotations, setupJobSpec } from "./setupJob";
import { smtpPassword, StackConfig } from "./stackConfig";
import { storeStatus } from "./status";
import type { ResolvedStore } from "./storeList";
import { limitRangeSpec, namespaceLabels, networkPolicySpecs, resourceQuotaSpec, storeLabels } from "./tenancy";

export const WOOSTORE_TYPE = "woostore:index:WooStore";
/** Relative on purpose: an absolute path would show as a chart diff between machines. */
export const CHART_PATH = "./charts/woostore";
/** Random bytes per WordPress salt: 48 bytes are 64 base64 characters. */
const SALT_BYTES = 48;
const SALT_LENGTH = 64;

export interface WooStoreArgs {
    /** The store entry with defaults and stack bounds applied (see storeList.ts). */
    store: ResolvedStore;
    /** The validated stack configuration. */
    config: StackConfig;
    /** Setup script text; read from setup/woostore-setup.sh when omitted. */
    setupScript?: string;
    /**
     * The stack's fleet backup key (secret): the store's restic password is derived from it and
     * the store name (components/backup.ts), so it outlives the store. Without it, no password.
     */
    backupKey?: pulumi.Output<string>;
    /** Backup script text; read from backup/woostore-backup.sh when omitted. */
    backupScript?: string;
}

export interface StoreOutputs {
    url: pulumi.Output<string>;
    adminUrl: pulumi.Output<string>;
    adminUser: pulumi.Output<string>;
    /** Secret; undefined until the store is Ready. */
    adminPassword: pulumi.Output<string | undefined>;
    namespace: pulumi.Output<string>;
    releaseName: pulumi.Output<string>;
    status: pulumi.Output<string>;
    statusReason: pulumi.Output<string>;
}

export class WooStore extends pulumi.ComponentResource implements StoreOutputs {
    public readonly url: pulumi.Output<string>;
    public readonly adminUrl: pulumi.Output<string>;
    public readonly adminUser: pulumi.Output<string>;
    /** Secret; undefined until the store is Ready. */
    public readonly adminPassword: pulumi.Output<string | undefined>;
    public readonly namespace: pulumi.Output<string>;
    public readonly releaseName: pulumi.Output<string>;
    public readonly status: pulumi.Output<string>;
    public readonly statusReason: pulumi.Output<string>;

    constructor(name: string, args: WooStoreArgs, opts?: pulumi.ComponentResourceOptions) {
        // No args to super(): component inputs are written to state, and nothing here may leak.
        super(WOOSTORE_TYPE, name, {}, opts);
        const { store, config } = args;
        const names = storeNames(store.name);
        const labels = storeLabels(store);

        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: { name: names.namespace, labels: namespaceLabels(store, config) },
        }, { parent: this });
        // Everything below lives in the namespace: deleting it removes them in one call.
        const inNamespace: pulumi.CustomResourceOptions = { parent: this, deletedWith: namespace };
        const meta = (objectName: string) => ({ name: objectName, namespace: namespace.metadata.name, labels });

        const quota = new k8s.core.v1.ResourceQuota(`${name}-quota`, {
            metadata: meta("woostore-quota"),
            spec: resourceQuotaSpec(store),
        }, inNamespace);
        const limitRange = new k8s.core.v1.LimitRange(`${name}-limits`, {
            metadata: meta("woostore-limits"),
            spec: limitRangeSpec(store),
        }, inNamespace);
        const networkPolicies = networkPolicySpecs({ tlsEnabled: config.tls.enabled, egress: store.egress, smtpPort: config.smtp?.port }).map((policy) => new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${policy.name}`, {
            metadata: meta(policy.name),
            spec: policy.spec,
        }, inNamespace));

        const resticPasswordEntry: Record<string, pulumi.Output<string>> = args.backupKey
            ? { [RESTIC_PASSWORD_KEY]: args.backupKey.apply((key) => resticPassword(key, store.name)) }
            : {};
        const credentials = this.credentials(name, namespace, labels, inNamespace, smtpPassword(config), resticPasswordEntry);

        const release = new k8s.helm.v3.Release(`${name}-release`, {
            name: names.releaseName,
            namespace: namespace.metadata.name,
            chart: CHART_PATH,
            createNamespace: false,
            atomic: true,
            cleanupOnFail: true,
            timeout: config.helmTimeoutSeconds,
            maxHistory: 10,
            values: helmValues(store, config),
        }, { ...inNamespace, dependsOn: [credentials, quota, limitRange, ...networkPolicies] });

        const script = args.setupScript ?? readSetupScript();
        const scriptConfigMap = new k8s.core.v1.ConfigMap(`${name}-setup-script`, {
            metadata: meta(SETUP_SCRIPT_CONFIGMAP_NAME),
            data: { [SETUP_SCRIPT_KEY]: script },
        }, inNamespace);
        const setupJob = new k8s.batch.v1.Job(`${name}-setup`, {
            // Autonamed (`<release>-setup-xxxxxxx`): a changed spec is replaced create-before-delete.
            metadata: { namespace: namespace.metadata.name, labels, annotations: setupJobAnnotations(config) },
            spec: setupJobSpec(store, config, scriptChecksum(script)),
        }, { ...inNamespace, dependsOn: [release, scriptConfigMap] });

        if (config.backup) {
            if (!args.backupKey) {
                throw new Error(`store ${store.name}: woostore:backup is set but the program passed no fleet backup key`);
            }
            this.backups(name, store, config, config.backup, meta, inNamespace, [release, credentials], args.backupScript ?? readBackupScript());
        }

        const state = setupJob.status.apply((jobStatus) => storeStatus(jobStatus));
        this.status = state.status;
        this.statusReason = state.reason;
        this.url = pulumi.output(store.url);
        this.adminUrl = pulumi.output(`${store.url}/wp-admin/`);
        this.adminUser = pulumi.output(store.adminUser);
        this.namespace = namespace.metadata.name;
        this.releaseName = release.name;
        // Credentials are shown only for a store a customer could buy from.
        this.adminPassword = pulumi.secret(pulumi.all([state.status, credentials.adminPassword])
            .apply(([status, password]) => (status === "Ready" ? password : undefined)));

        this.registerOutputs(this.outputs());
    }

    /** What a store exports (the stack output `stores.<name>`). */
    public outputs(): StoreOutputs {
        return {
            url: this.url,
            adminUrl: this.adminUrl,
            adminUser: this.adminUser,
            adminPassword: this.adminPassword,
            namespace: this.namespace,
            releaseName: this.releaseName,
            status: this.status,
            statusReason: this.statusReason,
        };
    }

    /**
     * Scheduled backups (issue 14): the backup script, the target's credentials, the backup
     * pod's NetworkPolicies and the CronJob. Separate objects, so a store without backups has none.
     */
    private backups(name: string, store: ResolvedStore, config: StackConfig, backup: BackupConfig, meta: (objectName: string) => k8s.types.input.meta.v1.ObjectMeta,
        opts: pulumi.CustomResourceOptions, after: pulumi.Resource[], script: string) {
        const scriptConfigMap = new k8s.core.v1.ConfigMap(`${name}-backup-script`, {
            metadata: meta(BACKUP_SCRIPT_CONFIGMAP_NAME),
            data: { [BACKUP_SCRIPT_KEY]: script },
        }, opts);
        const targetCredentials = Object.fromEntries(Object.entries(config.backupCredentials ?? {})
            .filter((entry): entry is [string, string] => typeof entry[1] === "string"));
        const credentialsSecret = new k8s.core.v1.Secret(`${name}-backup-credentials`, {
            metadata: meta(BACKUP_CREDENTIALS_SECRET_NAME),
            type: "Opaque",
            stringData: pulumi.secret(targetCredentials),
        }, { ...opts, additionalSecretOutputs: ["data", "stringData"] });
        const policies = backupNetworkPolicySpecs(backup).map((policy) => new k8s.networking.v1.NetworkPolicy(`${name}-netpol-${policy.name}`, {
            metadata: meta(policy.name),
            spec: policy.spec,
        }, opts));
        new k8s.batch.v1.CronJob(`${name}-backup`, {
            metadata: meta(BACKUP_CRONJOB_NAME),
            spec: backupCronJobSpec(store, backup, { mariadb: config.images.mariadb, restic: config.images.restic }),
        }, { ...opts, dependsOn: [...after, scriptConfigMap, credentialsSecret, ...policies] });
    }

    /** Generated passwords and WordPress salts, in one Pulumi-owned Secret. */
    private credentials(name: string, namespace: k8s.core.v1.Namespace, labels: Record<string, string>, opts: pulumi.CustomResourceOptions, smtpPasswordValue: string | undefined, extra: Record<string, pulumi.Output<string>>) {
        const password = (suffix: string, length: number) => new random.RandomPassword(`${name}-${suffix}`, {
            length,
            // Shell-, SQL- and PHP-safe: the values pass through env vars and wp-config.php.
            special: true,
            overrideSpecial: "-_.~+=",
        }, { parent: this });
        const generated: Record<string, pulumi.Output<string>> = {
            [SECRET_KEYS.mariadbRootPassword]: password("mariadb-root-password", 32).result,
            [SECRET_KEYS.mariadbPassword]: password("mariadb-password", 32).result,
            [SECRET_KEYS.wordpressAdminPassword]: password("admin-password", 24).result,
            ...extra,
        };
        // The eight salts come from one random source: one resource instead of eight per store
        // keeps previews of large store lists fast; each salt is 64 base64 characters (384 bits).
        const saltBytes = new random.RandomBytes(`${name}-wordpress-salts`, { length: SALT_BYTES * Object.keys(WORDPRESS_SALTS).length }, { parent: this });
        Object.keys(WORDPRESS_SALTS).forEach((key, index) => {
            generated[key] = saltBytes.base64.apply((text) => text.slice(index * SALT_LENGTH, (index + 1) * SALT_LENGTH));
        });
        if (smtpPasswordValue !== undefined) {
            // The relay password from stack config (a Pulumi secret); the chart mounts it as a file.
            generated[SMTP_PASSWORD_KEY] = pulumi.secret(smtpPasswordValue);
        }
        const secret = new k8s.core.v1.Secret(`${name}-credentials`, {
            metadata: { name: CREDENTIALS_SECRET_NAME, namespace: namespace.metadata.name, labels },
            type: "Opaque",
            stringData: pulumi.secret(generated),
        }, { ...opts, additionalSecretOutputs: ["data", "stringData"] });
        return Object.assign(secret, { adminPassword: generated[SECRET_KEYS.wordpressAdminPassword] });
    }
}
