/**
 * The WooStore guardrails: the policies and the pack's arguments, importable without starting
 * anything (index.ts is the entry point the Pulumi CLI runs; constructing a PolicyPack starts
 * its gRPC server).
 */
import type { PolicyPackArgs } from "@pulumi/policy";
import { storeNamespaceBaseline } from "./policies/namespaceBaseline";
import { noExternalServices } from "./policies/noExternalServices";
import { pinnedImages } from "./policies/pinnedImages";
import { prodProtection } from "./policies/prodProtection";

export const PACK_NAME = "woostore-guardrails";

export const policies = [storeNamespaceBaseline, noExternalServices, pinnedImages, prodProtection];

export const packArgs: PolicyPackArgs = {
    displayName: "WooStore guardrails",
    description: "Store namespace baseline, no external Services, pinned images, protected prod stores.",
    enforcementLevel: "mandatory",
    policies,
};

export { storeNamespaceBaseline, noExternalServices, pinnedImages, prodProtection };
