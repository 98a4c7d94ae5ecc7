/**
 * Values for the `charts/woostore` release of one store. Pure, and free of secrets by
 * construction: credentials are referenced by Secret name only (`existingSecret`).
 */
import { CREDENTIALS_SECRET_NAME } from "./defaults";
import type { StackConfig } from "./stackConfig";
import type { ResolvedStore } from "./storeList";

export interface ImageRef { repository: string; tag: string; pullPolicy: "IfNotPresent" }

/** `mariadb:11.8.3` → `{ repository: "mariadb", tag: "11.8.3" }` (a digest stays in the tag). */
export function splitImage(image: string): ImageRef {
    const digestAt = image.indexOf("@");
    const name = digestAt >= 0 ? image.slice(0, digestAt) : image;
    const colon = name.lastIndexOf(":");
    const repository = colon > name.lastIndexOf("/") ? name.slice(0, colon) : name;
    const tag = (colon > name.lastIndexOf("/") ? name.slice(colon + 1) : "") + (digestAt >= 0 ? image.slice(digestAt) : "");
    return { repository, tag, pullPolicy: "IfNotPresent" };
}

export function helmValues(store: ResolvedStore, config: StackConfig) {
    const resources = {
        requests: { ...store.container.requests },
        limits: { ...store.container.limits },
    };
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
            },
        },
        storageClass: config.storageClass,
        wordpress: {
            image: splitImage(config.images.wordpress),
            resources,
            persistence: { size: store.persistence.wordpress },
        },
        mariadb: {
            image: splitImage(config.images.mariadb),
            database: "wordpress",
            user: "wordpress",
            resources,
            persistence: { size: store.persistence.mariadb },
        },
    };
}

export type HelmValues = ReturnType<typeof helmValues>;
