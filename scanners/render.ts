/**
 * Renders everything one stack creates for its stores, as Kubernetes YAML, for outside
 * scanners (checkov, kube-score, kubeconform): the program's objects (Namespace, ResourceQuota,
 * LimitRange, NetworkPolicies, credentials Secret with placeholder values, setup ConfigMap and
 * Job) built by the same pure functions the component uses, and the chart rendered by helm with
 * the program's values.
 *
 * Usage: tsx scanners/render.ts <dev|prod> > manifests.yaml   (needs helm on PATH or $HELM)
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { CREDENTIALS_SECRET_NAME, SECRET_KEYS, SETUP_SCRIPT_CONFIGMAP_NAME, WORDPRESS_SALTS } from "../components/defaults";
import { helmValues, SMTP_PASSWORD_KEY } from "../components/helmValues";
import { storeNames } from "../components/names";
import { readSetupScript, scriptChecksum, SETUP_SCRIPT_KEY, setupJobAnnotations, setupJobSpec } from "../components/setupJob";
import { loadStackConfig, readStackConfigFile, smtpPassword } from "../components/stackConfig";
import { loadStoreList } from "../components/storeList";
import { limitRangeSpec, namespaceLabels, networkPolicySpecs, resourceQuotaSpec, storeLabels } from "../components/tenancy";

const PROJECT_DIR = join(__dirname, "..");
const stack = process.argv[2];
if (stack !== "dev" && stack !== "prod") {
    console.error("usage: tsx scanners/render.ts <dev|prod>");
    process.exit(2);
}
const file = join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
const { raw, text } = readStackConfigFile(file);
const config = loadStackConfig(raw, `Pulumi.${stack}.yaml`, text);
const stores = loadStoreList(join(PROJECT_DIR, config.storeList), config);
const helm = process.env.HELM ?? "helm";
const work = mkdtempSync(join(tmpdir(), "woostore-scan-"));
const documents: string[] = [];

for (const store of stores) {
    const names = storeNames(store.name);
    const labels = storeLabels(store);
    const meta = (name: string) => ({ name, namespace: names.namespace, labels });
    // Placeholders only: the real values come from @pulumi/random and never leave Pulumi's state.
    const secretKeys = [...Object.values(SECRET_KEYS), ...Object.keys(WORDPRESS_SALTS), ...(smtpPassword(config) !== undefined ? [SMTP_PASSWORD_KEY] : [])];
    const script = readSetupScript();
    const objects: object[] = [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: names.namespace, labels: namespaceLabels(store, config) } },
        { apiVersion: "v1", kind: "ResourceQuota", metadata: meta("woostore-quota"), spec: resourceQuotaSpec(store) },
        { apiVersion: "v1", kind: "LimitRange", metadata: meta("woostore-limits"), spec: limitRangeSpec(store) },
        ...networkPolicySpecs({ tlsEnabled: config.tls.enabled, egress: store.egress, smtpPort: config.smtp?.port })
            .map((policy) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta(policy.name), spec: policy.spec })),
        { apiVersion: "v1", kind: "Secret", metadata: meta(CREDENTIALS_SECRET_NAME), type: "Opaque", data: Object.fromEntries(secretKeys.map((key) => [key, ""])) },
        { apiVersion: "v1", kind: "ConfigMap", metadata: meta(SETUP_SCRIPT_CONFIGMAP_NAME), data: { [SETUP_SCRIPT_KEY]: script } },
        { apiVersion: "batch/v1", kind: "Job", metadata: { ...meta(`${names.setupJobPrefix}-0000000`), annotations: setupJobAnnotations(config) }, spec: setupJobSpec(store, config, scriptChecksum(script)) },
    ];
    documents.push(...objects.map((object) => stringify(object)));
    const valuesFile = join(work, `${store.name}.json`);
    writeFileSync(valuesFile, JSON.stringify(helmValues(store, config)));
    documents.push(execFileSync(helm, ["template", names.releaseName, join(PROJECT_DIR, "charts", "woostore"), "--namespace", names.namespace, "-f", valuesFile], { encoding: "utf8", maxBuffer: 64 << 20 }));
}
process.stdout.write(documents.map((document) => `---\n${document.replace(/^---\n/, "")}`).join("\n"));
