/**
 * no-external-services-in-store-namespaces (resource policy): no Service of type LoadBalancer
 * or NodePort in a store namespace. Stores are reached only through the shared Ingress.
 *
 * A resource policy sees one resource, not its Namespace's labels, so a store namespace is
 * recognised by name (`store-<name>`, architecture.md). A namespace that is unknown during a
 * preview counts as a store namespace (fail closed): this program creates no other Services.
 * Checked before the Service is created, in previews and in `up`.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { getString, Maybe, UNKNOWN } from "../lib/values";
import { STORE_NAMESPACE_PREFIX } from "./namespaceBaseline";

export const SERVICE_TYPE = "kubernetes:core/v1:Service";
export const FORBIDDEN_SERVICE_TYPES = ["LoadBalancer", "NodePort"];

export interface ServiceFacts {
    name: Maybe<string>;
    namespace: Maybe<string>;
    serviceType: Maybe<string>;
}

/** The pure check: a message when the Service is exposed outside the cluster from a store namespace. */
export function checkServiceExposure(svc: ServiceFacts): string | undefined {
    if (typeof svc.serviceType !== "string" || !FORBIDDEN_SERVICE_TYPES.includes(svc.serviceType)) return undefined;
    const inStoreNamespace =
        svc.namespace === UNKNOWN || (typeof svc.namespace === "string" && svc.namespace.startsWith(STORE_NAMESPACE_PREFIX));
    if (!inStoreNamespace) return undefined;
    const where = svc.namespace === UNKNOWN ? "a namespace not known yet (treated as a store namespace)" : `store namespace "${svc.namespace}"`;
    const name = typeof svc.name === "string" ? `"${svc.name}" ` : "";
    return `Service ${name}in ${where} has type ${svc.serviceType}; store traffic must go through the Ingress (use ClusterIP)`;
}

export const noExternalServices: ResourceValidationPolicy = {
    name: "no-external-services-in-store-namespaces",
    description: "No Service of type LoadBalancer or NodePort in a store namespace (store-<name>).",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== SERVICE_TYPE) return;
        const problem = checkServiceExposure({
            name: getString(args.props, "metadata", "name"),
            namespace: getString(args.props, "metadata", "namespace"),
            serviceType: getString(args.props, "spec", "type"),
        });
        if (problem) reportViolation(problem);
    },
};
