/**
 * store-namespace-baseline (stack policy): every store namespace has a ResourceQuota, a
 * LimitRange, a default-deny NetworkPolicy and a Pod Security `enforce` label.
 *
 * A store namespace is a Namespace labelled `woostore.io/store`, or one named `store-<name>`
 * (architecture.md); the latter without the label is itself a violation. Objects are matched
 * to namespaces by name (`metadata.namespace`). Unknown values (previews) never produce a
 * violation on their own: a namespace whose name is unknown is skipped, and a requirement is
 * taken as possibly met when an object of that kind has an unknown namespace.
 */
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { get, getArray, getKeys, getString, Maybe, UNKNOWN, Violation } from "../lib/values";

export const STORE_LABEL = "woostore.io/store";
export const POD_SECURITY_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
export const STORE_NAMESPACE_PREFIX = "store-";
export const DEFAULT_ALLOWED_POD_SECURITY_LEVELS = ["baseline", "restricted"];

export const NAMESPACE_TYPE = "kubernetes:core/v1:Namespace";
export const RESOURCE_QUOTA_TYPE = "kubernetes:core/v1:ResourceQuota";
export const LIMIT_RANGE_TYPE = "kubernetes:core/v1:LimitRange";
export const NETWORK_POLICY_TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

/** What the check needs to know about a Namespace. */
export interface NamespaceFacts {
    urn: string;
    name: Maybe<string>;
    /** Label keys, `UNKNOWN` when the label map is unknown. */
    labelKeys: Maybe<string[]>;
    podSecurityEnforce: Maybe<string>;
}

export type GuardKind = "ResourceQuota" | "LimitRange" | "NetworkPolicy";

/** What the check needs to know about a namespaced guard object. */
export interface GuardFacts {
    urn: string;
    kind: GuardKind;
    namespace: Maybe<string>;
    /** NetworkPolicy only: true/false when known, `UNKNOWN` when it cannot be told yet. */
    defaultDeny?: boolean | typeof UNKNOWN;
}

export interface NamespaceBaselineConfig {
    allowedPodSecurityLevels?: string[];
}

/**
 * A NetworkPolicy is default-deny when it selects every pod (`podSelector: {}`), covers both
 * directions (`policyTypes` has Ingress and Egress) and allows nothing (no ingress/egress rules).
 */
export function isDefaultDeny(spec: unknown): boolean | typeof UNKNOWN {
    const selectorKeys = getKeys(spec, "podSelector");
    const matchLabels = getKeys(spec, "podSelector", "matchLabels");
    const matchExpressions = getArray(spec, "podSelector", "matchExpressions");
    const policyTypes = getArray(spec, "policyTypes");
    const ingress = getArray(spec, "ingress");
    const egress = getArray(spec, "egress");
    const parts = [selectorKeys, matchLabels, matchExpressions, policyTypes, ingress, egress];
    if (parts.some((p) => p === UNKNOWN)) return UNKNOWN;
    // `podSelector` is required by the API (always serialized, `{}` = all pods); an absent one is
    // read as `{}` so a provider that drops empty maps from outputs cannot cause a false alarm.
    if ((matchLabels as string[]).length > 0) return false;
    if (((matchExpressions as unknown[] | undefined) ?? []).length > 0) return false;
    const types = ((policyTypes as unknown[] | undefined) ?? []);
    if (types.some((t) => t === UNKNOWN)) return UNKNOWN;
    if (!types.includes("Ingress") || !types.includes("Egress")) return false;
    if (((ingress as unknown[] | undefined) ?? []).length > 0) return false;
    if (((egress as unknown[] | undefined) ?? []).length > 0) return false;
    return true;
}

export function isStoreNamespace(ns: NamespaceFacts): boolean {
    if (Array.isArray(ns.labelKeys) && ns.labelKeys.includes(STORE_LABEL)) return true;
    return typeof ns.name === "string" && ns.name.startsWith(STORE_NAMESPACE_PREFIX);
}

const REQUIREMENTS: { kind: GuardKind; what: string }[] = [
    { kind: "ResourceQuota", what: "ResourceQuota" },
    { kind: "LimitRange", what: "LimitRange" },
    { kind: "NetworkPolicy", what: "default-deny NetworkPolicy (podSelector {}, policyTypes [Ingress, Egress], no rules)" },
];

