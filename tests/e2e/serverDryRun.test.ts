/**
 * Tier 2: the chart rendered with the program's dev and prod values passes a server-side
 * dry-run against the testbed's real kube-apiserver (schema validation, admission), in a
 * namespace labelled like a store namespace, without Pod Security warnings.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { helmValues } from "../../components/helmValues";
import { storeNames } from "../../components/names";
import { resolveStore, storeEntrySchema } from "../../components/storeList";
import { namespaceLabels } from "../../components/tenancy";
import { stackConfig } from "../helpers/config";
import { CHART_DIR, valuesFile } from "../helpers/helm";
import { Cluster, kubectl, loadTestbedEnv, startCluster } from "./testbed";

const run = promisify(execFile);

describe("chart server-side dry-run on the testbed API server", () => {
    let cluster: Cluster;
    before(() => {
        loadTestbedEnv();
        cluster = startCluster("dryrun", 38000);
    });
    after(() => cluster?.down());

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack} values: every rendered object is accepted, with no Pod Security warning`, { timeout: 300_000 }, async () => {
            const config = stackConfig(stack);
            const store = resolveStore(storeEntrySchema.parse({ name: `dry-${stack}`, admin: { email: "a@example.com" } }), config);
            const names = storeNames(store.name);
            const namespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: names.namespace, labels: namespaceLabels(store, config) } };
            await kubectl(cluster, ["apply", "-f", "-"], stringify(namespace));
            const rendered = (await run("helm", ["template", names.releaseName, CHART_DIR, "--namespace", names.namespace, "-f", valuesFile(`dryrun-${stack}`, helmValues(store, config))], { maxBuffer: 16 << 20 })).stdout;
            const child = run("kubectl", ["--kubeconfig", cluster.kubeconfig, "apply", "--dry-run=server", "-n", names.namespace, "-f", "-"], { maxBuffer: 16 << 20 });
            child.child.stdin?.end(rendered);
            const { stdout, stderr } = await child;
            const accepted = stdout.split("\n").filter((line) => / \((server dry run)\)$/.test(line));
            assert.ok(accepted.length >= 7, stdout);
            assert.doesNotMatch(stderr, /PodSecurity|violate/i, stderr);
        });
    }
});
