/**
 * Issue 14 item 2 in the per-store fleet: a store whose stack last ran other WordPress or
 * WooCommerce versions is backed up (kind pre-upgrade) before its update, and is not upgraded
 * when that backup fails. The decision with FAKE history and a FAKE backup, then the real
 * fleet operation (fleet/run.ts pulumiOperation) against a FAKE Pulumi CLI.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import type { BackupOutcome, JobWatch } from "../../automation/backups";
import type { ConfigEntry } from "../../fleet/fingerprint";
import { backupBeforeUpgrade, type LastDeployment } from "../../fleet/preUpgrade";
import { pulumiOperation } from "../../fleet/run";

const BACKUP = JSON.stringify({ target: "rest:http://10.0.0.9:8000/woostore" });
const OLD_WORDPRESS = "wordpress:6.7.2-php8.3-apache";
const NEW_WORDPRESS = "wordpress:6.8.3-php8.3-apache";

/** A stack config as Pulumi keeps it (`woostore:*`, objects as JSON text). */
function config(values: { wordpress?: string; woocommerce?: string; backup?: boolean }): Record<string, ConfigEntry> {
    return {
        "woostore:domain": { value: "example.test" },
        ...(values.wordpress ? { "woostore:images": { value: JSON.stringify({ wordpress: values.wordpress }) } } : {}),
        ...(values.woocommerce ? { "woostore:woocommerceVersion": { value: values.woocommerce } } : {}),
        ...(values.backup === false ? {} : { "woostore:backup": { value: BACKUP } }),
    };
}

/** FAKE history and FAKE backup, recording what was asked. */
function fakes(history: LastDeployment[] | Error, backup: BackupOutcome) {
    const asked = { history: 0, backups: 0 };
    return {
        asked,
        deps: {
            history: async () => {
                asked.history++;
                if (history instanceof Error) throw history;
                return history;
            },
            backup: async (watch: JobWatch) => {
                asked.backups++;
                watch.progress("    uploading the snapshot (fake)");
                return backup;
            },
        },
    };
}

const ok: BackupOutcome = { ok: true, snapshot: "1a2b3c4d5e6f", orders: 12, dumpBytes: 1000, uploadFiles: 3, seconds: 4 };
const unreachable: BackupOutcome = { ok: false, lastLine: "backup target rest:http://10.0.0.9:8000/woostore/shop is unreachable (no TCP connection to 10.0.0.9:8000 within 10s) — earlier snapshots are untouched" };
const lines: string[] = [];
const watch: JobWatch = { progress: (line) => lines.push(line) };

describe("pre-upgrade backup decision (FAKE history and FAKE backup)", () => {
    it("backups off or beforeUpgrade false: the stack's history is not even read", async () => {
        for (const beforeUpgrade of [undefined, false]) {
            const { asked, deps } = fakes([{ config: config({ wordpress: OLD_WORDPRESS }) }], ok);
            assert.equal(await backupBeforeUpgrade("shop", beforeUpgrade, config({ wordpress: NEW_WORDPRESS }), deps, watch), undefined);
            assert.deepEqual(asked, { history: 0, backups: 0 });
        }
    });

    it("a new WordPress image: the store is backed up first, then the upgrade goes on", async () => {
        lines.length = 0;
        const { asked, deps } = fakes([{ config: config({ wordpress: OLD_WORDPRESS }) }], ok);
        assert.equal(await backupBeforeUpgrade("shop", true, config({ wordpress: NEW_WORDPRESS }), deps, watch), undefined);
        assert.deepEqual(asked, { history: 1, backups: 1 });
        assert.match(lines[0], /^WordPress wordpress:6\.7\.2-php8\.3-apache → wordpress:6\.8\.3-php8\.3-apache: backing up shop before the upgrade/);
        assert.equal(lines.at(-1), "pre-upgrade snapshot 1a2b3c4d (12 orders)");
    });

    it("a new WooCommerce version counts as an upgrade too", async () => {
        const { asked, deps } = fakes([{ config: config({ woocommerce: "9.9.0" }) }], ok);
        assert.equal(await backupBeforeUpgrade("shop", true, config({ woocommerce: "10.1.0" }), deps, watch), undefined);
        assert.equal(asked.backups, 1);
    });

    it("the backup fails: the store is refused with the backup's last line and how to go on", async () => {
        const { deps } = fakes([{ config: config({ wordpress: OLD_WORDPRESS }) }], unreachable);
        const refused = await backupBeforeUpgrade("shop", true, config({ wordpress: NEW_WORDPRESS }), deps, watch);
        assert.match(refused ?? "", /^pre-upgrade backup failed, so shop was not upgraded: backup target .* is unreachable .* — fix the backup \(npm run backup -- shop\), or set woostore:backup\.beforeUpgrade to false/);
    });

    it("no version change, no history, a history without config, or backups only now switched on: no backup", async () => {
        const cases: [LastDeployment[] | Error, Record<string, ConfigEntry>][] = [
            [[{ config: config({ wordpress: NEW_WORDPRESS, woocommerce: "10.1.0" }) }], config({ wordpress: NEW_WORDPRESS, woocommerce: "10.1.0" })],
            [[], config({ wordpress: NEW_WORDPRESS })],
            [new Error("stack has no updates"), config({ wordpress: NEW_WORDPRESS })],
            [[{}], config({ wordpress: NEW_WORDPRESS })],
            [[{ config: config({ wordpress: OLD_WORDPRESS, backup: false }) }], config({ wordpress: NEW_WORDPRESS })],
        ];
        for (const [history, wanted] of cases) {
            const { asked, deps } = fakes(history, unreachable);
            assert.equal(await backupBeforeUpgrade("shop", true, wanted, deps, watch), undefined, JSON.stringify(history));
            assert.equal(asked.backups, 0, JSON.stringify(history));
        }
    });
});

