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
