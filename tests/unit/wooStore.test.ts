/**
 * The WooStore component under Pulumi mocks: exactly which resources each store gets and
 * their key properties. No engine, no cluster.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { createStores, StoreOutputs } from "../../components/program";
import { resolveStore, storeEntrySchema } from "../../components/storeList";
import { WooStore } from "../../components/wooStore";
import { stackConfig } from "../helpers/config";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource inputs are navigated freely in assertions
interface Registered { type: string; name: string; inputs: Record<string, any>; parent?: string; opts?: unknown }
const registered: Registered[] = [];
const MOCK_SECRET_PREFIX = "mock-generated-";

pulumi.runtime.setMocks({
    newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "random:index/randomPassword:RandomPassword") {
            state.result = `${MOCK_SECRET_PREFIX}${args.name}`;
        }
        if (args.type === "random:index/randomBytes:RandomBytes") {
            state.base64 = Array.from({ length: 8 }, (_, index) => `${MOCK_SECRET_PREFIX}salt${index}`.padEnd(64, "=")).join("");
        }
        if (args.type === "kubernetes:batch/v1:Job") {
            state.status = { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] };
        }
        return { id: `${args.name}-id`, state };
    },
    call: (args) => args.inputs,
}, "woostore", "dev", false);

const config = stackConfig("dev");
const entries = [
    { name: "alpha", admin: { email: "a@example.com" } },
    { name: "beta", admin: { email: "b@example.com", user: "boss" }, quota: { cpu: "3", memory: "3Gi" }, woocommerce: { currency: "EUR", country: "DE" } },
    { name: "gamma", admin: { email: "c@example.com" }, host: "shop.gamma.test" },
];
const stores = entries.map((entry) => resolveStore(storeEntrySchema.parse(entry), config));
let outputs: Record<string, StoreOutputs>;

const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply((value) => { resolve(value); return value; }));
const ofStore = (store: string) => registered.filter((resource) => resource.name.startsWith(`${store}-`) || resource.name === store);
const one = (store: string, type: string) => {
    const found = ofStore(store).filter((resource) => resource.type === type);
    assert.equal(found.length, 1, `${store}: one ${type}`);
    return found[0];
};

describe("WooStore component (Pulumi mocks)", () => {
    before(async () => {
        outputs = createStores({ config, stores: stores.map((store) => store) });
        for (const store of Object.values(outputs)) {
            await Promise.all(Object.values(store).map((output) => valueOf(output as pulumi.Output<unknown>)));
        }
        // Let the remaining registrations flush.
        await new Promise((resolve) => setTimeout(resolve, 50));
    });

    it("creates exactly the expected children per store", () => {
        const expectedTypes = [
            "woostore:index:WooStore",
            "kubernetes:core/v1:Namespace",
            "kubernetes:core/v1:ResourceQuota",
            "kubernetes:core/v1:LimitRange",
            ...Array(6).fill("kubernetes:networking.k8s.io/v1:NetworkPolicy"),
            ...Array(3).fill("random:index/randomPassword:RandomPassword"),
            "random:index/randomBytes:RandomBytes",
            "kubernetes:core/v1:Secret",
            "kubernetes:helm.sh/v3:Release",
            "kubernetes:core/v1:ConfigMap",
            "kubernetes:batch/v1:Job",
        ].sort();
        for (const store of stores) {
            assert.deepEqual(ofStore(store.name).map((resource) => resource.type).sort(), expectedTypes, store.name);
        }
    });

    it("labels the namespace for the store and Pod Security", () => {
        const namespace = one("alpha", "kubernetes:core/v1:Namespace").inputs.metadata;
        assert.equal(namespace.name, "store-alpha");
        assert.equal(namespace.labels["woostore.io/store"], "alpha");
        assert.equal(namespace.labels["app.kubernetes.io/managed-by"], "pulumi");
        assert.equal(namespace.labels["pod-security.kubernetes.io/enforce"], "restricted");
    });

    it("sets the quota and LimitRange from defaults and overrides", () => {
        const alpha = one("alpha", "kubernetes:core/v1:ResourceQuota").inputs.spec.hard;
        assert.deepEqual(alpha, {
            "requests.cpu": "2", "limits.cpu": "2", "requests.memory": "2Gi", "limits.memory": "2Gi", "requests.storage": "2Gi",
            pods: "10", persistentvolumeclaims: "4", "services.loadbalancers": "0", "services.nodeports": "0",
        });
        const beta = one("beta", "kubernetes:core/v1:ResourceQuota").inputs.spec.hard;
        assert.equal(beta["limits.cpu"], "3");
        assert.equal(beta["limits.memory"], "3Gi");
        const limits = one("alpha", "kubernetes:core/v1:LimitRange").inputs.spec.limits[0];
        assert.deepEqual(limits.defaultRequest, { cpu: "250m", memory: "256Mi" });
        assert.deepEqual(limits.default, { cpu: "500m", memory: "512Mi" });
        assert.deepEqual(limits.max, { cpu: "1", memory: "1Gi" });
    });

    it("isolates the namespace: default deny plus narrow allows selected by pod labels", () => {
        const policies = ofStore("alpha").filter((resource) => resource.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy");
        const byName = Object.fromEntries(policies.map((policy) => [policy.inputs.metadata.name, policy.inputs.spec]));
        assert.deepEqual(byName["default-deny"], { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        assert.deepEqual(byName["wordpress-ingress"].podSelector, { matchLabels: { "app.kubernetes.io/name": "wordpress" } });
        assert.deepEqual(byName["wordpress-ingress"].ingress[0].from[0].podSelector, { matchLabels: { "app.kubernetes.io/name": "traefik" } });
        assert.deepEqual(byName["mariadb-ingress"].ingress[0].ports, [{ protocol: "TCP", port: 3306 }]);
        assert.deepEqual(byName["setup-egress"].podSelector, { matchLabels: { "app.kubernetes.io/component": "setup" } });
        assert.ok(byName["setup-egress"].egress[2].to[0].ipBlock.except.includes("10.0.0.0/8"));
        assert.equal(policies.every((policy) => policy.inputs.metadata.namespace === "store-alpha"), true);
    });

    it("installs the local chart as a bounded, atomic Helm release named after the store", () => {
        const release = one("beta", "kubernetes:helm.sh/v3:Release").inputs;
        assert.equal(release.name, "beta");
        assert.equal(release.namespace, "store-beta");
        assert.equal(release.chart, "./charts/woostore");
        assert.equal(release.createNamespace, false);
        assert.equal(release.atomic, true);
        assert.equal(release.cleanupOnFail, true);
        assert.equal(release.timeout, 600);
        assert.equal(release.maxHistory, 10);
        assert.equal(release.values.existingSecret, "woostore-credentials");
        assert.equal(release.values.store.host, "beta.localhost");
        assert.equal(release.values.ingress.className, "traefik");
        assert.equal(release.values.storageClass, "local-path");
        assert.equal(one("gamma", "kubernetes:helm.sh/v3:Release").inputs.values.store.host, "shop.gamma.test");
    });

    it("puts no generated secret anywhere in Helm values, Job or ConfigMap inputs", () => {
        for (const resource of registered.filter((r) => r.type !== "kubernetes:core/v1:Secret" && !r.type.startsWith("random:"))) {
            assert.ok(!JSON.stringify(resource.inputs).includes(MOCK_SECRET_PREFIX), `${resource.type} ${resource.name} carries a secret`);
        }
        const secret = one("alpha", "kubernetes:core/v1:Secret").inputs;
        assert.equal(secret.metadata.name, "woostore-credentials");
        // The mock sees the secret wrapper Pulumi sends: the values stay secret on the wire too.
        assert.ok(secret.stringData.value, "stringData is sent as a secret");
        assert.deepEqual(Object.keys(secret.stringData.value).sort(), [
            "auth-key", "auth-salt", "logged-in-key", "logged-in-salt", "mariadb-password", "mariadb-root-password",
            "nonce-key", "nonce-salt", "restic-password", "secure-auth-key", "secure-auth-salt", "wordpress-admin-password",
        ]);
    });

    it("the setup Job runs after the release with the properties issue #4 asks for", () => {
        const job = one("beta", "kubernetes:batch/v1:Job").inputs;
        assert.equal(job.metadata.annotations["pulumi.com/replaceUnready"], "true");
        assert.equal(job.metadata.name, undefined, "autonamed");
        assert.equal(job.spec.backoffLimit, 2);
        assert.equal(job.spec.activeDeadlineSeconds, 900);
        const pod = job.spec.template.spec;
        const container = pod.containers[0];
        assert.equal(container.image, "wordpress:cli-2.12.0-php8.3");
        assert.equal(container.terminationMessagePolicy, "FallbackToLogsOnError");
        assert.equal(pod.securityContext.runAsUser, 33);
        assert.deepEqual(container.resources.limits, { cpu: "500m", memory: "512Mi" });
        const env = Object.fromEntries(container.env.map((variable: { name: string }) => [variable.name, variable]));
        assert.equal(env.HOME.value, "/tmp");
        assert.equal(env.WC_CURRENCY.value, "EUR");
        assert.equal(env.WC_COUNTRY.value, "DE");
        assert.equal(env.WP_ADMIN_USER.value, "boss");
        assert.equal(env.WP_INTERNAL_URL.value, "http://beta-wordpress.store-beta.svc.cluster.local");
        for (const secretVariable of ["WP_ADMIN_PASSWORD", "WORDPRESS_DB_PASSWORD", "WORDPRESS_AUTH_KEY", "WORDPRESS_NONCE_SALT"]) {
            assert.equal(env[secretVariable].value, undefined);
            assert.equal(env[secretVariable].valueFrom.secretKeyRef.name, "woostore-credentials");
        }
        assert.equal(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey, "kubernetes.io/hostname");
        assert.deepEqual(pod.volumes[0].persistentVolumeClaim, { claimName: "beta-wordpress" });
    });

    it("exports URLs, namespace, release and a secret admin password once Ready", async () => {
        const alpha = outputs.alpha;
        assert.equal(await valueOf(alpha.url), "http://alpha.localhost");
        assert.equal(await valueOf(alpha.adminUrl), "http://alpha.localhost/wp-admin/");
        assert.equal(await valueOf(alpha.adminUser), "admin");
        assert.equal(await valueOf(alpha.namespace), "store-alpha");
        assert.equal(await valueOf(alpha.releaseName), "alpha");
        assert.equal(await valueOf(alpha.status), "Ready");
        assert.equal(await valueOf(alpha.adminPassword), `${MOCK_SECRET_PREFIX}alpha-admin-password`);
        assert.equal(await pulumi.isSecret(alpha.adminPassword), true);
    });
});

describe("WooStore outputs before the setup Job completes (Pulumi mocks)", () => {
    it("does not reveal credentials for a store that is not Ready", async () => {
        // A Job without a Complete condition: the store is still Provisioning.
        const store = resolveStore(storeEntrySchema.parse({ name: "delta", admin: { email: "d@example.com" } }), config);
        const original = registered.length;
        pulumi.runtime.setMocks({
            newResource: (args) => ({ id: `${args.name}-id`, state: args.type.startsWith("random:") ? { ...args.inputs, result: "x", base64: "y".repeat(512) } : { ...args.inputs, status: {} } }),
            call: (args) => args.inputs,
        }, "woostore", "dev", false);
        const wooStore = new WooStore("delta", { store, config, setupScript: "#!/bin/bash\n" });
        assert.equal(await valueOf(wooStore.status), "Provisioning");
        assert.equal(await valueOf(wooStore.adminPassword), undefined);
        assert.equal(registered.length, original);
    });
});
