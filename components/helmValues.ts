/**
 * Values for the `charts/woostore` release of one store. Pure, and free of secrets by
 * construction: credentials are referenced by Secret name only (`existingSecret`).
 */
import { CREDENTIALS_SECRET_NAME } from "./defaults";
import { CRON_CONTAINER_RESOURCES, CRON_SCHEDULE, EPHEMERAL_STORAGE, phpSizing } from "./runtime";
import { readImage } from "./imageRef";
import type { StackConfig } from "./stackConfig";
import type { ResolvedStore } from "./storeList";

export interface ImageRef { repository: string; tag: string; digest: string; pullPolicy: "IfNotPresent" }

/**
 * `registry.local:5000/mariadb:11.8.3@sha256:…` → repository, tag and digest, as the chart
 * renders them (`repository:tag[@digest]`). Structural only: whether a reference is allowed
 * (a tag, not `latest`) is decided once, by readImage when the stack config is validated;
 * the policy tests render unvalidated references on purpose.
 * The digest is always set, `""` when the image has none, so the chart's default digest (of its
 * default tag) never sticks to another tag.
 */
export function splitImage(image: string): ImageRef {
    const reading = readImage(image);
    if (reading.ok) {
        return { repository: reading.repository, tag: reading.tag, digest: reading.digest, pullPolicy: "IfNotPresent" };
    }
    const at = image.indexOf("@");
    const name = at >= 0 ? image.slice(0, at) : image;
    const colon = name.lastIndexOf(":");
    const hasTag = colon > name.lastIndexOf("/");
    return { repository: hasTag ? name.slice(0, colon) : name, tag: hasTag ? name.slice(colon + 1) : "", digest: at >= 0 ? image.slice(at + 1) : "", pullPolicy: "IfNotPresent" };
}

/** Key of the SMTP password in the credentials Secret (present only when woostore:smtp is set). */
export const SMTP_PASSWORD_KEY = "smtp-password";

/** Requests and limits of a store container, with its node-disk budget. */
function containerResources(store: ResolvedStore, disk: { request: string; limit: string }) {
    return {
        requests: { ...store.container.requests, "ephemeral-storage": disk.request },
        limits: { ...store.container.limits, "ephemeral-storage": disk.limit },
    };
}

/** PHP and Apache settings of the WordPress container, derived from its memory limit (runtime.ts). */
export function wordpressRuntimeValues(store: ResolvedStore) {
    const sizing = phpSizing(store.container.limits.memory);
    return {
        maxRequestWorkers: sizing.maxRequestWorkers,
        php: {
            memoryLimit: `${sizing.memoryLimitMi}M`,
            uploadMaxFilesize: `${sizing.uploadMaxMi}M`,
            postMaxSize: `${sizing.uploadMaxMi}M`,
            opcacheMemoryConsumption: sizing.opcacheMi,
        },
    };
}

/** The mail relay without its password (that stays in the credentials Secret). */
export function mailValues(config: StackConfig) {
    const smtp = config.smtp;
    if (!smtp) {
        return { smtp: { host: "" } };
    }
    return {
        smtp: {
            host: smtp.host,
            port: smtp.port,
            encryption: smtp.encryption,
            from: smtp.from,
            fromName: smtp.fromName ?? "",
            // The password is the credentials Secret's SMTP_PASSWORD_KEY, the chart's default
            // mail.smtp.existingSecretKey: not repeated here, values name no credential at all.
            username: smtp.username ?? "",
        },
    };
}

export function helmValues(store: ResolvedStore, config: StackConfig) {
    return {
        existingSecret: CREDENTIALS_SECRET_NAME,
        store: {
            name: store.name,
            host: store.host,
            scheme: config.tls.enabled ? "https" : "http",
        },
        ingress: {
            enabled: true,
            className: config.ingressClass,
            tls: {
                enabled: config.tls.enabled,
                clusterIssuer: config.tls.clusterIssuer,
                secretName: config.tls.enabled ? `${store.name}-tls` : "",
                httpRedirect: config.tls.enabled && config.tls.httpRedirect,
            },
        },
        storageClass: config.storageClass,
        wordpress: {
            image: splitImage(config.images.wordpress),
            resources: containerResources(store, EPHEMERAL_STORAGE.wordpress),
            persistence: { size: store.persistence.wordpress },
            ...wordpressRuntimeValues(store),
            egress: store.egress,
            tmpSizeLimit: EPHEMERAL_STORAGE.wordpress.tmp,
        },
        mariadb: {
            image: splitImage(config.images.mariadb),
            database: "wordpress",
            user: "wordpress",
            resources: containerResources(store, EPHEMERAL_STORAGE.mariadb),
            persistence: { size: store.persistence.mariadb },
            tmpSizeLimit: EPHEMERAL_STORAGE.mariadb.tmp,
        },
        cron: {
            enabled: true,
            schedule: CRON_SCHEDULE,
            image: splitImage(config.images.wpCli),
            resources: { requests: { ...CRON_CONTAINER_RESOURCES.requests }, limits: { ...CRON_CONTAINER_RESOURCES.limits } },
            tmpSizeLimit: EPHEMERAL_STORAGE.cron.tmp,
        },
        mail: mailValues(config),
    };
}

export type HelmValues = ReturnType<typeof helmValues>;
