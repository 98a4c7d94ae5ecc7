import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { helmValues, splitImage } from "../../components/helmValues";
import { resolveStore, storeEntrySchema } from "../../components/storeList";
import { limitRangeSpec, namespaceLabels, networkPolicySpecs, resourceQuotaSpec } from "../../components/tenancy";
import { stackConfig } from "../helpers/config";

const entry = storeEntrySchema.parse({ name: "shop", admin: { email: "a@example.com" } });

describe("tenancy specs (pure)", () => {
    it("dev: six policies, no ACME solver rule", () => {
        const names = networkPolicySpecs({ tlsEnabled: false, egress: "none" }).map((policy) => policy.name);
        assert.deepEqual(names, ["default-deny", "allow-dns-egress", "wordpress-ingress", "wordpress-egress-mariadb", "mariadb-ingress", "setup-egress"]);
    });
    it("prod with TLS: Traefik may reach cert-manager's HTTP-01 solver on 8089", () => {
        const solver = networkPolicySpecs({ tlsEnabled: true, egress: "web" }).find((policy) => policy.name === "acme-http01-solver-ingress");
        assert.ok(solver);
        assert.deepEqual(solver.spec.podSelector, { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } });
        assert.deepEqual((solver.spec.ingress as { ports: unknown }[])[0].ports, [{ protocol: "TCP", port: 8089 }]);
    });
    it("prod quota and limits come from the prod stack config", () => {
        const store = resolveStore(entry, stackConfig("prod"));
        assert.equal(resourceQuotaSpec(store).hard["limits.cpu"], "4");
        assert.equal(resourceQuotaSpec(store).hard["requests.storage"], "10Gi");
        assert.deepEqual(limitRangeSpec(store).limits[0].default, { cpu: "1", memory: "1Gi", "ephemeral-storage": "256Mi" });
    });
    it("namespace enforces the configured Pod Security level and audits restricted", () => {
        const labels = namespaceLabels(resolveStore(entry, stackConfig("dev")), { ...stackConfig("dev"), podSecurity: "baseline" });
        assert.equal(labels["pod-security.kubernetes.io/enforce"], "baseline");
        assert.equal(labels["pod-security.kubernetes.io/audit"], "restricted");
    });
});

describe("Helm values (pure)", () => {
    it("splits image references, keeping digests", () => {
        assert.deepEqual(splitImage("mariadb:11.8.3"), { repository: "mariadb", tag: "11.8.3", digest: "", pullPolicy: "IfNotPresent" });
        assert.deepEqual(splitImage("registry.local:5000/wp:6.8@sha256:" + "a".repeat(64)), { repository: "registry.local:5000/wp", tag: "6.8", digest: `sha256:${"a".repeat(64)}`, pullPolicy: "IfNotPresent" });
    });
    it("prod values turn on TLS with the cluster issuer and an https scheme", () => {
        const values = helmValues(resolveStore(entry, stackConfig("prod")), stackConfig("prod"));
        assert.equal(values.store.scheme, "https");
        assert.equal(values.store.host, "shop.store.example.com");
        assert.deepEqual(values.ingress.tls, { enabled: true, clusterIssuer: "letsencrypt-prod", secretName: "shop-tls", httpRedirect: true });
        assert.equal(values.wordpress.persistence.size, "4Gi");
    });
    it("values name the credentials Secret and carry no credential", () => {
        const values = helmValues(resolveStore(entry, stackConfig("dev")), stackConfig("dev"));
        assert.equal(values.existingSecret, "woostore-credentials");
        assert.doesNotMatch(JSON.stringify(values), /password"\s*:|salt"\s*:|key"\s*:/i);
    });
});
