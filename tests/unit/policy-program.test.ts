/**
 * The real program against the policy pack, without a cluster: every store of the real
 * stores.yaml is created with the prod stack config under Pulumi mocks, the registered
 * resources (inputs, protect flag, URN) are captured from the mock monitor, and each policy
 * runs on them as the engine would run it (resource policies on inputs before each step, the
 * stack policy on the final states). The real program must pass; deliberately violating
 * variants (an unprotected prod store with :latest images, a store missing its default-deny)
 * must fail. The same with the Pulumi CLI is the testbed's job: `pulumi up --policy-pack policy`.
 */
import { strict as assert } from "node:assert";
import * as path from "node:path";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import * as policySdk from "@pulumi/policy";
import type { PolicyResource, ResourceValidationArgs, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { createStores, StoreOutputs } from "../../components/program";
import { loadStoreList, resolveStore, storeEntrySchema } from "../../components/storeList";
import { policies } from "../../policy/pack";
import { stackConfig, PROJECT_DIR } from "../helpers/config";

interface Captured {
    type: string;
    name: string;
    urn: string;
    parent: string;
    protect: boolean;
    inputs: Record<string, unknown>;
    state: Record<string, unknown>;
}
const captured: Captured[] = [];

const unknownCheckingProxy = (policySdk as unknown as { unknownCheckingProxy: <T extends object>(o: T) => T }).unknownCheckingProxy;

type RegisterReq = { getProtect(): boolean; getParent(): string; getType(): string; getName(): string };
type RegisterRes = { getUrn(): string };
type Monitor = { registerResource(req: RegisterReq, cb: (err: Error | null, res?: RegisterRes) => void): void };

const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply((v) => { resolve(v); return v; }));

function options(protect: boolean) {
    return {
        protect,
        ignoreChanges: [],
        aliases: [],
        additionalSecretOutputs: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    };
}

function runResourcePolicies(resources: Captured[]): { policy: string; urn: string; message: string }[] {
    const out: { policy: string; urn: string; message: string }[] = [];
    for (const p of policies.filter((x): x is ResourceValidationPolicy => "validateResource" in x)) {
        for (const r of resources) {
            const args: ResourceValidationArgs = {
                type: r.type,
                props: unknownCheckingProxy(r.inputs),
                urn: r.urn,
                name: r.name,
                opts: options(r.protect),
                stackTags: new Map(),
                isType: () => false,
                asType: () => undefined,
                getConfig: <T extends object>() => ({}) as T,
                notApplicable: () => { throw new Error("notApplicable"); },
            };
            const vs = Array.isArray(p.validateResource) ? p.validateResource : p.validateResource ? [p.validateResource] : [];
            for (const v of vs) void v(args, (message) => out.push({ policy: p.name, urn: r.urn, message }));
        }
    }
    return out;
}

function runStackPolicies(resources: Captured[]): { policy: string; urn?: string; message: string }[] {
    const out: { policy: string; urn?: string; message: string }[] = [];
    const stack: PolicyResource[] = resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: unknownCheckingProxy(r.state),
        opts: options(r.protect),
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
    }));
    for (const p of policies.filter((x): x is StackValidationPolicy => "validateStack" in x)) {
        void p.validateStack(
            { resources: stack, stackTags: new Map(), getConfig: <T extends object>() => ({}) as T, notApplicable: () => { throw new Error("notApplicable"); } },
            (message, urn) => out.push({ policy: p.name, urn, message }),
        );
    }
    return out;
}

/** The resources of one store: its component and everything below it. */
function ofStore(store: string): Captured[] {
    const root = captured.find((r) => r.type === "woostore:index:WooStore" && r.name === store);
    assert.ok(root, `store ${store} was registered`);
    const urns = new Set([root.urn]);
    let grew = true;
    while (grew) {
        grew = false;
        for (const r of captured) {
            if (!urns.has(r.urn) && urns.has(r.parent)) {
                urns.add(r.urn);
                grew = true;
            }
        }
    }
    return captured.filter((r) => urns.has(r.urn));
}

const config = stackConfig("prod");
const realStores = loadStoreList(path.join(PROJECT_DIR, config.storeList), config, config.storeList);

