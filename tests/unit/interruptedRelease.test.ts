/**
 * Recovery from a run killed while Helm installed or upgraded a store's release
 * (fleet/interruptedRelease.ts, automation/helmRecords.ts): which Helm errors mean that, which
 * release records a retry removes, that only the failed store's records are touched, and that
 * an update is retried once and only once. The cluster side runs against a FAKE kubectl (a
 * script that answers with canned release Secrets and records its arguments); tier 2
 * (tests/e2e/api.test.ts) kills a real server in the middle of a real Helm install.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { recoverInterruptedRelease, withReleaseRecovery } from "../../automation/helmRecords";
import { kubeTarget } from "../../automation/kubectl";

const ANY_CLUSTER = kubeTarget({});
import { describeRecovery, interruptionOf, leftoverRecords } from "../../fleet/interruptedRelease";

const INSTALL_ERROR = "kubernetes:helm.sh/v3:Release (shop): error: cannot re-use a name that is still in use";
const UPGRADE_ERROR = "error: another operation (install/upgrade/rollback) is in progress";

describe("interrupted Helm releases: what the error means and what a retry removes", () => {
    it("recognises a killed install and a killed upgrade, and nothing else", () => {
        assert.equal(interruptionOf(`update failed\n${INSTALL_ERROR}`), "install");
        assert.equal(interruptionOf(UPGRADE_ERROR), "upgrade");
        assert.equal(interruptionOf("error: timed out waiting for the condition"), undefined);
        assert.equal(interruptionOf("Job shop-setup failed: BackoffLimitExceeded"), undefined);
    });

    it("a killed install removes every record of the release (Pulumi does not own it yet), oldest first", () => {
        const records = [{ secret: "sh.helm.release.v1.shop.v2", revision: 2, status: "pending-install" }, { secret: "sh.helm.release.v1.shop.v1", revision: 1, status: "failed" }];
        assert.deepEqual(leftoverRecords("install", records).map((record) => record.revision), [1, 2]);
    });

    it("a killed upgrade removes only the unfinished revisions: the last deployed one stays", () => {
        const records = [
            { secret: "sh.helm.release.v1.shop.v1", revision: 1, status: "superseded" },
            { secret: "sh.helm.release.v1.shop.v2", revision: 2, status: "deployed" },
            { secret: "sh.helm.release.v1.shop.v3", revision: 3, status: "pending-upgrade" },
        ];
        assert.deepEqual(leftoverRecords("upgrade", records).map((record) => record.secret), ["sh.helm.release.v1.shop.v3"]);
        assert.deepEqual(leftoverRecords("upgrade", records.slice(0, 2)), []);
    });

    it("says what was found and what is done", () => {
        const line = describeRecovery("shop", "store-shop", "install", [{ secret: "s", revision: 1, status: "pending-install" }]);
        assert.match(line, /killed while it created Helm release store-shop\/shop: Helm has it \(revision 1 pending-install\), Pulumi's state does not/);
        assert.match(line, /installing again/);
    });
});

describe("interrupted Helm releases against a FAKE kubectl", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-fake-kubectl-"));
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    /** A fake kubectl on PATH answering `get secrets` with `statuses` (revision 1, 2, …); returns its recorded calls. */
    async function withFakeKubectl<T>(statuses: string[], run: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
        const dir = fs.mkdtempSync(path.join(root, "bin-"));
        const calls = path.join(dir, "calls");
        const items = statuses.map((status, index) => ({ metadata: { name: `sh.helm.release.v1.shop.v${index + 1}`, labels: { owner: "helm", name: "shop", status, version: String(index + 1) } } }));
        fs.writeFileSync(path.join(dir, "kubectl"), `#!/usr/bin/env bash\nprintf '%s %s\\n' "$KUBECONFIG" "$*" >>"${calls}"\n[[ " $* " == *" get secrets "* ]] && echo '${JSON.stringify({ items })}'\nexit 0\n`, { mode: 0o755 });
        const saved = process.env.PATH;
        process.env.PATH = `${dir}:${saved}`;
        try {
            const result = await run();
            return { result, calls: fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").trim().split("\n") : [] };
        } finally {
            process.env.PATH = saved;
        }
    }

    it("a killed install: the release's record is read by its Helm labels in the store's namespace and deleted", async () => {
        const { result, calls } = await withFakeKubectl(["pending-install"], () => recoverInterruptedRelease("shop", INSTALL_ERROR, kubeTarget({ kubeContext: "prod" }, { KUBECONFIG: "/tmp/kc" })));
        assert.match(result ?? "", /revision 1 pending-install/);
        assert.deepEqual(calls, [
            "/tmp/kc --context prod -n store-shop get secrets -l owner=helm,name=shop -o json",
            "/tmp/kc --context prod -n store-shop delete secret --ignore-not-found sh.helm.release.v1.shop.v1",
        ]);
    });

    it("a failure that is not an interrupted Helm operation touches nothing, not even a read", async () => {
        const { result, calls } = await withFakeKubectl(["pending-install"], () => recoverInterruptedRelease("shop", "error: quota exceeded", ANY_CLUSTER));
        assert.equal(result, undefined);
        assert.deepEqual(calls, []);
    });

    it("a killed upgrade whose records show nothing unfinished deletes nothing (the original failure stands)", async () => {
        const { result, calls } = await withFakeKubectl(["superseded", "deployed"], () => recoverInterruptedRelease("shop", UPGRADE_ERROR, ANY_CLUSTER));
        assert.equal(result, undefined);
        assert.equal(calls.length, 1);
    });
});