/** The pure check. Returns one violation per missing requirement per store namespace. */
export function checkStoreNamespaces(
    namespaces: NamespaceFacts[],
    guards: GuardFacts[],
    config: NamespaceBaselineConfig = {},
): Violation[] {
    const allowed = config.allowedPodSecurityLevels ?? DEFAULT_ALLOWED_POD_SECURITY_LEVELS;
    const violations: Violation[] = [];
    for (const ns of namespaces) {
        if (ns.name === UNKNOWN || ns.name === undefined) continue; // cannot match by name yet
        if (!isStoreNamespace(ns)) continue;
        const name = ns.name;

        if (Array.isArray(ns.labelKeys) && !ns.labelKeys.includes(STORE_LABEL)) {
            violations.push({ urn: ns.urn, message: `store namespace "${name}" has no "${STORE_LABEL}" label` });
        }
        if (ns.podSecurityEnforce === undefined && ns.labelKeys !== UNKNOWN) {
            violations.push({
                urn: ns.urn,
                message: `store namespace "${name}" has no "${POD_SECURITY_ENFORCE_LABEL}" label (use one of: ${allowed.join(", ")})`,
            });
        } else if (typeof ns.podSecurityEnforce === "string" && !allowed.includes(ns.podSecurityEnforce)) {
            violations.push({
                urn: ns.urn,
                message: `store namespace "${name}" has ${POD_SECURITY_ENFORCE_LABEL}=${ns.podSecurityEnforce}; allowed: ${allowed.join(", ")}`,
            });
        }

        for (const req of REQUIREMENTS) {
            const ofKind = guards.filter((g) => g.kind === req.kind);
            const satisfied = ofKind.some(
                (g) => g.namespace === name && (req.kind !== "NetworkPolicy" || g.defaultDeny === true),
            );
            if (satisfied) continue;
            const maybe = ofKind.some(
                (g) =>
                    (g.namespace === UNKNOWN || g.namespace === name) &&
                    (req.kind !== "NetworkPolicy" || g.defaultDeny !== false),
            );
            if (maybe) continue; // preview: could be this namespace's; decided at `up`
            violations.push({ urn: ns.urn, message: `store namespace "${name}" has no ${req.what}` });
        }
    }
    return violations;
}

const GUARD_KINDS: Record<string, GuardKind> = {
    [RESOURCE_QUOTA_TYPE]: "ResourceQuota",
    [LIMIT_RANGE_TYPE]: "LimitRange",
    [NETWORK_POLICY_TYPE]: "NetworkPolicy",
};

/** Extracts the facts from the stack's resources (props are the resources' outputs). */
export function collectFacts(resources: PolicyResource[]): { namespaces: NamespaceFacts[]; guards: GuardFacts[] } {
    const namespaces: NamespaceFacts[] = [];
    const guards: GuardFacts[] = [];
    for (const r of resources) {
        if (r.type === NAMESPACE_TYPE) {
            namespaces.push({
                urn: r.urn,
                name: getString(r.props, "metadata", "name"),
                labelKeys: getKeys(r.props, "metadata", "labels"),
                podSecurityEnforce: getString(r.props, "metadata", "labels", POD_SECURITY_ENFORCE_LABEL),
            });
            continue;
        }
        const kind = GUARD_KINDS[r.type];
        if (!kind) continue;
        const g: GuardFacts = { urn: r.urn, kind, namespace: getString(r.props, "metadata", "namespace") };
        if (kind === "NetworkPolicy") g.defaultDeny = isDefaultDeny(get(r.props, "spec"));
        guards.push(g);
    }
    return { namespaces, guards };
}

export const storeNamespaceBaseline: StackValidationPolicy = {
    name: "store-namespace-baseline",
    description:
        "Every store namespace (label woostore.io/store) has a ResourceQuota, a LimitRange, a default-deny " +
        "NetworkPolicy and a pod-security.kubernetes.io/enforce label.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            allowedPodSecurityLevels: {
                type: "array",
                items: { type: "string", enum: ["privileged", "baseline", "restricted"] },
                default: DEFAULT_ALLOWED_POD_SECURITY_LEVELS,
            },
        },
    },
    validateStack: (args, reportViolation) => {
        const { namespaces, guards } = collectFacts(args.resources);
        for (const v of checkStoreNamespaces(namespaces, guards, args.getConfig<NamespaceBaselineConfig>())) {
            reportViolation(v.message, v.urn);
        }
    },
};
