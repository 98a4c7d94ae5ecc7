/**
 * The WP-Cron CronJob's script (charts/woostore/templates/wordpress-cron.yaml), taken from the
 * rendered chart and run by sh with the FAKE `wp` of the setup tests on PATH
 * (tests/fixtures/setup/wp): what it runs, in which order, and that it does nothing before the
 * setup Job installed WordPress. Real WP-CLI and WordPress are not involved.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { before, describe, it } from "node:test";
import { getObject, REPO_ROOT, renderChart } from "../helpers/helm";

const FAKES = join(REPO_ROOT, "tests", "fixtures", "setup");
let script: string;

before(async () => {
    const { objects } = await renderChart("shop");
    const command: string[] = getObject(objects, "CronJob", "shop-cron").spec.jobTemplate.spec.template.spec.containers[0].command;
    assert.deepEqual(command.slice(0, 2), ["sh", "-c"]);
    script = command[2];
});

function runCron(state: { installed: boolean; woocommerce: boolean; files: boolean }) {
    const dir = mkdtempSync(join(tmpdir(), "woostore-cron-"));
    const docroot = join(dir, "html");
    const fakeState = join(dir, "state");
    mkdirSync(join(docroot, "wp-includes"), { recursive: true });
    mkdirSync(fakeState);
    if (state.files) writeFileSync(join(docroot, "wp-includes", "version.php"), "<?php $wp_version = '6.8.3';\n");
    if (state.installed) writeFileSync(join(fakeState, "installed"), "");
    if (state.woocommerce) {
        writeFileSync(join(fakeState, "plugin_version"), "10.3.5");
        writeFileSync(join(fakeState, "plugin_active"), "");
    }
    const result = spawnSync("sh", ["-c", script], {
        cwd: docroot,
        encoding: "utf8",
        env: { PATH: [FAKES, ...(process.env.PATH ?? "").split(delimiter)].join(delimiter), FAKE_STATE: fakeState },
    });
    let calls: string[] = [];
    try {
        calls = readFileSync(join(fakeState, "calls.log"), "utf8").split("\n").filter((line) => line !== "");
    } catch {
        // no wp call at all
    }
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

describe("WP-Cron CronJob script (sh, fake wp on PATH)", () => {
    it("fake wp: runs due cron events, then the Action Scheduler queue", () => {
        const run = runCron({ installed: true, woocommerce: true, files: true });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(run.calls, ["wp core is-installed", "wp cron event run --due-now", "wp cli has-command action-scheduler run", "wp action-scheduler run"]);
        assert.match(run.stdout, /Executed a total of 2 cron events[\s\S]*3 scheduled tasks completed/);
    });

    it("fake wp: without WooCommerce active, only WP-Cron runs", () => {
        const run = runCron({ installed: true, woocommerce: false, files: true });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(run.calls, ["wp core is-installed", "wp cron event run --due-now", "wp cli has-command action-scheduler run"]);
    });

    it("fake wp: before the setup Job (no files, or not installed) it succeeds without running anything", () => {
        const noFiles = runCron({ installed: false, woocommerce: false, files: false });
        assert.equal(noFiles.status, 0);
        assert.deepEqual(noFiles.calls, []);
        const notInstalled = runCron({ installed: false, woocommerce: false, files: true });
        assert.equal(notInstalled.status, 0);
        assert.deepEqual(notInstalled.calls, ["wp core is-installed"]);
        assert.match(notInstalled.stdout, /nothing to run/);
    });

    it("fake wp: a failing cron run fails the Job (set -e), so the CronJob's failed history shows it", () => {
        const dir = mkdtempSync(join(tmpdir(), "woostore-cron-fail-"));
        mkdirSync(join(dir, "wp-includes"), { recursive: true });
        writeFileSync(join(dir, "wp-includes", "version.php"), "");
        const fakeState = join(dir, "state");
        mkdirSync(fakeState);
        writeFileSync(join(fakeState, "installed"), "");
        const result = spawnSync("sh", ["-c", script], {
            cwd: dir,
            encoding: "utf8",
            env: { PATH: [FAKES, ...(process.env.PATH ?? "").split(delimiter)].join(delimiter), FAKE_STATE: fakeState, FAKE_FAIL: "wp cron event run" },
        });
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /injected failure/);
    });
});
