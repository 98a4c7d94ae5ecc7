/**
 * Product defaults in one place: the stack config may override them within its bounds,
 * and tests (quota arithmetic, chart rendering) read them from here.
 */

/** Namespace ResourceQuota of a store unless the stack or the store says otherwise. */
export const DEFAULT_QUOTA = {
    cpu: "2",
    memory: "2Gi",
    storage: "2Gi",
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

/** Pinned images: never `latest`, so a rollout happens only when this file changes. */
export const DEFAULT_IMAGES = {
    wordpress: "wordpress:6.8.3-php8.3-apache",
    mariadb: "mariadb:11.8.3",
    wpCli: "wordpress:cli-2.12.0-php8.3",
    /** restic's static binary, copied into the backup pod (see components/backup.ts). */
    restic: "restic/restic:0.18.1",
} as const;

/** WooCommerce version the setup Job installs (Store API behaviour changes between majors). */
export const DEFAULT_WOOCOMMERCE_VERSION = "10.3.5";

/** Number of containers that run at once in a store namespace at most (WordPress, MariaDB, setup). */
export const CONTAINERS_PER_STORE = 3;

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
