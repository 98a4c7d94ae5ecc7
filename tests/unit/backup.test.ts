/**
 * Backups, tier 1 (pure specs, no cluster): `woostore:backup` validation, the CronJob and
 * restore pod specs (restricted Pod Security, pinned images, no secret values), the backup
 * NetworkPolicies and the quota share. The script itself is tested for real by test:backup.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
    backupConfigSchema, backupCronJobSpec, backupJobSpec, backupNetworkPolicySpecs, backupSchedule, plaintextCredentialProblems,
    repositoryUrl, resticPassword,
} from "../../components/backup";
import { formatProblem } from "../../components/problems";
import { readStackConfigFile, validateStackConfig } from "../../components/stackConfig";
import { resolveStore, storeEntrySchema, validateStoreList } from "../../components/storeList";
import { minimalConfig, PROJECT_DIR } from "../helpers/config";

const REST_TARGET = { target: "rest:http://10.20.0.5:8000/woostore" };
const backup = backupConfigSchema.parse(REST_TARGET);
// A backup pod is a fifth pod beside WordPress, MariaDB, setup and WP-Cron: 2 CPU / 2Gi do not hold them.
const ROOM = { defaults: { quota: { cpu: "3", memory: "3Gi" } } };
const config = minimalConfig({ backup: REST_TARGET, ...ROOM });
const store = resolveStore(storeEntrySchema.parse({ name: "shop", admin: { email: "a@example.com" } }), config);
const images = { mariadb: config.images.mariadb, restic: config.images.restic };

interface EnvVar { name: string; value?: string; valueFrom?: unknown }
const envOf = (env: EnvVar[]) => Object.fromEntries(env.map((variable) => [variable.name, variable]));

/** Problems of the dev stack file with `extra` appended under `config:`. */
function devFileProblems(extra: string) {
    const text = `${fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.dev.yaml"), "utf8")}${extra}`;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stack-")), "Pulumi.dev.yaml");
    fs.writeFileSync(file, text);
    return { problems: validateStackConfig(readStackConfigFile(file).raw, "Pulumi.dev.yaml", text).problems, text };
}

describe("woostore:backup stack config", () => {
    it("defaults: retention 7 daily, 4 weekly, 6 monthly; backup before upgrades; 1Gi scratch", () => {
        assert.deepEqual(backup.retention, { daily: 7, weekly: 4, monthly: 6 });
        assert.equal(backup.beforeUpgrade, true);
        assert.equal(backup.scratchSize, "1Gi");
        assert.equal(config.images.restic, "restic/restic:0.18.1");
    });

    it("one repository per store below the target", () => {
        assert.equal(repositoryUrl(backup, "shop"), "rest:http://10.20.0.5:8000/woostore/shop");
        assert.equal(repositoryUrl(backupConfigSchema.parse({ target: "s3:https://s3.example.com/bucket/", egressCidrs: ["203.0.113.0/24"] }), "shop"), "s3:https://s3.example.com/bucket/shop");
    });

    it("default schedule: daily between 02:00 and 04:59 UTC, spread by store name, stable", () => {
        const schedules = ["alpha", "beta", "gamma", "delta", "shop"].map((name) => backupSchedule(backup, name));
        for (const schedule of schedules) {
            const [minute, hour, ...rest] = schedule.split(" ");
            assert.ok(Number(minute) >= 0 && Number(minute) < 60 && Number(hour) >= 2 && Number(hour) <= 4, schedule);
            assert.deepEqual(rest, ["*", "*", "*"]);
        }
        assert.ok(new Set(schedules).size > 1, "stores do not all start at the same minute");
        assert.equal(backupSchedule(backup, "shop"), backupSchedule(backup, "shop"));
        assert.equal(backupSchedule({ ...backup, schedule: "@weekly" }, "shop"), "@weekly");
    });

    it("the repository password is derived per store from the fleet key: stable, different per store, never the key", () => {
        const key = "fleet-key-base64";
        assert.equal(resticPassword(key, "shop"), resticPassword(key, "shop"));
        assert.notEqual(resticPassword(key, "shop"), resticPassword(key, "shop2"));
        assert.notEqual(resticPassword(key, "shop"), resticPassword("other-key", "shop"));
        assert.match(resticPassword(key, "shop"), /^[A-Za-z0-9_-]{43}$/);
    });

    const bad: [string, Record<string, unknown>, RegExp][] = [
        ["a target of another kind", { target: "sftp:backup@host:/srv" }, /is not a backup target — write s3:https:\/\/host\/bucket/],
        ["credentials in the URL", { target: "rest:https://user:pw@10.0.0.1:8000/" }, /credentials do not belong in the target URL/],
        ["a DNS target without egressCidrs", { target: "s3:https://s3.example.com/bucket" }, /s3\.example\.com is a DNS name, and a NetworkPolicy can only allow address ranges/],
        ["a malformed CIDR", { ...REST_TARGET, egressCidrs: ["10.0.0.300/32"] }, /"10\.0\.0\.300\/32" is not an IPv4 CIDR/],
        ["a retention that keeps nothing", { ...REST_TARGET, retention: { daily: 0, weekly: 0, monthly: 0 } }, /keeps no snapshot at all/],
        ["a schedule that is not cron", { ...REST_TARGET, schedule: "daily" }, /must be a cron schedule of five fields/],
        ["an unknown key", { ...REST_TARGET, keepDaily: 3 }, /keepDaily/],
    ];
    for (const [title, value, message] of bad) {
        it(`rejects ${title} with a message that says how to fix it`, () => {
            const { problems } = validateStackConfig({ domain: "localhost", backup: value }, "Pulumi.test.yaml");
            assert.ok(problems.length > 0);
            assert.match(problems.map(formatProblem).join("\n"), message);
        });
    }

    it("stack file: credentials in plain text are a problem at their line; encrypted ones are fine", () => {
        const plain = devFileProblems("  woostore:backupCredentials:\n    AWS_ACCESS_KEY_ID: AKIAEXAMPLE\n    AWS_SECRET_ACCESS_KEY:\n      secure: v1:abc\n");
        assert.equal(plain.problems.length, 1);
        assert.equal(plain.problems[0].line, plain.text.split("\n").findIndex((line) => line.includes("woostore:backupCredentials")) + 1);
        assert.match(formatProblem(plain.problems[0]), /AWS_ACCESS_KEY_ID in plain text — store credentials encrypted: pulumi config set --secret/);
        assert.deepEqual(devFileProblems("  woostore:backupCredentials:\n    secure: v1:abcdef\n").problems, []);
        assert.deepEqual(plaintextCredentialProblems("Pulumi.dev.yaml", "config:\n  woostore:backupCredentials:\n    RESTIC_REST_PASSWORD:\n      secure: v1:x\n"), []);
    });

    it("the program's decrypted credentials are accepted; unknown variable names are not", () => {
        assert.deepEqual(validateStackConfig({ domain: "localhost", ...ROOM, backup: REST_TARGET, backupCredentials: { RESTIC_REST_USERNAME: "u", RESTIC_REST_PASSWORD: "p" } }, "Pulumi.test.yaml").problems, []);
        const { problems } = validateStackConfig({ domain: "localhost", backupCredentials: { PASSWORD: "p" } }, "Pulumi.test.yaml");
        assert.match(problems.map(formatProblem).join("\n"), /woostore:backupCredentials\.PASSWORD: unknown key "PASSWORD"/);
    });
});

