/**
 * Which Pulumi CLI `npm run up` uses (automation/pulumiCli.ts). The installer here is a FAKE
 * (it writes a shell script that only answers `pulumi version`), and so is the CLI on PATH:
 * no network and no real CLI are needed. The real `PulumiCommand.install` is exercised by the
 * last test of `npm run up` with the download made impossible by an unreachable proxy.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { cliRoot, PULUMI_CLI_VERSION, PulumiCliError, resolvePulumiCli } from "../../automation/pulumiCli";
import { PROJECT_DIR } from "../helpers/config";

const tempHome = () => fs.mkdtempSync(path.join(os.tmpdir(), "woostore-cli-"));

/** A fake installer: writes `<root>/bin/pulumi` that prints the requested version. */
function fakeInstaller(calls: string[]) {
    return async ({ root, version }: { root: string; version: { version: string } }) => {
        calls.push(`${root}@${version.version}`);
        fs.mkdirSync(path.join(root, "bin"), { recursive: true });
        fs.writeFileSync(path.join(root, "bin", "pulumi"), `#!/bin/sh\necho v${version.version}\n`, { mode: 0o755 });
    };
}

describe("Pulumi CLI resolution (fake installer, fake CLI)", () => {
    it("without a CLI on PATH it installs the pinned version into ~/.woostore/pulumi/<version>, with a progress line, once", async () => {
        const home = tempHome();
        const calls: string[] = [];
        const lines: string[] = [];
        const first = await resolvePulumiCli({ woostoreHome: home, versionOnPath: () => undefined, installer: fakeInstaller(calls), log: (l) => lines.push(l) });
        assert.equal(first.source, "installed");
        assert.equal(first.version, PULUMI_CLI_VERSION);
        assert.equal(first.binDir, path.join(home, "pulumi", PULUMI_CLI_VERSION, "bin"));
        assert.equal(first.command.command, path.join(home, "pulumi", PULUMI_CLI_VERSION, "bin", "pulumi"));
        assert.equal(first.command.version?.version, PULUMI_CLI_VERSION);
        assert.deepEqual(calls, [`${cliRoot(home)}@${PULUMI_CLI_VERSION}`]);
        assert.match(lines[0], new RegExp(`installing v${PULUMI_CLI_VERSION.replace(/\./g, "\\.")} into ${cliRoot(home)}`));

        const second = await resolvePulumiCli({ woostoreHome: home, versionOnPath: () => undefined, installer: fakeInstaller(calls), log: (l) => lines.push(l) });
        assert.equal(second.source, "cached");
        assert.equal(calls.length, 1, "the second run reuses the installed CLI");
    });

    it("when the download is impossible it says so in one line, names the alternatives and leaves no half install", async () => {
        const home = tempHome();
        const failing = async ({ root }: { root: string }) => {
            fs.mkdirSync(root, { recursive: true });
            throw new Error("Failed to download https://get.pulumi.com/install.sh: fetch failed\n    at download (…)");
        };
        await assert.rejects(resolvePulumiCli({ woostoreHome: home, versionOnPath: () => undefined, installer: failing, log: () => undefined }), (error: Error) => {
            assert.ok(error instanceof PulumiCliError);
            assert.doesNotMatch(error.message, /\n/);
            assert.match(error.message, /could not download the Pulumi CLI v3\.\d+\.\d+ \(Failed to download https:\/\/get\.pulumi\.com\/install\.sh: fetch failed\)/);
            assert.match(error.message, /install it yourself \(https:\/\/www\.pulumi\.com\/docs\/install\/\)/);
            assert.match(error.message, /bash testbed\/build\.sh/);
            return true;
        });
        assert.equal(fs.existsSync(cliRoot(home)), false);
    });

    it("a CLI on PATH older than the pinned version is refused with what to do", async () => {
        await assert.rejects(resolvePulumiCli({ woostoreHome: tempHome(), versionOnPath: () => "v3.248.0", installer: () => assert.fail("must not install") }), (error: Error) => {
            assert.ok(error instanceof PulumiCliError);
            assert.match(error.message, new RegExp(`the pulumi on PATH is v3\\.248\\.0, older than v${PULUMI_CLI_VERSION.replace(/\./g, "\\.")} that this project needs — upgrade it`));
            assert.match(error.message, /or remove it from PATH/);
            return true;
        });
    });

    it("a CLI on PATH that prints no version is refused", async () => {
        await assert.rejects(resolvePulumiCli({ woostoreHome: tempHome(), versionOnPath: () => "command not found" }), /printed "command not found" for `pulumi version`, which is not a version/);
    });

    it("a CLI on PATH at the pinned version or newer is used as it is, without installing", async () => {
        const bin = fs.mkdtempSync(path.join(os.tmpdir(), "fake-pulumi-"));
        fs.writeFileSync(path.join(bin, "pulumi"), "#!/bin/sh\necho v3.280.0\n", { mode: 0o755 });
        const savedPath = process.env.PATH;
        process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
        try {
            const resolved = await resolvePulumiCli({ woostoreHome: tempHome(), versionOnPath: () => "v3.280.0", installer: () => assert.fail("must not install") });
            assert.equal(resolved.source, "path");
            assert.equal(resolved.version, "3.280.0");
            assert.equal(resolved.command.command, "pulumi");
        } finally {
            process.env.PATH = savedPath;
        }
    });
});

describe("npm run up without a Pulumi CLI on PATH (real PulumiCommand.install, download made impossible)", () => {
    it("prints the install progress line, then one line saying the download failed and what to do instead", () => {
        const home = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-up-"));
        // Every other prerequisite is met (a kubeconfig exists), so `up` gets as far as the install.
        const kubeconfig = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-")), "config");
        fs.writeFileSync(kubeconfig, "apiVersion: v1\nkind: Config\ncontexts: []\n");
        const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "automation", "up.ts")], {
            cwd: PROJECT_DIR,
            encoding: "utf8",
            timeout: 60_000,
            // An unreachable proxy makes the download fail the same way with or without internet.
            env: {
                KUBECONFIG: kubeconfig,
                PATH: [path.dirname(process.execPath), "/usr/bin", "/bin"].join(":"), HOME: home, WOOSTORE_HOME: path.join(home, ".woostore"),
                HTTPS_PROXY: "http://127.0.0.1:9", https_proxy: "http://127.0.0.1:9", NODE_USE_ENV_PROXY: "1",
            },
        });
        const output = `${result.stdout}${result.stderr}`;
        assert.equal(result.status, 1, output);
        assert.match(output, new RegExp(`No Pulumi CLI on PATH: installing v${PULUMI_CLI_VERSION.replace(/\./g, "\\.")} into ${path.join(home, ".woostore", "pulumi", PULUMI_CLI_VERSION)}`));
        assert.match(output, /Pulumi CLI: could not download the Pulumi CLI v3\.\d+\.\d+ \(.+\) — install it yourself/);
        assert.equal(fs.existsSync(path.join(home, ".woostore", "pulumi", PULUMI_CLI_VERSION)), false);
    });
});
