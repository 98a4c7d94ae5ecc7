/**
 * Tier 2, backups (issue 14): the backup CronJob and the restore Job, as components/backup.ts
 * builds them, are accepted by the testbed's real kube-apiserver in a store namespace that
 * enforces restricted Pod Security and the store's ResourceQuota, and their pods are admitted;
 * then the store lifecycle with `woostore:backup` on (real Pulumi engine), credentials set as a
 * Pulumi secret, none of them or the derived repository password in the state file, and
 * `npm run backup` / `npm run restore` driving the cluster (Jobs, scaling, the setup Job's
 * re-run) with the backup pod's result line SIMULATED by a KWOK Stage.
 * KWOK runs no containers: the backup script itself is proven by `npm run test:backup`.
 */
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse, stringify } from "yaml";
import { backupConfigSchema, backupCronJobSpec, backupJobSpec, backupNetworkPolicySpecs, BACKUP_CRONJOB_NAME } from "../../components/backup";
import { storeNames } from "../../components/names";
import { resolveStore, storeEntrySchema } from "../../components/storeList";
import { limitRangeSpec, namespaceLabels, resourceQuotaSpec } from "../../components/tenancy";
import { minimalConfig, PROJECT_DIR } from "../helpers/config";
import { Fleet } from "./fleetHarness";
import { Cluster, eventually, kubectl, kubectlJson, loadTestbedEnv, startCluster, terminatePodsStage, TestStack } from "./testbed";

const STEP = { timeout: 15 * 60 * 1000 };
const BACKUP = { target: "rest:http://10.96.200.1:8000/fleet" };
const REST_PASSWORD = "e2e-rest-password-7d1f";

/** Runs `npm run <command>` (automation/backups.ts) against the testbed cluster. */
function runCommand(command: string, args: string[], kubeconfig: string): { status: number | null; output: string } {
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "automation", "backups.ts"), command, ...args], {
        cwd: PROJECT_DIR, encoding: "utf8", env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 10 * 60 * 1000,
    });
    return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