describe("backup CronJob and restore Job specs", () => {
    const cron = backupCronJobSpec(store, backup, images);
    const pod = cron.jobTemplate.spec.template.spec;
    const main = pod.containers[0];

    it("CronJob: the store's schedule in UTC, never two at once, bounded history and deadline", () => {
        assert.equal(cron.schedule, backupSchedule(backup, "shop"));
        assert.equal(cron.timeZone, "Etc/UTC");
        assert.equal(cron.concurrencyPolicy, "Forbid");
        assert.equal(cron.successfulJobsHistoryLimit, 3);
        assert.equal(cron.jobTemplate.spec.activeDeadlineSeconds, 3600);
        assert.equal(cron.jobTemplate.spec.backoffLimit, 2);
        assert.deepEqual(main.command, ["bash", "/woostore-backup/woostore-backup.sh", "backup", "--kind", "scheduled"]);
    });

    it("meets restricted Pod Security: non-root uid 33, seccomp, no escalation, all capabilities dropped, read-only root", () => {
        assert.deepEqual(pod.securityContext, { runAsNonRoot: true, runAsUser: 33, runAsGroup: 33, fsGroup: 33, seccompProfile: { type: "RuntimeDefault" } });
        for (const container of [...pod.initContainers, ...pod.containers]) {
            assert.deepEqual(container.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true }, container.name);
            // The store's limits, plus an ephemeral-storage limit that holds the scratch dump (counted in the quota).
            assert.deepEqual(container.resources, { requests: { ...store.container.requests, "ephemeral-storage": "64Mi" }, limits: { ...store.container.limits, "ephemeral-storage": backup.scratchSize } }, container.name);
        }
        assert.equal(pod.automountServiceAccountToken, false);
    });

    it("pinned images: restic copied by an init container from the pinned restic image, mariadb-dump from the store's MariaDB image", () => {
        assert.equal(pod.initContainers[0].image, "restic/restic:0.18.1");
        assert.deepEqual(pod.initContainers[0].command, ["cp", "/usr/bin/restic", "/tools/restic"]);
        assert.equal(main.image, config.images.mariadb);
        for (const image of [pod.initContainers[0].image, main.image]) {
            assert.match(image, /:[0-9][^:@]*(@sha256:[a-f0-9]{64})?$/);
        }
    });

    it("secrets only by reference: repository password, DB password and target credentials come from Secrets", () => {
        const env = envOf(main.env);
        assert.deepEqual(env.RESTIC_PASSWORD.valueFrom, { secretKeyRef: { name: "woostore-credentials", key: "restic-password" } });
        assert.deepEqual(env.DB_PASSWORD.valueFrom, { secretKeyRef: { name: "woostore-credentials", key: "mariadb-password" } });
        assert.deepEqual(env.AWS_SECRET_ACCESS_KEY.valueFrom, { secretKeyRef: { name: "woostore-backup-credentials", key: "AWS_SECRET_ACCESS_KEY", optional: true } });
        assert.equal(env.RESTIC_REPOSITORY.value, "rest:http://10.20.0.5:8000/woostore/shop");
        assert.equal(env.DB_HOST.value, "shop-mariadb");
        assert.deepEqual([env.KEEP_DAILY.value, env.KEEP_WEEKLY.value, env.KEEP_MONTHLY.value], ["7", "4", "6"]);
    });

    it("backup reads uploads read-only next to the WordPress pod; restore writes them and has no WordPress pod to follow", () => {
        const uploads = main.volumeMounts.find((mount) => mount.name === "wordpress");
        assert.deepEqual(uploads, { name: "wordpress", mountPath: "/backup/uploads", subPath: "wp-content/uploads", readOnly: true });
        assert.ok(pod.affinity?.podAffinity);
        const restore = backupJobSpec({ store, backup, images, command: { action: "restore", snapshot: "0123abcd" } });
        const restorePod = restore.template.spec;
        assert.deepEqual(restorePod.containers[0].command.slice(2), ["restore", "0123abcd"]);
        assert.equal(restorePod.containers[0].volumeMounts.find((mount) => mount.name === "wordpress")?.readOnly, false);
        assert.equal(restorePod.affinity, undefined);
        assert.equal(restore.backoffLimit, 0, "a restore is never retried blindly");
    });

    it("restore into a clone: the snapshot's store and repository, the clone's database, volume and labels", () => {
        const clone = resolveStore(storeEntrySchema.parse({ name: "shop-staging", admin: { email: "a@example.com" } }), config);
        const spec = backupJobSpec({ store, backup, images, command: { action: "restore", snapshot: "latest" }, into: clone }).template;
        const env = envOf(spec.spec.containers[0].env);
        assert.equal(env.STORE_NAME.value, "shop");
        assert.equal(env.RESTIC_REPOSITORY.value, "rest:http://10.20.0.5:8000/woostore/shop");
        assert.equal(env.DB_HOST.value, "shop-staging-mariadb");
        assert.equal(spec.spec.volumes.find((volume) => volume.name === "wordpress")?.persistentVolumeClaim?.claimName, "shop-staging-wordpress");
        assert.equal(spec.metadata.labels["woostore.io/store"], "shop-staging");
    });
});