describe("pulumiOperation: pre-upgrade backup against a FAKE Pulumi CLI", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-fake-pulumi-upgrade-"));
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    /** Updates store "shop" whose stack last ran OLD_WORDPRESS to NEW_WORDPRESS; returns the outcome, the CLI calls and the backups asked for. */
    async function upgrade(backup: BackupOutcome | undefined, label: string) {
        const dir = fs.mkdtempSync(path.join(root, `${label}-`));
        const bin = path.join(dir, "cli", "bin");
        fs.mkdirSync(bin, { recursive: true });
        const calls = path.join(dir, "calls");
        const history = JSON.stringify([{ kind: "update", result: "succeeded", config: Object.fromEntries(Object.entries(config({ wordpress: OLD_WORDPRESS })).map(([key, entry]) => [key, { value: entry.value, secret: false }])) }]);
        fs.writeFileSync(path.join(dir, "history.json"), history);
        fs.writeFileSync(path.join(bin, "pulumi"), `#!/usr/bin/env bash
printf '%s\\n' "$*" >>"${calls}"
[[ $1 == version ]] && echo v3.274.1
if [[ " $* " == *" stack history "* ]]; then cat "${path.join(dir, "history.json")}"; exit 0; fi
[[ " $* " == *" --json "* ]] && echo "[]"
exit 0
`, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: woostore\nruntime: nodejs\n");
        const pulumiCommand = await PulumiCommand.get({ root: path.join(dir, "cli"), skipVersionCheck: true });
        const fleet = await LocalWorkspace.create({ workDir: dir, pulumiCommand, envVars: {} });
        let backups = 0;
        const steps: string[] = [];
        const outcome = await pulumiOperation({
            planned: { store: "shop", stack: "dev.shop", action: "update", why: "stack config changed" },
            mode: "up", fleet, fleetDir: dir, baseConfig: config({ wordpress: NEW_WORDPRESS }), logFile: path.join(dir, "shop.log"), onStep: (text) => steps.push(text),
            options: { projectDir: dir, woostoreHome: dir, baseStack: "dev", mode: "up", parallelStores: 1, envVars: {}, lockStaleAfterMs: 60_000, progress: { write: () => undefined } },
            preUpgradeBackup: backup && (async () => {
                backups++;
                return backup;
            }),
        });
        const cliCalls = fs.readFileSync(calls, "utf8").split("\n").filter(Boolean).filter((line) => line !== "version");
        return { outcome, calls: cliCalls, backups, steps, log: fs.readFileSync(path.join(dir, "shop.log"), "utf8") };
    }

    it("the backup fails: no `pulumi up`, the store is Failed with the backup's last line (in its log too)", async () => {
        const { outcome, calls, backups, log } = await upgrade(unreachable, "fails");
        assert.equal(backups, 1);
        assert.equal(outcome.status, "Failed");
        assert.match(outcome.error ?? "", /^pre-upgrade backup failed, so shop was not upgraded: backup target .* is unreachable/);
        assert.ok(calls.some((line) => /^stack history --json --page-size 1 --page 1/.test(line)), calls.join("\n"));
        assert.ok(!calls.some((line) => / --show-secrets/.test(line) && line.startsWith("stack history")), "history is read without secrets");
        assert.ok(!calls.some((line) => line.startsWith("up ")), calls.join("\n"));
        assert.ok(!calls.some((line) => line.startsWith("config set-all")), `a refused upgrade leaves the stack's config as it was:\n${calls.join("\n")}`);
        assert.match(log, /pre-upgrade backup failed/);
    });

    it("the backup succeeds: the store is backed up, then updated", async () => {
        const { outcome, calls, backups, steps } = await upgrade(ok, "succeeds");
        assert.equal(backups, 1);
        assert.equal(outcome.error, undefined, outcome.error);
        const historyAt = calls.findIndex((line) => line.startsWith("stack history"));
        const upAt = calls.findIndex((line) => line.startsWith("up "));
        assert.ok(historyAt >= 0 && upAt > historyAt, calls.join("\n"));
        assert.ok(steps.includes("pre-upgrade snapshot 1a2b3c4d (12 orders)"), steps.join("\n"));
    });

    it("backups before upgrades off (no preUpgradeBackup): the history is not read", async () => {
        const { outcome, calls } = await upgrade(undefined, "off");
        assert.equal(outcome.error, undefined, outcome.error);
        // (The Automation API reads the history after `up` for its own summary: only calls before it count.)
        const upAt = calls.findIndex((line) => line.startsWith("up "));
        assert.ok(upAt >= 0, calls.join("\n"));
        assert.ok(!calls.slice(0, upAt).some((line) => line.startsWith("stack history")), calls.join("\n"));
    });
});