describe("withReleaseRecovery: an update retried once after a recovery (FAKE update and recovery)", () => {
    it("retries once when a store's release was recovered, and says so", async () => {
        let attempts = 0;
        const said: string[] = [];
        const result = await withReleaseRecovery(async () => { attempts++; if (attempts === 1) throw new Error(INSTALL_ERROR); return "ok"; }, {
            failures: (error) => new Map([["shop", (error as Error).message]]),
            target: ANY_CLUSTER,
            say: (line) => said.push(line),
            recover: async (store, failure) => (interruptionOf(failure) ? `recovered ${store}` : undefined),
        });
        assert.equal(result, "ok");
        assert.equal(attempts, 2);
        assert.deepEqual(said, ["shop: recovered shop"]);
    });

    it("does not retry a failure it cannot recover from, and throws the original error", async () => {
        let attempts = 0;
        await assert.rejects(withReleaseRecovery(async () => { attempts++; throw new Error("quota exceeded"); }, {
            failures: (error) => new Map([["shop", (error as Error).message]]),
            target: ANY_CLUSTER,
            say: () => undefined,
            recover: async () => undefined,
        }), /quota exceeded/);
        assert.equal(attempts, 1);
    });

    it("a second failure after the retry is thrown, not retried again", async () => {
        let attempts = 0;
        await assert.rejects(withReleaseRecovery(async () => { attempts++; throw new Error(INSTALL_ERROR); }, {
            failures: (error) => new Map([["shop", (error as Error).message]]),
            target: ANY_CLUSTER,
            say: () => undefined,
            recover: async (store) => `recovered ${store}`,
        }), /cannot re-use a name/);
        assert.equal(attempts, 2);
    });

    it("only the stores whose own errors show the interruption are recovered", async () => {
        const recovered: string[] = [];
        await withReleaseRecovery(async () => { if (!recovered.length) throw new Error("update failed"); return undefined; }, {
            failures: () => new Map([["a", INSTALL_ERROR], ["b", "error: quota exceeded"]]),
            target: ANY_CLUSTER,
            say: () => undefined,
            recover: async (store, failure) => { if (!interruptionOf(failure)) return undefined; recovered.push(store); return "done"; },
        });
        assert.deepEqual(recovered, ["a"]);
    });
});
