/**
 * prod-resources-protected (resource policy): in a protected stack (prod), every
 * `woostore:index:WooStore` component and every Namespace has `protect: true`, so that removing
 * a store from stores.yaml cannot delete its data by accident.
 *
 * How the stack is recognised: from the resource's URN (`urn:pulumi:<stack>::…`), which every
 * policy sees. Stacks named in `protectedStacks` (default ["prod"]) are protected; the policy
 * config option `requireProtect: true` (policy/config/prod.json) forces the check on any
 * stack, for a prod stack with another name. Not used: `pulumi.getStack()` (set in the pack's
 * process only by language hosts that forward the stack to policy packs: recent upstream ones,
 * not the testbed's nor the legacy pulumi-analyzer-policy shim) and the stack name the CLI sends
 * at ConfigureStack (@pulumi/policy 1.21 keeps only the stack's tags from it).
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { stackFromUrn } from "../lib/values";
import { NAMESPACE_TYPE } from "./namespaceBaseline";

export const WOOSTORE_COMPONENT_TYPE = "woostore:index:WooStore";
export const PROTECTED_TYPES = [WOOSTORE_COMPONENT_TYPE, NAMESPACE_TYPE];
export const DEFAULT_PROTECTED_STACKS = ["prod"];

export interface ProdProtectionConfig {
    requireProtect?: boolean;
    protectedStacks?: string[];
}

/**
 * Whether the stack a URN belongs to must protect its stores. A per-store stack
 * (`prod.bakery`, woostore:stackLayout perStore) counts as its base stack (`prod`).
 */
export function stackRequiresProtect(urn: string, config: ProdProtectionConfig = {}): boolean {
    if (config.requireProtect === true) return true;
    const stack = stackFromUrn(urn);
    const base = stack?.split(".")[0];
    return base !== undefined && (config.protectedStacks ?? DEFAULT_PROTECTED_STACKS).includes(base);
}

/** The pure check: a message when a resource of a protected type in a protected stack is unprotected. */
export function protectionProblem(
    r: { type: string; urn: string; name: string; protect: boolean | undefined },
    config: ProdProtectionConfig = {},
): string | undefined {
    if (!PROTECTED_TYPES.includes(r.type)) return undefined;
    if (!stackRequiresProtect(r.urn, config)) return undefined;
    if (r.protect === true) return undefined;
    const stack = stackFromUrn(r.urn) ?? "this stack";
    return `${r.type} "${r.name}" must be protected in stack "${stack}" (set opts.protect: true, config woostore:protectStores: true)`;
}

export const prodProtection: ResourceValidationPolicy = {
    name: "prod-resources-protected",
    description: "In prod, every WooStore component and every Namespace is protected (opts.protect).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            requireProtect: { type: "boolean", default: false },
            protectedStacks: { type: "array", items: { type: "string" }, default: DEFAULT_PROTECTED_STACKS },
        },
    },
    validateResource: (args, reportViolation) => {
        const problem = protectionProblem(
            { type: args.type, urn: args.urn, name: args.name, protect: args.opts?.protect },
            args.getConfig<ProdProtectionConfig>(),
        );
        if (problem) reportViolation(problem);
    },
};
