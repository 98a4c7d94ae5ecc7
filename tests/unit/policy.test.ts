/**
 * The WooStore policy pack (policy/): for each policy a passing and a violating case, through
 * the pure checks and through the policy's own validateResource/validateStack with constructed
 * args. Props are wrapped in @pulumi/policy's real unknown-checking proxy, as the pack gets them.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import * as policySdk from "@pulumi/policy";
import type {
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { imageRefProblem, tagProblem } from "../../policy/lib/images";
import { get, getString, isUnknown, stackFromUrn, UNKNOWN } from "../../policy/lib/values";
import { PACK_NAME, packArgs, policies } from "../../policy/pack";
import {
    checkStoreNamespaces,
    isDefaultDeny,
    storeNamespaceBaseline,
} from "../../policy/policies/namespaceBaseline";
import { checkServiceExposure, noExternalServices } from "../../policy/policies/noExternalServices";
import {
    isWooStoreChart,
    pinnedImages,
    podSpecImageProblems,
    releaseValuesProblems,
} from "../../policy/policies/pinnedImages";
import { prodProtection, protectionProblem, stackRequiresProtect } from "../../policy/policies/prodProtection";

const ROOT = path.resolve(__dirname, "../..");

// The engine's "unknown string/object" sentinels, as a preview delivers them.
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const UNKNOWN_OBJECT = "dd056dcd-154b-4c76-9bd3-c8f88648b5ff";

/** @pulumi/policy's own proxy (exported at run time, not in its typings). */
const unknownCheckingProxy = (policySdk as unknown as { unknownCheckingProxy: <T extends object>(o: T) => T })
    .unknownCheckingProxy;

