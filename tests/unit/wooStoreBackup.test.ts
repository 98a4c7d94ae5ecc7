/**
 * The WooStore component with `woostore:backup` set, under Pulumi mocks: the backup objects
 * a store gets, and that no secret (target credentials, repository password) reaches any
 * input but a Secret's. No engine, no cluster.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { resticPassword } from "../../components/backup";
import { createStores, FLEET_BACKUP_KEY_NAME } from "../../components/program";
import { resolveStore, storeEntrySchema } from "../../components/storeList";
import { minimalConfig } from "../helpers/config";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resource inputs are navigated freely in assertions
interface Registered { type: string; name: string; inputs: Record<string, any> }
const registered: Registered[] = [];
const FLEET_KEY = "mock-generated-fleet-key";
const S3_SECRET = "mock-generated-s3-secret";

pulumi.runtime.setMocks({
    newResource(args) {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        const state: Record<string, unknown> = { ...args.inputs };
        if (args.type === "random:index/randomPassword:RandomPassword") state.result = `mock-generated-${args.name}`;
        if (args.type === "random:index/randomBytes:RandomBytes") state.base64 = args.name === FLEET_BACKUP_KEY_NAME ? FLEET_KEY : "mock-generated-salt".padEnd(512, "=");
        if (args.type === "kubernetes:batch/v1:Job") state.status = { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] };
        return { id: `${args.name}-id`, state };
    },
    call: (args) => args.inputs,
}, "woostore", "dev", false);

const config = minimalConfig({
    // Room for the backup pod beside WordPress, MariaDB, setup and WP-Cron.
    defaults: { quota: { cpu: "3", memory: "3Gi" } },
    backup: { target: "s3:https://s3.example.com/shops", egressCidrs: ["203.0.113.0/24"], retention: { daily: 3 } },
    backupCredentials: { AWS_ACCESS_KEY_ID: "AKIAMOCK", AWS_SECRET_ACCESS_KEY: S3_SECRET },
});
const stores = ["alpha", "beta"].map((name) => resolveStore(storeEntrySchema.parse({ name, admin: { email: "a@example.com" } }), config));
const ofStore = (store: string) => registered.filter((resource) => resource.name.startsWith(`${store}-`));
const named = (name: string) => {
    const found = registered.filter((resource) => resource.name === name);
    assert.equal(found.length, 1, name);
    return found[0];
};

describe("WooStore with woostore:backup (Pulumi mocks)", () => {
    before(async () => {
        createStores({ config, stores });
        await new Promise((resolve) => setTimeout(resolve, 200));
    });

    it("one fleet backup key for the stack, and per store: backup script, credentials Secret, two NetworkPolicies, the CronJob", () => {
        assert.equal(registered.filter((resource) => resource.name === FLEET_BACKUP_KEY_NAME).length, 1);
        for (const store of ["alpha", "beta"]) {
            const names = ofStore(store).map((resource) => `${resource.type} ${resource.name}`);
            for (const expected of [
                `kubernetes:core/v1:ConfigMap ${store}-backup-script`,
                `kubernetes:core/v1:Secret ${store}-backup-credentials`,
                `kubernetes:networking.k8s.io/v1:NetworkPolicy ${store}-netpol-backup-egress`,
                `kubernetes:networking.k8s.io/v1:NetworkPolicy ${store}-netpol-mariadb-ingress-backup`,
                `kubernetes:batch/v1:CronJob ${store}-backup`,
            ]) {
                assert.ok(names.includes(expected), `${store}: ${expected}`);
            }
        }
        const cron = named("alpha-backup").inputs;
        assert.equal(cron.metadata.name, "woostore-backup");
        assert.equal(cron.metadata.namespace, "store-alpha");
        const env = cron.spec.jobTemplate.spec.template.spec.containers[0].env as { name: string; value?: string }[];
        assert.equal(env.find((variable) => variable.name === "KEEP_DAILY")?.value, "3");
        assert.equal(env.find((variable) => variable.name === "RESTIC_REPOSITORY")?.value, "s3:https://s3.example.com/shops/alpha");
    });

    it("the repository password is derived from the fleet key and kept in the store's credentials Secret, as a secret", () => {
        const secret = named("alpha-credentials").inputs;
        assert.ok(secret.stringData.value, "stringData is sent as a secret");
        assert.equal(secret.stringData.value["restic-password"], resticPassword(FLEET_KEY, "alpha"));
        assert.notEqual(named("beta-credentials").inputs.stringData.value["restic-password"], secret.stringData.value["restic-password"]);
        const target = named("alpha-backup-credentials").inputs;
        assert.deepEqual(target.stringData.value, { AWS_ACCESS_KEY_ID: "AKIAMOCK", AWS_SECRET_ACCESS_KEY: S3_SECRET });
    });

    it("no credential, key or derived password in any input but a Secret's", () => {
        const secrets = [S3_SECRET, FLEET_KEY, resticPassword(FLEET_KEY, "alpha"), resticPassword(FLEET_KEY, "beta")];
        for (const resource of registered.filter((r) => r.type !== "kubernetes:core/v1:Secret" && !r.type.startsWith("random:"))) {
            const text = JSON.stringify(resource.inputs);
            for (const secret of secrets) {
                assert.ok(!text.includes(secret), `${resource.type} ${resource.name} carries a secret`);
            }
        }
    });
});
