/**
 * Pulumi upgrades a local chart only when Chart.yaml's version changes: any change to a packaged
 * file under charts/woostore must come with a version bump. charts/woostore/.chart-digest records
 * the content digest with the version it belongs to; this test recomputes it.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { CHART_DIR } from "../helpers/helm";

function digestScript(chartDir: string, args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [join(chartDir, "scripts", "digest.mjs"), ...args], (error, stdout, stderr) => {
            resolve({ code: error ? Number(error.code ?? 1) : 0, out: `${stdout}${stderr}` });
        });
    });
}

test("charts/woostore matches the digest recorded for its version", async () => {
    const { code, out } = await digestScript(CHART_DIR, ["--check"]);
    assert.equal(code, 0, out);
});

test("the check fails on a change without a version bump, and passes once bumped and recorded", async () => {
    const copy = join(mkdtempSync(join(tmpdir(), "woostore-chart-digest-")), "woostore");
    cpSync(CHART_DIR, copy, { recursive: true });
    writeFileSync(join(copy, "templates", "NOTES.txt"), `${readFileSync(join(copy, "templates", "NOTES.txt"), "utf8")}\nchanged\n`);

    const changed = await digestScript(copy, ["--check"]);
    assert.equal(changed.code, 1);
    assert.match(changed.out, /bump version in Chart\.yaml and run `npm run chart:digest`/);
    const refused = await digestScript(copy, []);
    assert.equal(refused.code, 1, "recording a new digest for the same version must be refused");

    const chartYaml = join(copy, "Chart.yaml");
    writeFileSync(chartYaml, readFileSync(chartYaml, "utf8").replace(/^version: .*$/m, "version: 99.0.0"));
    assert.equal((await digestScript(copy, ["--check"])).code, 1, "a bumped but unrecorded version still fails");
    assert.equal((await digestScript(copy, [])).code, 0);
    assert.equal((await digestScript(copy, ["--check"])).code, 0, "bumped and recorded");

    // Files outside the package (ci/, scripts/) do not need a bump.
    writeFileSync(join(copy, "ci", "dev-values.yaml"), "# edited\n", { flag: "a" });
    assert.equal((await digestScript(copy, ["--check"])).code, 0);
});