const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::woostore::${type}::${name}`;

interface Reported {
    message: string;
    urn?: string;
}

function collector(): { reported: Reported[]; report: ReportViolation } {
    const reported: Reported[] = [];
    return { reported, report: (message: string, u?: string) => reported.push({ message, urn: u }) };
}

const notApplicable = (reason?: string): never => {
    throw new Error(`notApplicable: ${reason}`);
};

function runResource(
    policy: ResourceValidationPolicy,
    r: { type: string; props: object; stack?: string; name?: string; protect?: boolean; config?: object },
): Reported[] {
    const name = r.name ?? "res";
    const args: ResourceValidationArgs = {
        type: r.type,
        props: unknownCheckingProxy(r.props) as Record<string, unknown>,
        urn: urn(r.stack ?? "dev", r.type, name),
        name,
        opts: {
            protect: r.protect ?? false,
            ignoreChanges: [],
            aliases: [],
            additionalSecretOutputs: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => (r.config ?? {}) as T,
        notApplicable,
    };
    const { reported, report } = collector();
    const validations = policy.validateResource;
    for (const v of Array.isArray(validations) ? validations : validations ? [validations] : []) {
        void v(args, report);
    }
    return reported;
}

function stackResource(type: string, name: string, props: object): PolicyResource {
    return {
        type,
        name,
        urn: urn("dev", type, name),
        props: unknownCheckingProxy(props) as Record<string, unknown>,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            additionalSecretOutputs: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        },
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    };
}

function runStack(policy: StackValidationPolicy, resources: PolicyResource[], config: object = {}): Reported[] {
    const args: StackValidationArgs = {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => config as T,
        notApplicable,
    };
    const { reported, report } = collector();
    void policy.validateStack(args, report);
    return reported;
}

// ---- a store namespace and its guards, as the program creates them --------------------------

const NS = "kubernetes:core/v1:Namespace";
const RQ = "kubernetes:core/v1:ResourceQuota";
const LR = "kubernetes:core/v1:LimitRange";
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

function storeNamespace(store: string, labels: Record<string, string> = {}) {
    return stackResource(NS, `store-${store}`, {
        metadata: {
            name: `store-${store}`,
            labels: {
                "woostore.io/store": store,
                "pod-security.kubernetes.io/enforce": "restricted",
                ...labels,
            },
        },
    });
}
const quota = (ns: string) => stackResource(RQ, `${ns}-quota`, { metadata: { name: "quota", namespace: ns }, spec: { hard: { "limits.cpu": "2" } } });
const limits = (ns: string) => stackResource(LR, `${ns}-limits`, { metadata: { name: "limits", namespace: ns }, spec: { limits: [] } });
const DENY_SPEC = { podSelector: {}, policyTypes: ["Ingress", "Egress"] };
const netpol = (ns: string, spec: object = DENY_SPEC, name = "default-deny") =>
    stackResource(NP, `${ns}-${name}`, { metadata: { name, namespace: ns }, spec });
const complete = (store: string) => {
    const ns = `store-${store}`;
    return [storeNamespace(store), quota(ns), limits(ns), netpol(ns)];
};

describe("policy lib: safe reads", () => {
    it("get returns UNKNOWN instead of throwing on the proxy's unknowns", () => {
        const props = unknownCheckingProxy({ metadata: { name: UNKNOWN_STRING, labels: UNKNOWN_OBJECT } });
        assert.throws(() => (props as { metadata: { name: string } }).metadata.name); // the raw proxy throws
        assert.equal(get(props, "metadata", "name"), UNKNOWN);
        assert.equal(get(props, "metadata", "labels", "x"), UNKNOWN);
        assert.equal(getString(props, "metadata", "missing"), undefined);
        assert.ok(isUnknown(UNKNOWN_STRING));
    });
    it("stackFromUrn reads the stack out of a URN", () => {
        assert.equal(stackFromUrn("urn:pulumi:prod::woostore::woostore:index:WooStore::shop"), "prod");
        assert.equal(stackFromUrn("urn:pulumi:dev.eu-1::woostore::kubernetes:core/v1:Namespace::x"), "dev.eu-1");
        assert.equal(stackFromUrn("not-a-urn"), undefined);
    });
});

describe("policy store-namespace-baseline", () => {
    it("passes a store namespace with quota, limits, default-deny and a PSA label", () => {
        assert.deepEqual(runStack(storeNamespaceBaseline, [...complete("shop-a"), ...complete("shop-b")]), []);
    });

    it("reports each missing guard against the namespace's URN", () => {
        const ns = storeNamespace("shop-a");
        const reported = runStack(storeNamespaceBaseline, [ns, ...complete("shop-b")]);
        assert.equal(reported.length, 3, JSON.stringify(reported));
        assert.ok(reported.every((r) => r.urn === ns.urn));
        assert.match(reported[0].message, /^store namespace "store-shop-a" has no ResourceQuota$/);
        assert.ok(reported.some((r) => /LimitRange/.test(r.message)));
        assert.ok(reported.some((r) => /default-deny NetworkPolicy/.test(r.message)));
    });

    it("does not count another namespace's guards", () => {
        const reported = runStack(storeNamespaceBaseline, [storeNamespace("a"), quota("store-b"), limits("store-b"), netpol("store-b")]);
        assert.equal(reported.length, 3);
    });

    it("reports a missing or too-weak pod-security enforce label", () => {
        const missing = stackResource(NS, "store-x", { metadata: { name: "store-x", labels: { "woostore.io/store": "x" } } });
        const privileged = storeNamespace("y", { "pod-security.kubernetes.io/enforce": "privileged" });
        const reported = runStack(storeNamespaceBaseline, [
            missing, quota("store-x"), limits("store-x"), netpol("store-x"),
            privileged, quota("store-y"), limits("store-y"), netpol("store-y"),
        ]);
        assert.equal(reported.length, 2, JSON.stringify(reported));
        assert.match(reported[0].message, /no "pod-security.kubernetes.io\/enforce" label/);
        assert.match(reported[1].message, /enforce=privileged/);
    });

    it("rejects NetworkPolicies that are not default-deny", () => {
        const cases: object[] = [
            { podSelector: {}, policyTypes: ["Ingress"] },
            { podSelector: { matchLabels: { app: "x" } }, policyTypes: ["Ingress", "Egress"] },
            { podSelector: {}, policyTypes: ["Ingress", "Egress"], egress: [{ to: [] }] },
        ];
        for (const spec of cases) {
            const reported = runStack(storeNamespaceBaseline, [storeNamespace("a"), quota("store-a"), limits("store-a"), netpol("store-a", spec, "allow")]);
            assert.equal(reported.length, 1, JSON.stringify(spec));
            assert.match(reported[0].message, /default-deny/);
        }
        assert.equal(isDefaultDeny(DENY_SPEC), true);
        assert.equal(isDefaultDeny({ podSelector: {}, policyTypes: ["Egress", "Ingress"], ingress: [] }), true);
    });

    it("a default-deny next to allow policies is enough", () => {
        const ns = "store-a";
        const allow = netpol(ns, { podSelector: { matchLabels: { "app.kubernetes.io/name": "wordpress" } }, policyTypes: ["Ingress"], ingress: [{}] }, "allow-web");
        assert.deepEqual(runStack(storeNamespaceBaseline, [...complete("a"), allow]), []);
    });

    it("ignores namespaces that are not store namespaces", () => {
        const other = stackResource(NS, "cert-manager", { metadata: { name: "cert-manager", labels: {} } });
        assert.deepEqual(runStack(storeNamespaceBaseline, [other]), []);
    });

    it("treats a store- namespace without the store label as a store namespace, and says so", () => {
        const ns = stackResource(NS, "store-z", { metadata: { name: "store-z", labels: { "pod-security.kubernetes.io/enforce": "baseline" } } });
        const reported = runStack(storeNamespaceBaseline, [ns, quota("store-z"), limits("store-z"), netpol("store-z")]);
        assert.equal(reported.length, 1);
        assert.match(reported[0].message, /no "woostore.io\/store" label/);
    });

    it("previews: unknown names and namespaces never cause a violation (nor a throw)", () => {
        const unknownNs = stackResource(NS, "store-u", { metadata: { name: UNKNOWN_STRING, labels: { "woostore.io/store": "u" } } });
        const known = storeNamespace("k");
        const guards = [
            stackResource(RQ, "q", { metadata: { namespace: UNKNOWN_STRING } }),
            stackResource(LR, "l", { metadata: { namespace: UNKNOWN_STRING } }),
            stackResource(NP, "n", { metadata: { namespace: UNKNOWN_STRING }, spec: UNKNOWN_OBJECT }),
        ];
        assert.deepEqual(runStack(storeNamespaceBaseline, [unknownNs, known, ...guards]), []);
        // With no guard of a kind at all, the known namespace is still reported.
        const reported = runStack(storeNamespaceBaseline, [unknownNs, known, guards[0], guards[1]]);
        assert.equal(reported.length, 1);
        assert.match(reported[0].message, /NetworkPolicy/);
    });

    it("the pure check takes the allowed PSA levels from config", () => {
        const v = checkStoreNamespaces(
            [{ urn: "u", name: "store-a", labelKeys: ["woostore.io/store", "pod-security.kubernetes.io/enforce"], podSecurityEnforce: "baseline" }],
            [
                { urn: "q", kind: "ResourceQuota", namespace: "store-a" },
                { urn: "l", kind: "LimitRange", namespace: "store-a" },
                { urn: "n", kind: "NetworkPolicy", namespace: "store-a", defaultDeny: true },
            ],
            { allowedPodSecurityLevels: ["restricted"] },
        );
        assert.equal(v.length, 1);
        assert.match(v[0].message, /allowed: restricted/);
    });
});

describe("policy no-external-services-in-store-namespaces", () => {
    const svc = (namespace: string, type?: string) => ({
        metadata: { name: "web", namespace },
        spec: { ...(type ? { type } : {}), ports: [{ port: 80 }] },
    });
    it("passes ClusterIP (explicit or default) in a store namespace", () => {
        assert.deepEqual(runResource(noExternalServices, { type: "kubernetes:core/v1:Service", props: svc("store-a", "ClusterIP") }), []);
        assert.deepEqual(runResource(noExternalServices, { type: "kubernetes:core/v1:Service", props: svc("store-a") }), []);
    });
    it("reports LoadBalancer and NodePort in a store namespace", () => {
        for (const t of ["LoadBalancer", "NodePort"]) {
            const reported = runResource(noExternalServices, { type: "kubernetes:core/v1:Service", props: svc("store-a", t) });
            assert.equal(reported.length, 1);
            assert.match(reported[0].message, new RegExp(`store namespace "store-a" has type ${t}`));
        }
    });
    it("allows a LoadBalancer outside store namespaces, and fails closed on an unknown namespace", () => {
        assert.equal(checkServiceExposure({ name: "traefik", namespace: "kube-system", serviceType: "LoadBalancer" }), undefined);
        assert.match(checkServiceExposure({ name: "x", namespace: UNKNOWN, serviceType: "NodePort" }) ?? "", /not known yet/);
        assert.equal(runResource(noExternalServices, { type: "kubernetes:core/v1:Service", props: svc(UNKNOWN_STRING, "NodePort") }).length, 1);
    });
    it("ignores other resource types", () => {
        assert.deepEqual(runResource(noExternalServices, { type: "kubernetes:core/v1:ConfigMap", props: { spec: { type: "LoadBalancer" } } }), []);
    });
});

describe("policy images-pinned", () => {
    it("imageRefProblem: tags, digests, registries with ports", () => {
        assert.equal(imageRefProblem("wordpress:6.8.3-php8.3-apache"), undefined);
        assert.equal(imageRefProblem("registry.local:5000/team/mariadb:11.8.3"), undefined);
        assert.equal(imageRefProblem(`mariadb@sha256:${"a".repeat(64)}`), undefined);
        assert.equal(imageRefProblem(`mariadb:latest@sha256:${"b".repeat(64)}`), undefined);
        assert.match(imageRefProblem("wordpress") ?? "", /untagged/);
        assert.match(imageRefProblem("registry.local:5000/wordpress") ?? "", /untagged/);
        assert.match(imageRefProblem("wordpress:latest") ?? "", /:latest/);
        assert.match(imageRefProblem("wordpress:LATEST") ?? "", /:latest/);
        assert.match(imageRefProblem("mariadb@sha256:zz") ?? "", /malformed digest/);
        assert.match(tagProblem("") ?? "", /empty/);
        assert.equal(tagProblem(`11.8.3@sha256:${"c".repeat(64)}`), undefined);
    });

    const deployment = (image: string) => ({
        metadata: { namespace: "store-a" },
        spec: { template: { spec: { containers: [{ name: "web", image }] } } },
    });
    it("passes pinned images in a Deployment, Job (with init containers) and CronJob", () => {
        assert.deepEqual(runResource(pinnedImages, { type: "kubernetes:apps/v1:Deployment", props: deployment("wordpress:6.8.3-php8.3-apache") }), []);
        const job = { spec: { template: { spec: { initContainers: [{ name: "wait", image: "busybox:1.37.0" }], containers: [{ name: "wp", image: "wordpress:cli-2.12.0" }] } } } };
        assert.deepEqual(runResource(pinnedImages, { type: "kubernetes:batch/v1:Job", props: job }), []);
        const cron = { spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: "c", image: "busybox:1.37.0" }] } } } } } };
        assert.deepEqual(runResource(pinnedImages, { type: "kubernetes:batch/v1:CronJob", props: cron }), []);
    });
    it("reports :latest and untagged images in Pods, Deployments, StatefulSets and Jobs", () => {
        assert.equal(runResource(pinnedImages, { type: "kubernetes:apps/v1:Deployment", props: deployment("wordpress:latest") }).length, 1);
        assert.equal(runResource(pinnedImages, { type: "kubernetes:apps/v1:StatefulSet", props: deployment("mariadb") }).length, 1);
        const pod = { spec: { containers: [{ name: "a", image: "nginx" }, { name: "b", image: "nginx:1.27" }] } };
        const reported = runResource(pinnedImages, { type: "kubernetes:core/v1:Pod", props: pod });
        assert.equal(reported.length, 1);
        assert.match(reported[0].message, /container "a": image "nginx" is untagged/);
        const job = { spec: { template: { spec: { initContainers: [{ name: "i", image: "busybox:latest" }], containers: [{ name: "c", image: "busybox:1.37.0" }] } } } };
        assert.equal(runResource(pinnedImages, { type: "kubernetes:batch/v1:Job", props: job }).length, 1);
    });
    it("does not judge an image that is unknown during preview", () => {
        assert.deepEqual(podSpecImageProblems(unknownCheckingProxy({ containers: [{ name: "x", image: UNKNOWN_STRING }] })), []);
        assert.deepEqual(runResource(pinnedImages, { type: "kubernetes:apps/v1:Deployment", props: deployment(UNKNOWN_STRING) }), []);
    });

    const release = (wpTag: unknown, dbTag: unknown, chart = "./charts/woostore") => ({
        chart,
        namespace: "store-a",
        values: {
            wordpress: { image: { repository: "wordpress", ...(wpTag === undefined ? {} : { tag: wpTag }) } },
            mariadb: { image: { repository: "mariadb", ...(dbTag === undefined ? {} : { tag: dbTag }) } },
        },
    });
    const RELEASE = "kubernetes:helm.sh/v3:Release";
    it("passes a WooStore Release whose values pin both image tags", () => {
        assert.deepEqual(runResource(pinnedImages, { type: RELEASE, props: release("6.8.3-php8.3-apache", "11.8.3") }), []);
        assert.deepEqual(runResource(pinnedImages, { type: RELEASE, props: release(`6.8.3@sha256:${"d".repeat(64)}`, "11.8.3") }), []);
    });
    it("reports latest, empty or missing tags in a WooStore Release's values", () => {
        const latest = runResource(pinnedImages, { type: RELEASE, props: release("latest", "11.8.3") });
        assert.equal(latest.length, 1);
        assert.match(latest[0].message, /^Helm release: values\.wordpress\.image\.tag "latest" uses :latest/);
        assert.equal(runResource(pinnedImages, { type: RELEASE, props: release("6.8.3", "") }).length, 1);
        const missing = runResource(pinnedImages, { type: RELEASE, props: release(undefined, undefined) });
        assert.equal(missing.length, 2);
        assert.match(missing[0].message, /is not set; set it explicitly/);
    });
    it("for other charts checks only the tags that are present", () => {
        assert.deepEqual(releaseValuesProblems({ controller: {} }, ["wordpress", "mariadb"], false), []);
        assert.equal(releaseValuesProblems({ wordpress: { image: { tag: "latest" } } }, ["wordpress", "mariadb"], false).length, 1);
        assert.ok(isWooStoreChart("/home/ci/work/charts/woostore"));
        assert.ok(isWooStoreChart("charts/woostore/"));
        assert.ok(!isWooStoreChart("cert-manager"));
        assert.deepEqual(runResource(pinnedImages, { type: RELEASE, props: { chart: "traefik", values: {} } }), []);
    });
    it("does not judge Release values that are unknown during preview", () => {
        assert.deepEqual(runResource(pinnedImages, { type: RELEASE, props: { chart: "./charts/woostore", values: UNKNOWN_OBJECT } }), []);
        assert.deepEqual(runResource(pinnedImages, { type: RELEASE, props: release(UNKNOWN_STRING, "11.8.3") }), []);
    });
});

describe("policy prod-resources-protected", () => {
    const COMPONENT = "woostore:index:WooStore";
    it("passes protected stores and namespaces in prod", () => {
        assert.deepEqual(runResource(prodProtection, { type: COMPONENT, stack: "prod", protect: true, props: {} }), []);
        assert.deepEqual(runResource(prodProtection, { type: NS, stack: "prod", protect: true, props: {} }), []);
    });
    it("reports an unprotected WooStore component or Namespace in prod", () => {
        const c = runResource(prodProtection, { type: COMPONENT, stack: "prod", name: "shop-a", props: {} });
        assert.equal(c.length, 1);
        assert.match(c[0].message, /woostore:index:WooStore "shop-a" must be protected in stack "prod"/);
        assert.equal(runResource(prodProtection, { type: NS, stack: "prod", props: {} }).length, 1);
    });
    it("does not require protection in dev, nor for other types in prod", () => {
        assert.deepEqual(runResource(prodProtection, { type: COMPONENT, stack: "dev", props: {} }), []);
        assert.deepEqual(runResource(prodProtection, { type: "kubernetes:batch/v1:Job", stack: "prod", props: {} }), []);
    });
    it("config: requireProtect forces it on any stack; protectedStacks renames prod", () => {
        assert.equal(runResource(prodProtection, { type: COMPONENT, stack: "production-eu", config: { requireProtect: true }, props: {} }).length, 1);
        assert.ok(stackRequiresProtect(urn("live", COMPONENT, "x"), { protectedStacks: ["live"] }));
        assert.ok(!stackRequiresProtect(urn("prod", COMPONENT, "x"), { protectedStacks: ["live"] }));
        // Per-store stacks (woostore:stackLayout perStore) count as their base stack.
        assert.ok(stackRequiresProtect(urn("prod.bakery", COMPONENT, "bakery")));
        assert.ok(!stackRequiresProtect(urn("dev.bakery", COMPONENT, "bakery")));
        assert.ok(!stackRequiresProtect(urn("production", COMPONENT, "x")));
        assert.equal(protectionProblem({ type: COMPONENT, urn: urn("prod", COMPONENT, "x"), name: "x", protect: undefined }), runResource(prodProtection, { type: COMPONENT, stack: "prod", name: "x", props: {} })[0].message);
    });
});

describe("policy pack wiring", () => {
    it("declares four mandatory policies with unique names", () => {
        assert.equal(PACK_NAME, "woostore-guardrails");
        assert.equal(packArgs.enforcementLevel, "mandatory");
        const names = policies.map((p) => p.name);
        assert.equal(new Set(names).size, names.length);
        assert.deepEqual(names.sort(), ["images-pinned", "no-external-services-in-store-namespaces", "prod-resources-protected", "store-namespace-baseline"]);
        for (const p of policies) assert.equal(p.enforcementLevel, "mandatory", p.name);
        assert.ok("validateStack" in storeNamespaceBaseline);
    });
    it("index.ts constructs the PolicyPack named woostore-guardrails", () => {
        const src = fs.readFileSync(path.join(ROOT, "policy/index.ts"), "utf8");
        assert.match(src, /new PolicyPack\(PACK_NAME, packArgs\)/);
    });
    it("is a runnable nodejs policy project with pinned dependencies", () => {
        assert.match(fs.readFileSync(path.join(ROOT, "policy/PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/package.json"), "utf8")) as {
            version?: string;
            dependencies: Record<string, string>;
        };
        assert.ok(pkg.version, "PolicyPack reads its version from policy/package.json");
        assert.equal(pkg.dependencies["@pulumi/policy"], "1.21.0");
        assert.equal(pkg.dependencies["@pulumi/pulumi"], "3.276.0");
        const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/package-lock.json"), "utf8")) as {
            packages: Record<string, { version?: string }>;
        };
        assert.equal(lock.packages["node_modules/@pulumi/policy"]?.version, "1.21.0");
        assert.equal(lock.packages["node_modules/@pulumi/pulumi"]?.version, "3.276.0");
    });
    it("the prod policy config names real policies and options", () => {
        const config = JSON.parse(fs.readFileSync(path.join(ROOT, "policy/config/prod.json"), "utf8")) as Record<string, Record<string, unknown>>;
        for (const [policyName, options] of Object.entries(config)) {
            const p = policies.find((x) => x.name === policyName);
            assert.ok(p, `unknown policy ${policyName}`);
            for (const key of Object.keys(options)) {
                if (key === "enforcementLevel") continue;
                assert.ok(p.configSchema?.properties[key], `${policyName} has no config option ${key}`);
            }
        }
        assert.equal(config["prod-resources-protected"]?.requireProtect, true);
    });
});
