/**
 * The post-install setup Job of a store as a plain spec: it installs WooCommerce, creates
 * the demo product, enables Cash on Delivery and places a real order. The script itself is
 * `setup/woostore-setup.sh`, mounted from a ConfigMap.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { CREDENTIALS_SECRET_NAME, LABELS, SECRET_KEYS, SETUP_SCRIPT_CONFIGMAP_NAME, WORDPRESS_SALTS } from "./defaults";
import { storeNames } from "./names";
import { EPHEMERAL_STORAGE, wordpressVersionOfImage } from "./runtime";
import type { StackConfig } from "./stackConfig";
import type { ResolvedStore } from "./storeList";
import { storeLabels } from "./tenancy";

export const SETUP_SCRIPT_PATH = path.join(__dirname, "..", "setup", "woostore-setup.sh");
export const SETUP_SCRIPT_KEY = "woostore-setup.sh";
export const DEMO_PRODUCT_SKU = "woostore-demo-product";
/** uid/gid of www-data in the Debian WordPress image: files the Job writes must be Apache's. */
export const WWW_DATA_UID = 33;

/** Pod security of the pods that work on the WordPress volume as www-data (setup, backup): restricted. */
export const WWW_DATA_POD_SECURITY = {
    runAsNonRoot: true,
    runAsUser: WWW_DATA_UID,
    runAsGroup: WWW_DATA_UID,
    fsGroup: WWW_DATA_UID,
    seccompProfile: { type: "RuntimeDefault" },
} as const;

let cachedScript: string | undefined;

/** The setup script, read once per program run (every store mounts the same text). */
export function readSetupScript(): string {
    cachedScript ??= fs.readFileSync(SETUP_SCRIPT_PATH, "utf8");
    return cachedScript;
}

const checksums = new Map<string, string>();

export function scriptChecksum(script: string): string {
    let checksum = checksums.get(script);
    if (checksum === undefined) {
        checksum = crypto.createHash("sha256").update(script).digest("hex").slice(0, 16);
        checksums.set(script, checksum);
    }
    return checksum;
}

const secretEnv = (name: string, key: string) => ({
    name,
    valueFrom: { secretKeyRef: { name: CREDENTIALS_SECRET_NAME, key } },
});

export function setupJobSpec(store: ResolvedStore, config: StackConfig, scriptHash: string) {
    const names = storeNames(store.name);
    const podLabels = {
        ...storeLabels(store),
        [LABELS.name]: "woostore-setup",
        [LABELS.component]: "setup",
    };
    const env = [
        { name: "HOME", value: "/tmp" },
        { name: "WP_CLI_CACHE_DIR", value: "/tmp/wp-cli-cache" },
        { name: "STORE_NAME", value: store.name },
        { name: "STORE_URL", value: store.url },
        { name: "STORE_HOST", value: store.host },
        { name: "STORE_TITLE", value: store.title },
        { name: "WP_INTERNAL_URL", value: `http://${names.wordpressService}.${names.namespace}.svc.cluster.local` },
        { name: "WP_ADMIN_USER", value: store.adminUser },
        { name: "WP_ADMIN_EMAIL", value: store.adminEmail },
        secretEnv("WP_ADMIN_PASSWORD", SECRET_KEYS.wordpressAdminPassword),
        { name: "WC_VERSION", value: config.woocommerceVersion },
        // The WordPress version of the pinned image: the docroot lives on the volume, so core is
        // brought to it here (the image's entrypoint copies core only into an empty docroot).
        { name: "WP_CORE_TARGET_VERSION", value: wordpressCoreVersion(config) },
        { name: "WC_CURRENCY", value: store.currency },
        { name: "WC_COUNTRY", value: store.country },
        { name: "DEMO_PRODUCT_SKU", value: DEMO_PRODUCT_SKU },
        { name: "TEST_ORDER_POLICY", value: config.setup.testOrderPolicy },
        { name: "SETUP_WAIT_SECONDS", value: String(Math.floor(config.setup.timeoutSeconds / 2)) },
        // wp-config.php of the official image reads these at run time, so WP-CLI needs them too.
        { name: "WORDPRESS_DB_HOST", value: names.mariadbService },
        { name: "WORDPRESS_DB_NAME", value: "wordpress" },
        { name: "WORDPRESS_DB_USER", value: "wordpress" },
        secretEnv("WORDPRESS_DB_PASSWORD", SECRET_KEYS.mariadbPassword),
        ...Object.entries(WORDPRESS_SALTS).map(([key, variable]) => secretEnv(variable, key)),
    ];
    return {
        // Bounded: a broken store fails within minutes and says why, instead of retrying forever.
        backoffLimit: config.setup.backoffLimit,
        activeDeadlineSeconds: config.setup.timeoutSeconds,
        template: {
            metadata: {
                labels: podLabels,
                annotations: { "woostore.io/setup-script-sha256": scriptHash },
            },
            spec: {
                restartPolicy: "Never",
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                securityContext: WWW_DATA_POD_SECURITY,
                // The WordPress volume is ReadWriteOnce: only pods on the WordPress pod's node can mount it.
                affinity: {
                    podAffinity: {
                        requiredDuringSchedulingIgnoredDuringExecution: [{
                            labelSelector: { matchLabels: { [LABELS.name]: "wordpress", [LABELS.instance]: names.releaseName } },
                            topologyKey: "kubernetes.io/hostname",
                        }],
                    },
                },
                containers: [{
                    name: "setup",
                    image: config.images.wpCli,
                    imagePullPolicy: "IfNotPresent",
                    command: ["bash", `/woostore/${SETUP_SCRIPT_KEY}`],
                    env,
                    resources: {
                        requests: { ...store.container.requests, "ephemeral-storage": EPHEMERAL_STORAGE.setup.request },
                        limits: { ...store.container.limits, "ephemeral-storage": EPHEMERAL_STORAGE.setup.limit },
                    },
                    // The last log lines become the failure message Pulumi shows.
                    terminationMessagePolicy: "FallbackToLogsOnError",
                    securityContext: {
                        allowPrivilegeEscalation: false,
                        capabilities: { drop: ["ALL"] },
                        // WP-CLI writes only to HOME/cache (/tmp) and the docroot volume.
                        readOnlyRootFilesystem: true,
                    },
                    volumeMounts: [
                        { name: "wordpress", mountPath: "/var/www/html" },
                        { name: "script", mountPath: "/woostore", readOnly: true },
                        { name: "tmp", mountPath: "/tmp" },
                    ],
                }],
                volumes: [
                    { name: "wordpress", persistentVolumeClaim: { claimName: names.wordpressPvc } },
                    { name: "script", configMap: { name: SETUP_SCRIPT_CONFIGMAP_NAME, defaultMode: 0o555 } },
                    { name: "tmp", emptyDir: { sizeLimit: EPHEMERAL_STORAGE.setup.tmp } },
                ],
            },
        },
    };
}

/**
 * The WordPress version of the stack's WordPress image. The stack config schema refuses images
 * without one; "" (for a config built around validation) makes the Job fail at its first step.
 */
export function wordpressCoreVersion(config: StackConfig): string {
    return wordpressVersionOfImage(config.images.wordpress) ?? "";
}

/** Annotations of the Job object itself. */
export function setupJobAnnotations(config: StackConfig): Record<string, string> {
    return {
        // A Job that failed last time is replaced (run again) on the next `up` instead of awaited forever.
        "pulumi.com/replaceUnready": "true",
        // Pulumi's await must outlast the Job's own deadline, so the Job's verdict is the one reported.
        "pulumi.com/timeoutSeconds": String(config.setup.timeoutSeconds + 60),
    };
}
