/**
 * The policy pack as the Pulumi CLI runs it: policy/index.ts started by @pulumi/pulumi's own
 * `run-policy-pack` (ts-node, type-checked, cwd policy/), then driven over its gRPC analyzer
 * protocol exactly as the engine does: GetAnalyzerInfo, Configure, Analyze (per resource, before
 * it is created) and AnalyzeStack (all resources, after a preview or update). Needs no Pulumi CLI
 * and no cluster; the CLI-and-cluster run (`pulumi up --policy-pack policy`) is the testbed's.
 */
import { strict as assert } from "node:assert";
import { ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as pb from "@pulumi/pulumi/proto/analyzer_pb";

const ROOT = path.resolve(__dirname, "../..");
const POLICY_DIR = path.join(ROOT, "policy");
// The same module copies the generated stubs use.
const pulumiRequire = createRequire(require.resolve("@pulumi/pulumi/package.json"));
const grpc = pulumiRequire("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const { Struct } = pulumiRequire("google-protobuf/google/protobuf/struct_pb") as {
    Struct: { fromJavaScript(o: Record<string, unknown>): import("google-protobuf/google/protobuf/struct_pb").Struct };
};
const { Empty } = pulumiRequire("google-protobuf/google/protobuf/empty_pb") as {
    Empty: new () => import("google-protobuf/google/protobuf/empty_pb").Empty;
};
const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");

const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

let child: ChildProcess | undefined;
let client: analyzerGrpc.AnalyzerClient;
let stderr = "";

function call<Req, Res>(method: (req: Req, cb: (err: Error | null, res: Res) => void) => unknown, req: Req): Promise<Res> {
    return new Promise((resolve, reject) => {
        method.call(client, req, (err: Error | null, res: Res) => (err ? reject(err) : resolve(res)));
    });
}

const urn = (stack: string, type: string, name: string) => `urn:pulumi:${stack}::woostore::${type}::${name}`;

function options(protect = false): pb.AnalyzerResourceOptions {
    const o = new pb.AnalyzerResourceOptions();
    o.setProtect(protect);
    o.setCustomtimeouts(new pb.AnalyzerResourceOptions.CustomTimeouts());
    return o;
}

function analyzeRequest(type: string, name: string, props: Record<string, unknown>, stack = "dev", protect = false) {
    const req = new pb.AnalyzeRequest();
    req.setType(type);
    req.setName(name);
    req.setUrn(urn(stack, type, name));
    req.setProperties(Struct.fromJavaScript(props));
    req.setOptions(options(protect));
    return req;
}

function stackResource(type: string, name: string, props: Record<string, unknown>) {
    const r = new pb.AnalyzerResource();
    r.setType(type);
    r.setName(name);
    r.setUrn(urn("dev", type, name));
    r.setProperties(Struct.fromJavaScript(props));
    r.setOptions(options());
    return r;
}

async function analyze(req: pb.AnalyzeRequest) {
    const res = await call<pb.AnalyzeRequest, pb.AnalyzeResponse>(client.analyze, req);
    return res.getDiagnosticsList();
}

async function analyzeStack(resources: pb.AnalyzerResource[]) {
    const req = new pb.AnalyzeStackRequest();
    req.setResourcesList(resources);
    const res = await call<pb.AnalyzeStackRequest, pb.AnalyzeResponse>(client.analyzeStack, req);
    return res.getDiagnosticsList();
}

const NS = "kubernetes:core/v1:Namespace";
const storeNs = (store: string) =>
    stackResource(NS, `store-${store}`, {
        metadata: { name: `store-${store}`, labels: { "woostore.io/store": store, "pod-security.kubernetes.io/enforce": "restricted" } },
    });
const guard = (type: string, ns: string, name: string, spec: Record<string, unknown> = {}) =>
    stackResource(type, `${ns}-${name}`, { metadata: { name, namespace: ns }, spec });

describe("policy pack over the analyzer protocol", { timeout: 120_000 }, () => {
    before(async () => {
        child = spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", "."], {
            cwd: POLICY_DIR,
            stdio: ["ignore", "pipe", "pipe"],
        });
        child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            const timer = setTimeout(() => reject(new Error(`policy pack did not start in 90 s:\n${stderr}`)), 90_000);
            child?.stdout?.on("data", (d: Buffer) => {
                out += d.toString();
                const m = /^(\d+)\s*$/m.exec(out);
                if (m) {
                    clearTimeout(timer);
                    resolve(Number(m[1]));
                }
            });
            child?.on("exit", (code) => {
                clearTimeout(timer);
                reject(new Error(`policy pack exited with ${code} before serving:\n${out}\n${stderr}`));
            });
        });
        client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    });

    after(() => {
        client?.close();
        child?.kill();
    });

    it("serves woostore-guardrails with its four mandatory policies and version", async () => {
        const info = await call<import("google-protobuf/google/protobuf/empty_pb").Empty, pb.AnalyzerInfo>(client.getAnalyzerInfo, new Empty());
        assert.equal(info.getName(), "woostore-guardrails");
        assert.equal(info.getVersion(), "0.1.0");
        const policies = info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()]);
        assert.deepEqual(policies.sort(), [
            ["images-pinned", pb.EnforcementLevel.MANDATORY],
            ["no-external-services-in-store-namespaces", pb.EnforcementLevel.MANDATORY],
            ["prod-resources-protected", pb.EnforcementLevel.MANDATORY],
            ["store-namespace-baseline", pb.EnforcementLevel.MANDATORY],
        ]);
    });

    it("Analyze: a LoadBalancer Service in a store namespace is a mandatory violation", async () => {
        const bad = await analyze(analyzeRequest("kubernetes:core/v1:Service", "web", { metadata: { name: "web", namespace: "store-a" }, spec: { type: "LoadBalancer" } }));
        assert.equal(bad.length, 1);
        assert.equal(bad[0].getPolicyname(), "no-external-services-in-store-namespaces");
        assert.equal(bad[0].getEnforcementlevel(), pb.EnforcementLevel.MANDATORY);
        const ok = await analyze(analyzeRequest("kubernetes:core/v1:Service", "web", { metadata: { name: "web", namespace: "store-a" }, spec: { type: "ClusterIP" } }));
        assert.equal(ok.length, 0);
    });

    it("Analyze: Release values with a :latest image tag are a violation, pinned ones are not", async () => {
        const values = (tag: string) => ({ chart: "./charts/woostore", values: { wordpress: { image: { repository: "wordpress", tag } }, mariadb: { image: { repository: "mariadb", tag: "11.8.3" } }, cron: { image: { repository: "wordpress", tag: "cli-2.12.0-php8.3" } } } });
        const bad = await analyze(analyzeRequest("kubernetes:helm.sh/v3:Release", "shop", values("latest")));
        assert.deepEqual(bad.map((d) => d.getPolicyname()), ["images-pinned"]);
        assert.equal((await analyze(analyzeRequest("kubernetes:helm.sh/v3:Release", "shop", values("6.8.3-php8.3-apache")))).length, 0);
    });

    it("Analyze: an unknown image during preview is not judged (and does not error)", async () => {
        const d = await analyze(analyzeRequest("kubernetes:apps/v1:Deployment", "web", { spec: { template: { spec: { containers: [{ name: "w", image: UNKNOWN_STRING }] } } } }));
        assert.deepEqual(d.map((x) => x.getMessage()), []);
    });

    it("Analyze: prod requires protect on WooStore components, dev does not", async () => {
        const T = "woostore:index:WooStore";
        const bad = await analyze(analyzeRequest(T, "shop", {}, "prod", false));
        assert.deepEqual(bad.map((d) => d.getPolicyname()), ["prod-resources-protected"]);
        assert.equal((await analyze(analyzeRequest(T, "shop", {}, "prod", true))).length, 0);
        assert.equal((await analyze(analyzeRequest(T, "shop", {}, "dev", false))).length, 0);
    });

    it("AnalyzeStack: a store namespace without LimitRange and default-deny is reported against it", async () => {
        const ns = storeNs("a");
        const d = await analyzeStack([ns, guard("kubernetes:core/v1:ResourceQuota", "store-a", "quota")]);
        assert.equal(d.length, 2, d.map((x) => x.getMessage()).join("\n"));
        for (const x of d) {
            assert.equal(x.getPolicyname(), "store-namespace-baseline");
            assert.equal(x.getUrn(), ns.getUrn());
            assert.equal(x.getEnforcementlevel(), pb.EnforcementLevel.MANDATORY);
        }
    });

    it("AnalyzeStack: a complete store passes; unknown namespaces in a preview do not disable the check", async () => {
        const full = [
            storeNs("a"),
            guard("kubernetes:core/v1:ResourceQuota", "store-a", "quota"),
            guard("kubernetes:core/v1:LimitRange", "store-a", "limits"),
            guard("kubernetes:networking.k8s.io/v1:NetworkPolicy", "store-a", "default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        ];
        assert.deepEqual((await analyzeStack(full)).map((x) => x.getMessage()), []);
        const preview = [
            ...full,
            storeNs("b"),
            guard("kubernetes:core/v1:ResourceQuota", UNKNOWN_STRING, "quota-b"),
        ];
        const d = await analyzeStack(preview);
        // store-b: its quota may be the unknown-namespace one (no report); LimitRange and
        // default-deny are known to be missing (reported) — and nothing is "advisory: can't run".
        assert.deepEqual(d.map((x) => x.getEnforcementlevel()), [pb.EnforcementLevel.MANDATORY, pb.EnforcementLevel.MANDATORY]);
        assert.ok(d.every((x) => /store-b/.test(x.getMessage())));
    });

    it("Configure: requireProtect from policy/config/prod.json forces protection on any stack", async () => {
        const req = new pb.ConfigureAnalyzerRequest();
        const cfg = new pb.PolicyConfig();
        cfg.setEnforcementlevel(pb.EnforcementLevel.MANDATORY);
        cfg.setProperties(Struct.fromJavaScript({ requireProtect: true }));
        req.getPolicyconfigMap().set("prod-resources-protected", cfg);
        await call<pb.ConfigureAnalyzerRequest, unknown>(client.configure, req);
        const d = await analyze(analyzeRequest("kubernetes:core/v1:Namespace", "store-a", { metadata: { name: "store-a" } }, "production-eu", false));
        assert.deepEqual(d.map((x) => x.getPolicyname()), ["prod-resources-protected"]);
    });
});