/** KWOK Stage matches for the running backup pods of a namespace. */
function runningBackupPods(namespace: string) {
    return [
        { key: ".metadata.namespace", operator: "In", values: [namespace] },
        { key: ".metadata.labels[\"app.kubernetes.io/component\"]", operator: "In", values: ["backup"] },
        { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" },
        { key: ".status.phase", operator: "In", values: ["Running"] },
    ];
}

/** A KWOK Stage that ends every running backup pod of a namespace with a SIMULATED failure (the script's last line). */
function simulatedBackupFailureStage(namespace: string): string {
    return terminatePodsStage({
        name: `simulated-backup-failure-${namespace}`,
        weight: 1000,
        match: runningBackupPods(namespace),
        exitCode: 1,
        reason: "Error",
        message: "woostore-backup: backup target rest:http://10.96.200.1:8000/fleet/bk-down is unreachable (simulated by a testbed KWOK Stage) — earlier snapshots are untouched",
        phase: "Failed",
    });
}

/** A KWOK Stage that ends every running backup pod of a namespace with a simulated success line. */
function simulatedBackupResultStage(namespace: string): string {
    const result = JSON.stringify({ result: "ok", simulated: "by a testbed KWOK Stage", snapshot: "5e7a11ed".padEnd(64, "0"), orders: 3, ordersRecorded: 3, tablesChecked: 10, tablesDiffering: 0, dumpBytes: 1024, uploadFiles: 0, seconds: 0 });
    return terminatePodsStage({
        name: `simulated-backup-result-${namespace}`,
        weight: 1000,
        match: runningBackupPods(namespace),
        exitCode: 0,
        reason: "Completed",
        message: result,
        phase: "Succeeded",
    });
}

interface PodList { items: { metadata: { name: string }; status?: { phase?: string } }[] }

/** With backups on, a fifth pod (the backup Job) may run beside WordPress, MariaDB, setup and WP-Cron: 2 CPU / 2Gi do not hold them. */
const ROOM_FOR_BACKUP_POD = { quota: { cpu: "3", memory: "3Gi" } };

describe("backups on the testbed (real kube-apiserver, restricted PSA, quota; real Pulumi engine)", () => {
    let cluster: Cluster;
    before(() => {
        loadTestbedEnv();
        cluster = startCluster("bk", 45000);
    });
    after(() => cluster?.down());

    it("CronJob and restore Job are accepted under restricted Pod Security and the quota, and their pods are admitted", STEP, async () => {
        const config = minimalConfig({ backup: BACKUP, storageClass: "local-path", defaults: ROOM_FOR_BACKUP_POD });
        const store = resolveStore(storeEntrySchema.parse({ name: "bk-shop", admin: { email: "a@example.com" } }), config);
        const names = storeNames(store.name);
        const backup = backupConfigSchema.parse(BACKUP);
        const images = { mariadb: config.images.mariadb, restic: config.images.restic };
        const meta = (name: string) => ({ name, namespace: names.namespace });
        const objects = [
            { apiVersion: "v1", kind: "Namespace", metadata: { name: names.namespace, labels: namespaceLabels(store, config) } },
            { apiVersion: "v1", kind: "ResourceQuota", metadata: meta("woostore-quota"), spec: resourceQuotaSpec(store) },
            { apiVersion: "v1", kind: "LimitRange", metadata: meta("woostore-limits"), spec: limitRangeSpec(store) },
            { apiVersion: "v1", kind: "Secret", metadata: meta("woostore-credentials"), stringData: { "restic-password": "e2e-restic-password", "mariadb-password": "e2e-db-password" } },
            { apiVersion: "v1", kind: "ConfigMap", metadata: meta("woostore-backup-script"), data: { "woostore-backup.sh": "#!/usr/bin/env bash\n" } },
            { apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: meta(names.wordpressPvc), spec: { accessModes: ["ReadWriteOnce"], storageClassName: "local-path", resources: { requests: { storage: "1Gi" } } } },
            ...backupNetworkPolicySpecs(backup).map((policy) => ({ apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: meta(policy.name), spec: policy.spec })),
            { apiVersion: "batch/v1", kind: "CronJob", metadata: meta(BACKUP_CRONJOB_NAME), spec: backupCronJobSpec(store, backup, images) },
            { apiVersion: "batch/v1", kind: "Job", metadata: meta("woostore-restore-e2e"), spec: backupJobSpec({ store, backup, images, command: { action: "restore", snapshot: "latest" } }) },
        ];
        const applied = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
            const child = execFile("kubectl", ["--kubeconfig", cluster.kubeconfig, "apply", "-f", "-"], (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr })));
            child.stdin?.end(objects.map((object) => stringify(object)).join("---\n"));
        });
        assert.match(applied.stdout, /cronjob\.batch\/woostore-backup created/);
        assert.match(applied.stdout, /job\.batch\/woostore-restore-e2e created/);
        // warn=restricted on every store namespace: any violation would be printed here.
        assert.doesNotMatch(applied.stderr, /PodSecurity|violate/i, applied.stderr);

        // A backup started from the CronJob (what npm run backup does with its own Job) gets a pod admitted.
        await kubectl(cluster, ["-n", names.namespace, "create", "job", "--from", `cronjob/${BACKUP_CRONJOB_NAME}`, "woostore-backup-e2e"]);
        for (const job of ["woostore-restore-e2e", "woostore-backup-e2e"]) {
            await eventually(`a pod of ${job}`, 60, async () => (await kubectlJson<PodList>(cluster, ["-n", names.namespace, "get", "pods", "-l", `job-name=${job}`])).items.length > 0);
        }
        const events = await kubectl(cluster, ["-n", names.namespace, "get", "events", "--field-selector", "reason=FailedCreate", "-o", "name"]);
        assert.equal(events.trim(), "", "no pod was refused by Pod Security or the quota");
        // Quota admission passed them with the limits the quota arithmetic counts (the backup pod: the store's limits plus its scratch).
        const pods = await kubectlJson<{ items: { spec: { containers: { resources: { limits: Record<string, string> } }[]; initContainers: { resources: { limits: Record<string, string> } }[] } }[] }>(cluster, ["-n", names.namespace, "get", "pods"]);
        for (const pod of pods.items) {
            for (const container of [...pod.spec.initContainers, ...pod.spec.containers]) {
                // The store's cpu/memory limits, and the scratch dump as its ephemeral-storage limit.
                assert.deepEqual(container.resources.limits, { ...store.container.limits, "ephemeral-storage": backup.scratchSize });
            }
        }
    });

    it("lifecycle with woostore:backup: up creates the CronJob, policies and password; no credential in state; npm run backup and restore drive the cluster; destroy cleans up", STEP, async () => {
        const test = await new TestStack(`bk${process.pid}`, cluster, { backup: BACKUP, defaults: ROOM_FOR_BACKUP_POD }).open();
        try {
            await test.stack.setConfig("woostore:backupCredentials.RESTIC_REST_PASSWORD", { value: REST_PASSWORD, secret: true }, true);
            await test.stack.setConfig("woostore:backupCredentials.RESTIC_REST_USERNAME", { value: "woostore", secret: true }, true);
            test.writeStores([{ name: "bk-alpha" }]);
            const result = await test.stack.up({ onOutput: (text) => process.stdout.write(text) });
            assert.equal(result.summary.result, "succeeded");
            const namespace = storeNames("bk-alpha").namespace;
            const cron = await kubectlJson<{ spec: { schedule: string; jobTemplate: { spec: { template: { spec: { containers: { image: string }[]; initContainers: { image: string }[] } } } } } }>(cluster, ["-n", namespace, "get", "cronjob", BACKUP_CRONJOB_NAME]);
            assert.match(cron.spec.schedule, /^\d+ [234] \* \* \*$/);
            assert.equal(cron.spec.jobTemplate.spec.template.spec.initContainers[0].image, "restic/restic:0.18.1");
            const policies = (await kubectl(cluster, ["-n", namespace, "get", "networkpolicies", "-o", "name"])).split("\n");
            assert.ok(policies.includes("networkpolicy.networking.k8s.io/backup-egress") && policies.includes("networkpolicy.networking.k8s.io/mariadb-ingress-backup"), policies.join(" "));
            const secret = await kubectlJson<{ data: Record<string, string> }>(cluster, ["-n", namespace, "get", "secret", "woostore-credentials"]);
            const resticPassword = Buffer.from(secret.data["restic-password"], "base64").toString();
            assert.ok(resticPassword.length >= 40);
            const credentials = await kubectlJson<{ data: Record<string, string> }>(cluster, ["-n", namespace, "get", "secret", "woostore-backup-credentials"]);
            assert.equal(Buffer.from(credentials.data.RESTIC_REST_PASSWORD, "base64").toString(), REST_PASSWORD);
            const state = test.stateText();
            assert.ok(!state.includes(REST_PASSWORD), "the REST password is not in the state in plain text");
            assert.ok(!state.includes(resticPassword), "the repository password is not in the state in plain text");

            // The commands' cluster side. KWOK runs no containers: a Stage (testbed only, not a hook
            // in product code) ends backup pods with a SIMULATED result line as termination message.
            await kubectl(cluster, ["apply", "-f", "-"], simulatedBackupResultStage(namespace));
            const backup = runCommand("backup", ["bk-alpha", "--stack", test.stackName], cluster.kubeconfig);
            assert.equal(backup.status, 0, backup.output);
            assert.match(backup.output, /Backup of bk-alpha done: snapshot 5e7a11ed, 3 orders/);
            const jobs = async () => (await kubectlJson<{ items: { metadata: { name: string }; spec: { template: { spec: { containers: { command: string[] }[] } } }; status: { succeeded?: number } }[] }>(cluster, ["-n", namespace, "get", "jobs"])).items;
            const manual = (await jobs()).find((job) => job.metadata.name.startsWith("woostore-backup-manual-"));
            assert.deepEqual(manual?.spec.template.spec.containers[0].command.slice(2), ["backup", "--kind", "manual"]);

            const restore = runCommand("restore", ["bk-alpha", "--snapshot", "5e7a11ed", "--stack", test.stackName], cluster.kubeconfig);
            assert.equal(restore.status, 0, restore.output);
            assert.match(restore.output, /scaling bk-alpha's WordPress down/);
            assert.match(restore.output, /Restore of bk-alpha from snapshot 5e7a11ed.* done and verified: 3 orders/);
            const after = await jobs();
            assert.ok(after.some((job) => job.metadata.name.startsWith("woostore-restore-")), "the restore ran as a Job");
            assert.equal(after.find((job) => job.metadata.name.startsWith("bk-alpha-verify-"))?.status.succeeded, 1, "the setup Job's copy verified the store");
            const deployment = await kubectlJson<{ spec: { replicas: number } }>(cluster, ["-n", namespace, "get", "deployment", "bk-alpha-wordpress"]);
            assert.equal(deployment.spec.replicas, 1, "WordPress is back");
            await kubectl(cluster, ["delete", "stage", `simulated-backup-result-${namespace}`]);
            await test.stack.destroy();
            assert.deepEqual((await kubectlJson<{ items: unknown[] }>(cluster, ["get", "namespaces", "-l", "woostore.io/store=bk-alpha"])).items, []);
        } finally {
            await test.stack.destroy().catch(() => undefined);
            await test.stack.workspace.removeStack(test.stackName, { force: true }).catch(() => undefined);
            test.dispose();
        }
    });

    it("perStore fleet: a WooCommerce upgrade backs each store up first; the store whose backup fails is not upgraded and is Failed with the backup's last line, the other is upgraded", STEP, async () => {
        const backend = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-bk-fleet-state-"));
        const fleet = new Fleet(`bkfleet${process.pid}`, cluster, `file://${backend}`);
        const stages: string[] = [];
        const setConfig = (values: Record<string, unknown>) => {
            const file = parse(fs.readFileSync(fleet.configFile, "utf8")) as { config: Record<string, unknown> };
            fs.writeFileSync(fleet.configFile, stringify({ config: { ...file.config, ...values } }));
        };
        const wooVersion = async (store: string) => {
            const jobs = await kubectlJson<{ items: { metadata: { name: string; creationTimestamp: string }; spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[]; initContainers?: { env?: { name: string; value?: string }[] }[] } } } }[] }>(cluster, ["-n", storeNames(store).namespace, "get", "jobs"]);
            const newest = jobs.items.filter((job) => job.metadata.name.startsWith(storeNames(store).setupJobPrefix)).sort((a, b) => b.metadata.creationTimestamp.localeCompare(a.metadata.creationTimestamp))[0];
            return newest && [...newest.spec.template.spec.containers, ...(newest.spec.template.spec.initContainers ?? [])].flatMap((container) => container.env ?? []).find((variable) => variable.name === "WC_VERSION")?.value;
        };
        try {
            setConfig({ "woostore:backup": BACKUP, "woostore:defaults": ROOM_FOR_BACKUP_POD, "woostore:woocommerceVersion": "10.3.5" });
            fleet.writeStores([{ name: "bk-up" }, { name: "bk-down" }]);
            const first = await fleet.upJson();
            assert.equal(first.result.code, 0, first.result.stderr);
            assert.deepEqual(first.summary.stores.map((store) => [store.name, store.action, store.status]), [["bk-down", "created", "Ready"], ["bk-up", "created", "Ready"]]);
            assert.equal(await wooVersion("bk-up"), "10.3.5");

            for (const [store, stage] of [["bk-up", simulatedBackupResultStage], ["bk-down", simulatedBackupFailureStage]] as const) {
                const namespace = storeNames(store).namespace;
                await kubectl(cluster, ["apply", "-f", "-"], stage(namespace));
                stages.push(stage === simulatedBackupResultStage ? `simulated-backup-result-${namespace}` : `simulated-backup-failure-${namespace}`);
            }
            setConfig({ "woostore:woocommerceVersion": "10.3.6" });
            const second = await fleet.upJson();
            assert.equal(second.result.code, 1, "a failed store makes the run fail");
            const stores = Object.fromEntries(second.summary.stores.map((store) => [store.name, store]));
            assert.equal(stores["bk-up"].action, "updated", JSON.stringify(stores["bk-up"]));
            assert.equal(stores["bk-up"].status, "Ready");
            assert.equal(stores["bk-down"].action, "failed", JSON.stringify(stores["bk-down"]));
            assert.match(stores["bk-down"].reason ?? "", /^pre-upgrade backup failed, so bk-down was not upgraded: .*bk-down is unreachable \(simulated by a testbed KWOK Stage\)/);
            // The cluster: bk-up was backed up (kind pre-upgrade) and then upgraded; bk-down still runs the old version.
            const preUpgradeJobs = async (store: string) => (await kubectlJson<{ items: { metadata: { name: string }; spec: { template: { spec: { containers: { command: string[] }[] } } } }[] }>(cluster, ["-n", storeNames(store).namespace, "get", "jobs"])).items
                .filter((job) => job.metadata.name.startsWith("woostore-backup-pre-upgrade-"));
            assert.deepEqual((await preUpgradeJobs("bk-up"))[0]?.spec.template.spec.containers[0].command.slice(2), ["backup", "--kind", "pre-upgrade"]);
            assert.equal((await preUpgradeJobs("bk-down")).length, 1);
            assert.equal(await wooVersion("bk-up"), "10.3.6");
            assert.equal(await wooVersion("bk-down"), "10.3.5", "the store whose backup failed was not upgraded");
        } finally {
            for (const stage of stages) await kubectl(cluster, ["delete", "stage", stage, "--ignore-not-found"]).catch(() => undefined);
            await fleet.run(["--destroy"]).catch(() => undefined);
            fleet.dispose();
            fs.rmSync(backend, { recursive: true, force: true });
        }
    });
});
