/**
 * `npm run up` with missing prerequisites: one clear message each, non-zero exit, nothing run.
 * The Pulumi CLI is a fake on PATH here (say so: it only answers `pulumi version`).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { PULUMI_CLI_VERSION } from "../../automation/pulumiCli";
import { PROJECT_DIR } from "../helpers/config";

function runUp(extraPath: string[], env: Record<string, string> = {}) {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-up-"));
    const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "automation", "up.ts")], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        env: { PATH: [...extraPath, path.dirname(process.execPath), "/usr/bin", "/bin"].join(":"), HOME: home, WOOSTORE_HOME: path.join(home, ".woostore"), ...env },
    });
    return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("npm run up: prerequisites", () => {
    it("(fake pulumi on PATH) a CLI older than the pinned version is refused before anything runs", () => {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\necho v3.248.0\n", { mode: 0o755 });
        const { code, output } = runUp([bin]);
        assert.equal(code, 1);
        assert.match(output, /Pulumi CLI: the pulumi on PATH is v3\.248\.0, older than v3\.\d+\.\d+ that this project needs/);
    });

    it("(fake pulumi on PATH) without KUBECONFIG and without k3d it says what to install or set", () => {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho v${PULUMI_CLI_VERSION}\n`, { mode: 0o755 });
        const { code, output } = runUp([bin]);
        assert.equal(code, 1);
        assert.match(output, /no cluster: KUBECONFIG is not set and k3d is not installed/);
    });

    it("(fake pulumi on PATH) with KUBECONFIG pointing nowhere it names the path", () => {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho v${PULUMI_CLI_VERSION}\n`, { mode: 0o755 });
        const { code, output } = runUp([bin], { KUBECONFIG: "/nonexistent/kubeconfig" });
        assert.equal(code, 1);
        assert.match(output, /KUBECONFIG points at \/nonexistent\/kubeconfig, which does not exist/);
    });
});

describe("npm run up: every missing prerequisite at once, before anything is written", () => {
    it("(fake pulumi on PATH, too old) a CLI problem and a missing cluster are both listed, and HOME stays untouched", () => {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\necho v3.248.0\n", { mode: 0o755 });
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-up-"));
        const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "automation", "up.ts")], {
            cwd: PROJECT_DIR,
            encoding: "utf8",
            env: { PATH: [bin, path.dirname(process.execPath), "/usr/bin", "/bin"].join(":"), HOME: home, WOOSTORE_HOME: path.join(home, ".woostore") },
        });
        const output = `${result.stdout}${result.stderr}`;
        assert.equal(result.status, 1);
        assert.match(output, /2 prerequisites are missing, nothing was changed:/);
        assert.match(output, /Pulumi CLI: the pulumi on PATH is v3\.248\.0, older than/);
        assert.match(output, /no cluster: KUBECONFIG is not set and k3d is not installed/);
        assert.deepEqual(fs.readdirSync(home), [], "nothing written to HOME");
    });

    it("(fake pulumi on PATH) prod without KUBECONFIG names the stack's kube context and the missing kubeconfig", () => {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho v${PULUMI_CLI_VERSION}\n`, { mode: 0o755 });
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-up-"));
        const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "automation", "up.ts"), "--stack", "prod"], {
            cwd: PROJECT_DIR,
            encoding: "utf8",
            env: { PATH: [bin, path.dirname(process.execPath), "/usr/bin", "/bin"].join(":"), HOME: home, WOOSTORE_HOME: path.join(home, ".woostore") },
        });
        const output = `${result.stdout}${result.stderr}`;
        assert.equal(result.status, 1);
        assert.match(output, /stack prod uses the kube context "prod" \(woostore:kubeContext in Pulumi\.prod\.yaml\), but KUBECONFIG is not set and .*\.kube\/config does not exist — set KUBECONFIG/);
        assert.doesNotMatch(output, /KUBECONFIG points at/);
        assert.deepEqual(fs.readdirSync(home), []);
    });

    it("(fake pulumi on PATH) prod with a kubeconfig that lacks the context lists the contexts it has", () => {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        fs.writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho v${PULUMI_CLI_VERSION}\n`, { mode: 0o755 });
        const kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-")), "config");
        fs.writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\ncontexts:\n  - name: staging\n    context: {cluster: s, user: s}\n");
        const prod = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "automation", "up.ts"), "--stack", "prod", "--preview"], {
            cwd: PROJECT_DIR,
            encoding: "utf8",
            env: { PATH: [bin, path.dirname(process.execPath), "/usr/bin", "/bin"].join(":"), HOME: fs.mkdtempSync(path.join(os.tmpdir(), "woostore-up-")), KUBECONFIG: kubeconfig },
        });
        assert.equal(prod.status, 1);
        assert.match(`${prod.stdout}${prod.stderr}`, /uses the kube context "prod" \(woostore:kubeContext\), which is not in .* \(it has: staging\)/);
    });
});

describe("command-line arguments", () => {
    const run = (script: string, args: string[]) => {
        const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "automation", script), ...args], { cwd: PROJECT_DIR, encoding: "utf8" });
        return { code: result.status, stdout: result.stdout, stderr: result.stderr };
    };
    for (const [script, command] of [["up.ts", "up"], ["validate.ts", "validate"], ["storeListJsonSchema.ts", "schema"]] as const) {
        it(`npm run ${command} -- --help prints usage and exits 0`, () => {
            const { code, stdout } = run(script, ["--help"]);
            assert.equal(code, 0);
            assert.match(stdout, new RegExp(`^usage: npm run ${command} `));
            assert.match(stdout, /--help +(show )?this/);
        });
        it(`npm run ${command} refuses an unknown flag (exit 2)`, () => {
            const { code, stderr } = run(script, ["--stacks", "dev"]);
            assert.equal(code, 2);
            assert.match(stderr, /unknown option "--stacks"/);
        });
    }
    it("--stack without a value is an error, not the dev stack", () => {
        for (const script of ["up.ts", "validate.ts"]) {
            const { code, stderr } = run(script, ["--stack"]);
            assert.equal(code, 2, script);
            assert.match(stderr, /--stack needs a value/);
        }
        assert.match(run("validate.ts", ["--stack", "--allow-empty"]).stderr, /needs a value/);
    });
    it("validate takes at most one store list, and --preview excludes --destroy", () => {
        assert.match(run("validate.ts", ["a.yaml", "b.yaml"]).stderr, /too many arguments: "a\.yaml" "b\.yaml"/);
        const { code, stderr } = run("up.ts", ["--preview", "--destroy"]);
        assert.equal(code, 2);
        assert.match(stderr, /--preview and --destroy exclude each other/);
    });
});
