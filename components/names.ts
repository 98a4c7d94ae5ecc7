/**
 * Every Kubernetes name derived from a store name, in one place, so that validation can
 * prove they all fit before a store is created (see docs/architecture.md).
 */

/** A DNS-1123 label: what Kubernetes accepts as a namespace or Service name. */
export const DNS_LABEL = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/**
 * Longest store name. The tightest derived name is the StatefulSet's
 * `controller-revision-hash` label value `<release>-mariadb-<10 chars>`, which must stay ≤ 63.
 */
export const MAX_STORE_NAME_LENGTH = 40;

export const NAMESPACE_PREFIX = "store-";

export interface StoreNames {
    namespace: string;
    releaseName: string;
    wordpressService: string;
    mariadbService: string;
    mariadbStatefulSet: string;
    wordpressPvc: string;
    mariadbPvc: string;
    /** Longest label value Kubernetes will derive (`controller-revision-hash` of MariaDB). */
    revisionHashLabel: string;
    setupJobPrefix: string;
}

export function storeNames(storeName: string): StoreNames {
    const releaseName = storeName;
    return {
        namespace: `${NAMESPACE_PREFIX}${storeName}`,
        releaseName,
        wordpressService: `${releaseName}-wordpress`,
        mariadbService: `${releaseName}-mariadb`,
        mariadbStatefulSet: `${releaseName}-mariadb`,
        wordpressPvc: `${releaseName}-wordpress`,
        mariadbPvc: `data-${releaseName}-mariadb-0`,
        revisionHashLabel: `${releaseName}-mariadb-${"x".repeat(10)}`,
        setupJobPrefix: `${releaseName}-setup`,
    };
}

/** Kubernetes limits the derived names must respect, for the name-length proof in tests. */
export const NAME_LIMITS: Record<keyof StoreNames, number> = {
    namespace: 63,
    releaseName: 53,
    wordpressService: 63,
    mariadbService: 63,
    mariadbStatefulSet: 52,
    wordpressPvc: 253,
    mariadbPvc: 253,
    revisionHashLabel: 63,
    // Pulumi appends "-" and 7 random characters to an autonamed Job; Job names become a pod label (≤ 63).
    setupJobPrefix: 63 - 8,
};

/** Names that exceed their limit for this store name (empty when the name is usable). */
export function oversizedNames(storeName: string): string[] {
    const names = storeNames(storeName);
    return (Object.keys(names) as (keyof StoreNames)[])
        .filter((key) => names[key].length > NAME_LIMITS[key])
        .map((key) => `${key} "${names[key]}" (${names[key].length} > ${NAME_LIMITS[key]})`);
}

/** The public host of a store: explicit, or `<name>.<domain>`. */
export function defaultHost(storeName: string, domain: string): string {
    return `${storeName}.${domain}`;
}
