/**
 * The fleet's per-store Pulumi operation (fleet/run.ts pulumiOperation) against a FAKE Pulumi
 * CLI (a script that records its arguments and succeeds, with `[]` for JSON queries): which CLI commands a store removed
 * from the list gets. A pull request's preview (`npm run up --preview`) must preview the
 * deletion and never run it; `npm run up` destroys the stack and removes it.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { FleetMode, pulumiOperation } from "../../fleet/run";

describe("fleet: a store removed from the list, against a FAKE Pulumi CLI", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-fake-pulumi-"));
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    /** Runs the operation for a removed store in `mode`; returns its outcome and the CLI calls. */
    async function removedStore(mode: FleetMode) {
        const dir = fs.mkdtempSync(path.join(root, `${mode}-`));
        const bin = path.join(dir, "cli", "bin");
        fs.mkdirSync(bin, { recursive: true });
        const calls = path.join(dir, "calls");
        fs.writeFileSync(path.join(bin, "pulumi"), `#!/usr/bin/env bash\nprintf '%s\\n' "$*" >>"${calls}"\n[[ $1 == version ]] && echo v3.274.1\n[[ " $* " == *" --json "* ]] && echo "[]"\nexit 0\n`, { mode: 0o755 });
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: woostore\nruntime: nodejs\n");
        const pulumiCommand = await PulumiCommand.get({ root: path.join(dir, "cli"), skipVersionCheck: true });
        const fleet = await LocalWorkspace.create({ workDir: dir, pulumiCommand, envVars: {} });
        const outcome = await pulumiOperation({
            planned: { store: "gone", stack: "dev.gone", action: "delete", why: "removed from the store list" },
            mode, fleet, fleetDir: dir, baseConfig: {}, logFile: path.join(dir, "gone.log"), onStep: () => undefined,
            options: { projectDir: dir, woostoreHome: dir, baseStack: "dev", mode, parallelStores: 1, envVars: {}, lockStaleAfterMs: 60_000, progress: { write: () => undefined } },
        });
        return { outcome, calls: fs.readFileSync(calls, "utf8").split("\n").filter(Boolean).filter((line) => line !== "version") };
    }

    it("--preview (a pull request's preview) previews the deletion and deletes nothing", async () => {
        const { outcome, calls } = await removedStore("preview");
        assert.deepEqual(outcome, { status: "would be deleted" });
        const destroys = calls.filter((line) => line.startsWith("destroy "));
        assert.equal(destroys.length, 1, calls.join("\n"));
        assert.match(destroys[0], /^destroy --preview-only .*--stack dev\.gone/);
        assert.doesNotMatch(destroys[0], /--yes|--skip-preview/);
        assert.ok(!calls.some((line) => line.startsWith("stack rm")), calls.join("\n"));
    });

    it("up destroys the stack and removes it", async () => {
        const { outcome, calls } = await removedStore("up");
        assert.deepEqual(outcome, { status: "deleted" });
        assert.ok(calls.some((line) => /^destroy --yes --skip-preview .*--stack dev\.gone/.test(line)), calls.join("\n"));
        assert.ok(calls.some((line) => /^stack rm .*dev\.gone/.test(line)), calls.join("\n"));
    });
});
