/**
 * The validation promise (issue 15), tier 2: a sample of generated store entries and stack
 * overrides that `validate` accepts passes server-side dry-run on the testbed's real
 * kube-apiserver, program and chart objects together: the namespace (with its Pod Security
 * labels), ResourceQuota and LimitRange are created for real, then the NetworkPolicies, the
 * setup ConfigMap and Job and every object the chart renders are dry-run against them (quota
 * admission checks the PVC sizes, LimitRange defaults apply, Pod Security checks the pods).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import * as fc from "fast-check";
import { stringify } from "yaml";
import { SETUP_SCRIPT_CONFIGMAP_NAME } from "../../components/defaults";
import { helmValues } from "../../components/helmValues";
import { storeNames } from "../../components/names";
import { readSetupScript, SETUP_SCRIPT_KEY, setupJobAnnotations, setupJobSpec } from "../../components/setupJob";
import { validateStackConfig } from "../../components/stackConfig";
import { ResolvedStore, validateStoreList } from "../../components/storeList";
import { limitRangeSpec, namespaceLabels, networkPolicySpecs, resourceQuotaSpec, storeLabels } from "../../components/tenancy";
import { CHART_DIR, valuesFile } from "../helpers/helm";
import { STACK_LIMITS, stackOverrides, stackRaw, storeEntry } from "../helpers/storeArbitraries";
import { Cluster, kubectl, loadTestbedEnv, startCluster } from "./testbed";

const run = promisify(execFile);
const SAMPLE = Number(process.env.WOOSTORE_E2E_PROPERTY_SAMPLE ?? "4");
/** Fixed, so a failure is reproducible; change it to draw another sample. */
const SEED = 15;

describe("validation promise: accepted entries pass server-side dry-run, program and chart objects together", () => {
    let cluster: Cluster;
    before(() => {
        loadTestbedEnv();
        cluster = startCluster("val", 42000);
    });
    after(() => cluster?.down());

    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: a sample of ${SAMPLE} accepted generated stores`, { timeout: 900_000 }, async () => {
            const candidates = fc.sample(fc.tuple(stackOverrides, storeEntry(STACK_LIMITS[stack])), { seed: SEED + (stack === "prod" ? 1 : 0), numRuns: SAMPLE * 10 });
            let checked = 0;
            for (const [overrides, entry] of candidates) {
                if (checked === SAMPLE) break;
                const { config, problems: configProblems } = validateStackConfig(stackRaw(stack, overrides), `Pulumi.${stack}.yaml`, undefined, stack);
                if (!config || configProblems.length) continue;
                // A suffix per sample: generated names may repeat across samples, namespaces may not.
                const named = { ...entry, name: `${String(entry.name).slice(0, 36)}-${checked}${stack[0]}` };
                const { stores, problems } = validateStoreList(stringify({ stores: [named] }), "stores.yaml", config, { stack });
                if (problems.length) continue;
                await dryRun(cluster, stores[0], config, stack, JSON.stringify({ overrides, entry: named }));
                checked++;
            }
            assert.equal(checked, SAMPLE, "enough generated entries were accepted by validate");
        });
    }
});

async function dryRun(cluster: Cluster, store: ResolvedStore, config: Parameters<typeof helmValues>[1], stack: string, sample: string): Promise<void> {
    const names = storeNames(store.name);
    const labels = storeLabels(store);
    const meta = (name: string) => ({ name, namespace: names.namespace, labels });
    const created = [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: names.namespace, labels: namespaceLabels(store, config) } },
        { apiVersion: "v1", kind: "ResourceQuota", metadata: meta("woostore-quota"), spec: resourceQuotaSpec(store) },
        { apiVersion: "v1", kind: "LimitRange", metadata: meta("woostore-limits"), spec: limitRangeSpec(store) },
    ];
    await kubectl(cluster, ["apply", "-f", "-"], created.map((object) => stringify(object)).join("---\n"));
    const script = readSetupScript();
    const programObjects = [
        ...networkPolicySpecs({ tlsEnabled: config.tls.enabled, egress: store.egress, smtpPort: config.smtp?.port }).map((policy) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta(policy.name), spec: policy.spec })),
        { apiVersion: "v1", kind: "ConfigMap", metadata: meta(SETUP_SCRIPT_CONFIGMAP_NAME), data: { [SETUP_SCRIPT_KEY]: script } },
        { apiVersion: "batch/v1", kind: "Job", metadata: { ...meta(`${names.setupJobPrefix}-dryrun`), annotations: setupJobAnnotations(config) }, spec: setupJobSpec(store, config, "0".repeat(16)) },
    ];
    const rendered = (await run("helm", ["template", names.releaseName, CHART_DIR, "--namespace", names.namespace, "-f", valuesFile(`dryrun-${stack}-${store.name}`, helmValues(store, config))], { maxBuffer: 16 << 20 })).stdout;
    const documents = `${programObjects.map((object) => stringify(object)).join("---\n")}---\n${rendered}`;
    const child = run("kubectl", ["--kubeconfig", cluster.kubeconfig, "apply", "--dry-run=server", "-n", names.namespace, "-f", "-"], { maxBuffer: 16 << 20 });
    child.child.stdin?.end(documents);
    let output: { stdout: string; stderr: string };
    try {
        output = await child;
    } catch (error) {
        const failure = error as { stderr?: string; message: string };
        assert.fail(`server-side dry-run refused what validate accepted (${stack}): ${failure.stderr ?? failure.message}\nsample: ${sample}`);
    }
    const accepted = output.stdout.split("\n").filter((line) => / \(server dry run\)$/.test(line));
    assert.ok(accepted.length >= programObjects.length + 7, `${output.stdout}\nsample: ${sample}`);
    assert.doesNotMatch(output.stderr, /PodSecurity|violate|Warning/i, `${output.stderr}\nsample: ${sample}`);
}