describe("backup NetworkPolicies", () => {
    it("the backup pod reaches MariaDB and the target's address and port only; MariaDB admits it", () => {
        const [egress, ingress] = backupNetworkPolicySpecs(backup);
        assert.equal(egress.name, "backup-egress");
        assert.deepEqual(egress.spec.podSelector, { matchLabels: { "app.kubernetes.io/component": "backup" } });
        assert.deepEqual(egress.spec.egress, [
            { to: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "mariadb" } } }], ports: [{ protocol: "TCP", port: 3306 }] },
            { to: [{ ipBlock: { cidr: "10.20.0.5/32" } }], ports: [{ protocol: "TCP", port: 8000 }] },
        ]);
        assert.equal(ingress.name, "mariadb-ingress-backup");
        assert.deepEqual(ingress.spec.ingress, [{ from: [{ podSelector: { matchLabels: { "app.kubernetes.io/component": "backup" } } }], ports: [{ protocol: "TCP", port: 3306 }] }]);
    });

    it("an S3 target by name: the configured ranges on 443", () => {
        const s3 = backupConfigSchema.parse({ target: "s3:https://s3.example.com/bucket", egressCidrs: ["203.0.113.0/24", "198.51.100.7/32"] });
        const rule = (backupNetworkPolicySpecs(s3)[0].spec.egress as { to: unknown; ports: unknown }[])[1];
        assert.deepEqual(rule, { to: [{ ipBlock: { cidr: "203.0.113.0/24" } }, { ipBlock: { cidr: "198.51.100.7/32" } }], ports: [{ protocol: "TCP", port: 443 }] });
    });
});

describe("backup quota arithmetic", () => {
    const storeList = (quota: string) => `stores:\n  - name: shop\n    admin: { email: a@example.com }\n${quota}`;

    it("the default quota (2 CPU, 2Gi) holds WordPress, MariaDB, setup and a backup pod at 500m/512Mi", () => {
        assert.deepEqual(validateStoreList(storeList(""), "stores.yaml", config).problems, []);
    });

    it("a quota that fits the store's pods but not the backup pod is reported, naming the backup Job", () => {
        const text = storeList("    quota: { cpu: 2000m }\n");
        assert.deepEqual(validateStoreList(text, "stores.yaml", minimalConfig()).problems, []);
        const problems = validateStoreList(text, "stores.yaml", config).problems;
        assert.equal(problems.length, 1);
        assert.match(formatProblem(problems[0]), /stores\.yaml:4:\d+ store "shop": quota\.cpu 2 cannot hold the store's 5 pods at their limits \(WordPress, MariaDB, setup Job, WP-Cron Job, backup Job: 2500m\) — raise quota\.cpu to at least 2500m/);
    });
});
