/**
 * Tier 2: the chart rendered with the program's dev and prod values, and the program's own
 * objects (ResourceQuota, LimitRange, NetworkPolicies, setup Job), pass a server-side dry-run
 * against the testbed's real kube-apiserver (schema validation, admission), in a namespace
 * labelled like a store namespace, without Pod Security warnings. With TLS (prod) that includes
 * the HTTP → HTTPS redirect Middleware, against Traefik's real CRD (testbed piece `crds`).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { helmValues } from "../../components/helmValues";
import { storeNames } from "../../components/names";
import { resolveStore, storeEntrySchema } from "../../components/storeList";
import { setupJobSpec } from "../../components/setupJob";
import { limitRangeSpec, namespaceLabels, networkPolicySpecs, resourceQuotaSpec } from "../../components/tenancy";
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
            const meta = (name: string) => ({ name, namespace: names.namespace });
            const programObjects = [
                { apiVersion: "v1", kind: "ResourceQuota", metadata: meta("woostore-quota"), spec: resourceQuotaSpec(store) },
                { apiVersion: "v1", kind: "LimitRange", metadata: meta("woostore-limits"), spec: limitRangeSpec(store) },
                ...networkPolicySpecs({ tlsEnabled: config.tls.enabled, egress: store.egress, smtpPort: 587 })
                    .map((policy) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta(policy.name), spec: policy.spec })),
                { apiVersion: "batch/v1", kind: "Job", metadata: meta(`${names.setupJobPrefix}-dryrun`), spec: setupJobSpec(store, config, "0123456789abcdef") },
            ].map((object) => `---\n${stringify(object)}`).join("");
            const child = run("kubectl", ["--kubeconfig", cluster.kubeconfig, "apply", "--dry-run=server", "-n", names.namespace, "-f", "-"], { maxBuffer: 16 << 20 });
            child.child.stdin?.end(`${rendered}\n${programObjects}`);
            const { stdout, stderr } = await child;
            const accepted = stdout.split("\n").filter((line) => / \((server dry run)\)$/.test(line));
            for (const kind of ["cronjob.batch", "deployment.apps", "statefulset.apps", "resourcequota", "limitrange", "networkpolicy.networking.k8s.io", "job.batch"]) {
                assert.ok(accepted.some((line) => line.startsWith(`${kind}/`)), `${kind} not accepted:\n${stdout}\n${stderr}`);
            }
            assert.equal(accepted.some((line) => line.startsWith("middleware.traefik.io/")), config.tls.enabled, stdout);
            assert.ok(accepted.length >= 7 + 3 + 7, stdout);
            assert.doesNotMatch(stderr, /PodSecurity|violate/i, stderr);
        });
    }
});