describe("the real program (prod config, mocks) against the policy pack", () => {
    before(async () => {
        await pulumi.runtime.setMocks({
            newResource(args) {
                const state: Record<string, unknown> = { ...args.inputs };
                // Outputs only the random provider computes.
                if (args.type.startsWith("random:")) state.result = `mock-${args.name}`;
                if (args.type === "random:index/randomBytes:RandomBytes") {
                    const bytes = Buffer.alloc(Number(args.inputs.length ?? 32), 7);
                    state.base64 = bytes.toString("base64");
                    state.hex = bytes.toString("hex");
                }
                if (args.type === "kubernetes:batch/v1:Job") state.status = { succeeded: 1 };
                const record = { type: args.type, name: args.name, urn: "", parent: "", protect: false, inputs: args.inputs, state };
                pending.set(`${args.type}::${args.name}`, record);
                return { id: `${args.name}-id`, state };
            },
            call: (args) => args.inputs,
        }, "woostore", "prod", false);
        // The mocks API does not pass `protect`, the monitor's request does: wrap it.
        const pending = new Map<string, Captured>();
        const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req, cb) => {
            register(req, (err, res) => {
                const rec = pending.get(`${req.getType()}::${req.getName()}`);
                if (rec && res) {
                    rec.urn = res.getUrn();
                    rec.parent = req.getParent();
                    rec.protect = req.getProtect();
                    captured.push(rec);
                }
                cb(err, res);
            });
        };

        // Deliberately violating stores next to the real ones: unprotected in prod with
        // :latest images, and one whose default-deny NetworkPolicy is dropped below.
        const badConfig = { ...config, images: { ...config.images, wordpress: "wordpress:latest", mariadb: "mariadb" } };
        const evil = resolveStore(storeEntrySchema.parse({ name: "evil", admin: { email: "e@example.com" }, protect: false }), badConfig);
        const open = resolveStore(storeEntrySchema.parse({ name: "open", admin: { email: "o@example.com" } }), config);
        const outputs: Record<string, StoreOutputs> = {
            ...createStores({ config, stores: realStores }),
            ...createStores({ config: badConfig, stores: [evil] }),
            ...createStores({ config, stores: [open] }),
        };
        for (const store of Object.values(outputs)) {
            await Promise.all(Object.values(store).map((o) => valueOf(o as pulumi.Output<unknown>)));
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
    });

    it("captures the real stores with their URNs in stack prod", () => {
        assert.ok(realStores.length >= 1);
        for (const s of realStores) {
            const res = ofStore(s.name);
            assert.ok(res.length > 10, `${s.name}: ${res.length} resources`);
            assert.ok(res.every((r) => r.urn.startsWith("urn:pulumi:prod::woostore::")));
        }
    });

    it("the real stores pass every resource policy (protect, images, Services)", () => {
        for (const s of realStores) {
            const protectedTypes = ofStore(s.name).filter((r) => r.protect).map((r) => r.type);
            assert.ok(protectedTypes.includes("woostore:index:WooStore") && protectedTypes.includes("kubernetes:core/v1:Namespace"), s.name);
            assert.deepEqual(runResourcePolicies(ofStore(s.name)), [], s.name);
        }
    });

    it("the real stores pass the stack policy (quota, limits, default-deny, PSA label)", () => {
        const all = realStores.flatMap((s) => ofStore(s.name));
        assert.deepEqual(runStackPolicies(all), []);
    });

    it("an unprotected prod store with unpinned images fails", () => {
        const v = runResourcePolicies(ofStore("evil"));
        const byPolicy = (name: string) => v.filter((x) => x.policy === name);
        assert.ok(byPolicy("prod-resources-protected").some((x) => /WooStore "evil" must be protected/.test(x.message)), JSON.stringify(v));
        assert.ok(byPolicy("prod-resources-protected").some((x) => /Namespace/.test(x.message)));
        assert.ok(byPolicy("images-pinned").some((x) => /wordpress\.image\.tag "latest"/.test(x.message)), JSON.stringify(v));
        assert.ok(byPolicy("images-pinned").some((x) => /mariadb\.image\.tag/.test(x.message)));
    });

    it("a store without its default-deny NetworkPolicy fails the stack policy", () => {
        const withoutDeny = ofStore("open").filter((r) => !(r.type.endsWith("NetworkPolicy") && (r.inputs.metadata as { name?: string })?.name === "default-deny"));
        assert.equal(withoutDeny.length, ofStore("open").length - 1, "the program names it default-deny");
        const v = runStackPolicies(withoutDeny);
        assert.equal(v.length, 1, JSON.stringify(v));
        assert.match(v[0].message, /^store namespace "store-open" has no default-deny NetworkPolicy/);
    });
});
