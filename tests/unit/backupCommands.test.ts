/**
 * `npm run backup | backups | restore`, tier 1: argument and configuration errors (all at
 * once, with the usage line, before any cluster call) and the Job each command creates.
 * The commands' cluster side (kubectl) is exercised by the e2e tests, not here.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { DEFAULT_IMAGES } from "../../components/defaults";
import { commandJob, parseBackupArgs, resolveCommand, storeVersions, upgradeSinceLastDeployment, UsageError, versionChange } from "../../automation/backups";
import { PROJECT_DIR } from "../helpers/config";

/** A project dir with a stack file (backups on or off) and a two-store list. */
function project(backup: boolean): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "backup-cmd-"));
    fs.writeFileSync(path.join(dir, "Pulumi.bk.yaml"), `config:\n  woostore:domain: localhost\n${backup ? "  woostore:defaults:\n    quota: {cpu: \"3\", memory: 3Gi}\n  woostore:backup:\n    target: rest:http://10.20.0.5:8000/fleet\n" : ""}`);
    fs.writeFileSync(path.join(dir, "stores.yaml"), "stores:\n  - name: shop\n    admin: { email: a@example.com }\n  - name: shop-staging\n    admin: { email: a@example.com }\n");
    return dir;
}

const usageProblems = (fn: () => unknown) => {
    try {
        fn();
    } catch (error) {
        assert.ok(error instanceof UsageError, String(error));
        return error.message;
    }
    assert.fail("no usage error");
};

describe("backup commands: arguments", () => {
    it("parses each command's arguments", () => {
        assert.deepEqual(parseBackupArgs("backup", ["shop"]), { command: "backup", stack: "dev", store: "shop" });
        assert.deepEqual(parseBackupArgs("backups", ["shop", "--stack", "prod"]), { command: "backups", stack: "prod", store: "shop" });
        assert.deepEqual(parseBackupArgs("restore", ["shop", "--snapshot", "0123abcd", "--into", "shop-staging"]), { command: "restore", stack: "dev", store: "shop", snapshot: "0123abcd", into: "shop-staging" });
        assert.equal(parseBackupArgs("restore", ["--snapshot", "latest", "shop"]).snapshot, "latest");
    });

    const bad: [string, "backup" | "backups" | "restore", string[], RegExp[]][] = [
        ["no store", "backup", [], [/which store\?/, /usage: npm run backup -- <store> \[--stack dev\]$/]],
        ["two stores", "backups", ["a", "b"], [/one store at a time \(got a, b\)/]],
        ["an unknown option", "backup", ["shop", "--snapshot", "x"], [/unknown option --snapshot/]],
        ["restore without --snapshot", "restore", ["shop"], [/--snapshot is required/, /usage: npm run restore -- <store> --snapshot <id\|latest> \[--into <new-store>\]/]],
        ["a snapshot id that is not hex", "restore", ["shop", "--snapshot", "yesterday"], [/--snapshot "yesterday" is not a snapshot id/]],
        ["--into itself", "restore", ["shop", "--snapshot", "latest", "--into", "shop"], [/--into names the store itself/]],
        ["a flag without its value, and no store", "restore", ["--snapshot"], [/--snapshot needs a value/, /which store\?/]],
    ];
    for (const [title, command, argv, messages] of bad) {
        it(`rejects ${title}, listing every problem and the usage`, () => {
            const message = usageProblems(() => parseBackupArgs(command, argv));
            for (const expected of messages) assert.match(message, expected);
        });
    }
});

