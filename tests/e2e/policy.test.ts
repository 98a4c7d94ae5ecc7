/**
 * Tier 2, issue #6: the policy pack under the real Pulumi engine. An `up` of the real program
 * with the pack passes; the same program violating a guardrail (unprotected stores checked
 * with the prod policy config) is stopped before anything is created. Runs on the testbed's
 * project-authored language host, the only one here that can start a Node.js policy pack.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { PROJECT_DIR } from "../../automation/workspace";
import { Cluster, kubectlJson, loadTestbedEnv, startCluster, TestStack, usePolicyCapableLanguageHost } from "./testbed";

const POLICY_PACK = path.join(PROJECT_DIR, "policy");

describe("policy pack under the real engine (testbed)", () => {
    let cluster: Cluster;
    let test: TestStack;
    before(async () => {
        loadTestbedEnv();
        usePolicyCapableLanguageHost();
        cluster = startCluster("policy", 41000);
        test = await new TestStack(`policy${process.pid}`, cluster).open();
        test.writeStores([{ name: "guarded" }]);
    });
    after(async () => {
        try {
            await test?.stack.destroy().catch(() => undefined);
            await test?.stack.workspace.removeStack(test.stackName, { force: true }).catch(() => undefined);
        } finally {
            test?.dispose();
            cluster?.down();
        }
    });

    it("a violating program (unprotected stores under the prod rules) is stopped before anything is created", { timeout: 600_000 }, async () => {
        await assert.rejects(
            test.stack.up({ policyPacks: [POLICY_PACK], policyPackConfigs: [path.join(POLICY_PACK, "config", "prod.json")] }),
            (error: Error) => {
                assert.match(error.message, /prod-resources-protected/);
                return true;
            },
        );
        const namespaces = await kubectlJson<{ items: unknown[] }>(cluster, ["get", "namespaces", "-l", "woostore.io/store"]);
        assert.equal(namespaces.items.length, 0);
    });

    it("the real program passes the pack and converges", { timeout: 600_000 }, async () => {
        const result = await test.stack.up({ policyPacks: [POLICY_PACK] });
        assert.equal(result.summary.result, "succeeded");
        const outputs = (await test.stack.outputs()).stores.value as Record<string, { status: string }>;
        assert.equal(outputs.guarded.status, "Ready");
    });
});
