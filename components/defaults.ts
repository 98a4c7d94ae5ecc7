/**
 * Product defaults in one place: the stack config may override them within its bounds,
 * and tests (quota arithmetic, chart rendering) read them from here.
 */

/** Namespace ResourceQuota of a store unless the stack or the store says otherwise. */
export const DEFAULT_QUOTA = {
    cpu: "2",
    memory: "2Gi",
    storage: "2Gi",
    /** Node disk (writable layers, logs, emptyDirs) of all pods of a store at their limits. */
    ephemeralStorage: "4Gi",
    pods: 10,
    persistentVolumeClaims: 4,
} as const;

/** LimitRange defaults for every container of a store. */
export const DEFAULT_CONTAINER_RESOURCES = {
    requests: { cpu: "250m", memory: "256Mi" },
    limits: { cpu: "500m", memory: "512Mi" },
} as const;

/** Largest limits a single container may ask for (LimitRange `max`). */
export const DEFAULT_CONTAINER_MAX = { cpu: "1", memory: "1Gi" } as const;

/** How the quota's storage is split between the two volumes of a store. */
export const DEFAULT_PERSISTENCE = { wordpress: "1Gi", mariadb: "1Gi" } as const;

/**
 * Upper bounds a store entry may override up to (the stack config may raise or lower them).
 * They keep one store from taking a node.
 */
export const DEFAULT_BOUNDS = {
    quota: { cpu: "4", memory: "4Gi", storage: "10Gi" },
    container: { cpu: "2", memory: "2Gi" },
} as const;

/**
 * Pinned images: tag for people, digest for nodes. Official tags are rebuilt (base image and
 * security fixes), so a tag alone lets two nodes run different builds; the digest makes every
 * node pull the same bytes. How to refresh a digest: charts/woostore/README.md ("Image digests").
 */
export const DEFAULT_IMAGES = {
    wordpress: "wordpress:6.8.3-php8.3-apache@sha256:30bff39330d1693b0ce13d32fc9b7bb67193064f040b7d60d3494e136fa599d4",
    mariadb: "mariadb:11.8.3@sha256:ae6119716edac6998ae85508431b3d2e666530ddf4e94c61a10710caec9b0f71",
    wpCli: "wordpress:cli-2.12.0-php8.3@sha256:2b5e9d4d3e51909dca1aaa4732e9f5e5bf0377c2114dbd8ff39f060bff202586",
    /** restic's static binary, copied into the backup pod (see components/backup.ts). */
    restic: "restic/restic:0.18.1",
} as const;

/** WooCommerce version the setup Job installs (Store API behaviour changes between majors). */
export const DEFAULT_WOOCOMMERCE_VERSION = "10.3.5";

/**
 * The least a store can run with, so that validation refuses values with which a container
 * never starts: MariaDB alone reserves a 128 MiB InnoDB buffer pool, and WordPress' PHP has a
 * 128M memory_limit per process. Requests must be above zero (the quota counts them).
 */
export const MIN_CONTAINER_LIMITS = { cpu: "100m", memory: "256Mi" } as const;
export const MIN_CONTAINER_REQUESTS = { cpu: "1m", memory: "1Mi" } as const;
/** The smallest volume that holds WordPress with WooCommerce, or MariaDB's data directory. */
export const MIN_VOLUME = "512Mi";
/**
 * Pods and PVCs a store needs in its namespace at once: WordPress, MariaDB, the setup Job and
 * the WP-Cron Job, plus cert-manager's HTTP-01 solver pod when TLS is on; the WordPress and
 * MariaDB volumes.
 */
export const MIN_QUOTA_PODS = 4;
export const MIN_QUOTA_PODS_WITH_TLS = 5;
export const MIN_QUOTA_PVCS = 2;

/** Name of the Pulumi-owned Secret that holds every generated credential of a store. */
export const CREDENTIALS_SECRET_NAME = "woostore-credentials";

/** Name of the ConfigMap that carries the setup script into the Job. */
export const SETUP_SCRIPT_CONFIGMAP_NAME = "woostore-setup-script";

/** Keys of the credentials Secret (see docs/architecture.md). */
export const SECRET_KEYS = {
    mariadbRootPassword: "mariadb-root-password",
    mariadbPassword: "mariadb-password",
    wordpressAdminPassword: "wordpress-admin-password",
} as const;

/** The eight WordPress keys and salts: Secret key → environment variable of the official image. */
export const WORDPRESS_SALTS = {
    "auth-key": "WORDPRESS_AUTH_KEY",
    "secure-auth-key": "WORDPRESS_SECURE_AUTH_KEY",
    "logged-in-key": "WORDPRESS_LOGGED_IN_KEY",
    "nonce-key": "WORDPRESS_NONCE_KEY",
    "auth-salt": "WORDPRESS_AUTH_SALT",
    "secure-auth-salt": "WORDPRESS_SECURE_AUTH_SALT",
    "logged-in-salt": "WORDPRESS_LOGGED_IN_SALT",
    "nonce-salt": "WORDPRESS_NONCE_SALT",
} as const;

/** Label keys shared by the program, the chart and the policy pack. */
export const LABELS = {
    store: "woostore.io/store",
    partOf: "app.kubernetes.io/part-of",
    managedBy: "app.kubernetes.io/managed-by",
    name: "app.kubernetes.io/name",
    instance: "app.kubernetes.io/instance",
    component: "app.kubernetes.io/component",
} as const;

/**
 * Set (to "true") by `npm run up -- --allow-empty`: an empty store list is refused otherwise,
 * because `up` would then delete every store that is not protected.
 */
export const ALLOW_EMPTY_ENV = "WOOSTORE_ALLOW_EMPTY_STORE_LIST";