describe("backup commands: stack and store list", () => {
    it("backups not configured, unknown store and unknown clone: all reported at once", () => {
        const message = usageProblems(() => resolveCommand({ command: "restore", stack: "bk", store: "nope", snapshot: "latest", into: "nada" }, project(false)));
        assert.match(message, /backups are not configured for stack bk — set woostore:backup\.target in Pulumi\.bk\.yaml/);
        assert.match(message, /store "nope" is not in stores\.yaml — known stores: shop, shop-staging; to restore a removed store, add it back/);
        assert.match(message, /--into store "nada" is not in stores\.yaml — add the clone to the list and run npm run up first/);
    });

    it("an unknown stack says which file is missing", () => {
        assert.match(usageProblems(() => resolveCommand({ command: "backup", stack: "qa", store: "shop" }, project(true))), /stack "qa" has no config file Pulumi\.qa\.yaml/);
    });

    it("backup Job: a manual backup in the store's namespace", () => {
        const resolved = resolveCommand({ command: "backup", stack: "bk", store: "shop" }, project(true));
        const job = commandJob(resolved, { action: "backup", kind: "manual" }, "woostore-backup-manual-1");
        assert.equal(job.metadata.namespace, "store-shop");
        assert.deepEqual(job.spec.template.spec.containers[0].command.slice(2), ["backup", "--kind", "manual"]);
    });

    it("restore --into: runs in the clone's namespace, reads the source's repository with the copied password", () => {
        const resolved = resolveCommand({ command: "restore", stack: "bk", store: "shop", snapshot: "latest", into: "shop-staging" }, project(true));
        const job = commandJob(resolved, { action: "restore", snapshot: "latest" }, "woostore-restore-1", "woostore-restore-from-shop");
        assert.equal(job.metadata.namespace, "store-shop-staging");
        const env = job.spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string } } }[];
        assert.equal(env.find((variable) => variable.name === "RESTIC_REPOSITORY")?.value, "rest:http://10.20.0.5:8000/fleet/shop");
        assert.equal(env.find((variable) => variable.name === "RESTIC_PASSWORD")?.valueFrom?.secretKeyRef.name, "woostore-restore-from-shop");
        assert.equal(env.find((variable) => variable.name === "DB_PASSWORD")?.valueFrom?.secretKeyRef.name, "woostore-credentials");
    });

    it("npm run restore with bad arguments exits 2 before touching any cluster", () => {
        const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "automation", "backups.ts"), "restore", "shop"], { encoding: "utf8", cwd: PROJECT_DIR, env: { ...process.env, PATH: "/nonexistent" } });
        assert.equal(result.status, 2, result.stderr);
        assert.match(result.stderr, /--snapshot is required/);
    });
});

describe("backup before an upgrade (npm run up)", () => {
    it("reads the versions of the last update's config (JSON text) and of the stack file, with the defaults", () => {
        assert.deepEqual(storeVersions({}), { wordpress: DEFAULT_IMAGES.wordpress, woocommerce: "10.3.5" });
        assert.deepEqual(storeVersions({ "woostore:images": "{\"wordpress\":\"wordpress:6.9.0-php8.3-apache\"}", "woostore:woocommerceVersion": "10.4.0" }),
            { wordpress: "wordpress:6.9.0-php8.3-apache", woocommerce: "10.4.0" });
    });

    it("names what changes, and nothing when only other config changes", () => {
        const before = storeVersions({});
        assert.equal(versionChange(before, storeVersions({ "woostore:woocommerceVersion": "10.4.0" })), "WooCommerce 10.3.5 → 10.4.0");
        assert.equal(versionChange(before, storeVersions({ "woostore:images": "{\"wordpress\":\"wordpress:6.9.0-php8.3-apache\",\"mariadb\":\"mariadb:11.8.3\"}" })), `WordPress ${DEFAULT_IMAGES.wordpress} → wordpress:6.9.0-php8.3-apache`);
        assert.equal(versionChange(before, storeVersions({ "woostore:images": "{\"mariadb\":\"mariadb:11.8.4\"}", "woostore:domain": "example.com" })), "");
    });

    it("compares with the last deployment only when backups were on then (both layouts use this)", () => {
        const backupOn = { "woostore:backup": { value: "{\"target\":\"rest:http://10.0.0.9:8000\"}" } };
        const newer = { "woostore:woocommerceVersion": "10.4.0" };
        assert.equal(upgradeSinceLastDeployment(undefined, newer), "", "no last deployment");
        assert.equal(upgradeSinceLastDeployment({}, newer), "", "backups switched on by this update");
        assert.equal(upgradeSinceLastDeployment(backupOn, newer), "WooCommerce 10.3.5 → 10.4.0");
        // History may give an object value; it is compared as the JSON text the stack file gives.
        assert.equal(upgradeSinceLastDeployment({ ...backupOn, "woostore:images": { value: { wordpress: "wordpress:6.9.0-php8.3-apache" } } }, { "woostore:images": "{\"wordpress\":\"wordpress:6.9.0-php8.3-apache\"}" }), "");
    });
});
