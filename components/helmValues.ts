/**
 * Values for the `charts/woostore` release of one store. Pure, and free of secrets by
 * construction: credentials are referenced by Secret name only (`existingSecret`).
 */
import { CREDENTIALS_SECRET_NAME } from "./defaults";
import { readImage } from "./imageRef";
import type { StackConfig } from "./stackConfig";
import type { ResolvedStore } from "./storeList";

export interface ImageRef { repository: string; tag: string; digest: string; pullPolicy: "IfNotPresent" }

/**
 * `registry.local:5000/mariadb:11.8.3@sha256:…` → repository, tag and digest, as the chart
 * renders them (`repository:tag[@digest]`). Structural only: whether a reference is allowed
 * (a tag, not `latest`) is decided once, by readImage when the stack config is validated;
 * the policy tests render unvalidated references on purpose.
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
