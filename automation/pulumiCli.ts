/**
 * Which Pulumi CLI `npm run up` (and the fleet, and the API's workers) runs.
 *
 * 1. A `pulumi` on PATH at the pinned version or newer is used as it is.
 * 2. One older than the pinned version is refused with a clear message: older engines miss
 *    fixes the program relies on (e.g. the parallel plugin-install race fixed in 3.255.0).
 * 3. Without one on PATH, the pinned version is installed once through the Automation API
 *    (`PulumiCommand.install`) into ~/.woostore/pulumi/<version> and used from there.
 *    Where the download is impossible, one line says so and names the alternatives.
 *
 * The install step is injectable so tests can cover both paths without a network.
 */
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as semver from "semver";

/**
 * The CLI version this project pins: the testbed builds it, the workflows install it and
 * `npm run up` installs it. It is the newest `github.com/pulumi/pulumi/pkg/v3` the Go module
 * proxy serves; `@pulumi/pulumi` is 3.276.0, and the Node SDK talks to an engine of an older
 * minor through feature negotiation (`SupportsFeature`), which tier 2 exercises.
 */
export const PULUMI_CLI_VERSION = "3.274.1";

export interface CliInstallRequest { root: string; version: semver.SemVer }
/** Installs the CLI under `root/bin/pulumi`; `PulumiCommand.install` by default. */
export type CliInstaller = (request: CliInstallRequest) => Promise<unknown>;

export interface ResolveCliOptions {
    /** ~/.woostore or WOOSTORE_HOME. */
    woostoreHome: string;
    /** Progress lines (stderr by default). */
    log?: (line: string) => void;
    installer?: CliInstaller;
    /** The `pulumi` on PATH, as `pulumi version` prints it; undefined when there is none. */
    versionOnPath?: () => string | undefined;
}

export interface ResolvedCli {
    /** What to hand to LocalWorkspace (`pulumiCommand`). */
    command: PulumiCommand;
    /** Directory of the `pulumi` binary: put it first on PATH for child processes. */
    binDir?: string;
    version: string;
    source: "path" | "installed" | "cached";
}

/** A CLI problem the user can fix; its message is the whole story, in one line. */
export class PulumiCliError extends Error {}

export function cliRoot(woostoreHome: string, version = PULUMI_CLI_VERSION): string {
    return path.join(woostoreHome, "pulumi", version);
}

/** `pulumi version` of the binary on PATH (e.g. "v3.274.1"), or undefined when none answers. */
export function pulumiVersionOnPath(): string | undefined {
    try {
        return execFileSync("pulumi", ["version"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 30_000 }).trim();
    } catch {
        return undefined;
    }
}

const defaultInstaller: CliInstaller = ({ root, version }) => PulumiCommand.install({ root, version });

export async function resolvePulumiCli(options: ResolveCliOptions): Promise<ResolvedCli> {
    const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const pinned = new semver.SemVer(PULUMI_CLI_VERSION);
    const onPath = (options.versionOnPath ?? pulumiVersionOnPath)();
    if (onPath !== undefined) {
        const found = semver.coerce(onPath);
        if (!found) {
            throw new PulumiCliError(`the pulumi on PATH printed "${onPath.slice(0, 60)}" for \`pulumi version\`, which is not a version — reinstall it, or remove it from PATH and \`npm run up\` installs v${PULUMI_CLI_VERSION} into ${cliRoot(options.woostoreHome)}`);
        }
        if (semver.lt(found, pinned)) {
            throw new PulumiCliError(`the pulumi on PATH is v${found.version}, older than v${PULUMI_CLI_VERSION} that this project needs — upgrade it (https://www.pulumi.com/docs/install/), or remove it from PATH and \`npm run up\` installs v${PULUMI_CLI_VERSION} into ${cliRoot(options.woostoreHome)}`);
        }
        // The version check is ours (above); the SDK's own check compares against its minimum.
        return { command: await PulumiCommand.get({ skipVersionCheck: true }), version: found.version, source: "path" };
    }

    const root = cliRoot(options.woostoreHome);
    const binDir = path.join(root, "bin");
    if (fs.existsSync(path.join(binDir, "pulumi"))) {
        return { command: await PulumiCommand.get({ root, version: pinned }), binDir, version: PULUMI_CLI_VERSION, source: "cached" };
    }
    log(`No Pulumi CLI on PATH: installing v${PULUMI_CLI_VERSION} into ${root} (once)…`);
    try {
        await (options.installer ?? defaultInstaller)({ root, version: pinned });
    } catch (error) {
        fs.rmSync(root, { recursive: true, force: true });
        const reason = firstLine(error instanceof Error ? error.message : String(error));
        throw new PulumiCliError(`could not download the Pulumi CLI v${PULUMI_CLI_VERSION} (${reason}) — install it yourself (https://www.pulumi.com/docs/install/), or without internet build it with \`bash testbed/build.sh\` and \`source testbed/env.sh\``);
    }
    if (!fs.existsSync(path.join(binDir, "pulumi"))) {
        throw new PulumiCliError(`the Pulumi CLI install finished but ${path.join(binDir, "pulumi")} is missing — remove ${root} and run again, or install the CLI yourself (https://www.pulumi.com/docs/install/)`);
    }
    log(`Pulumi CLI v${PULUMI_CLI_VERSION} installed in ${binDir}.`);
    return { command: await PulumiCommand.get({ root, version: pinned }), binDir, version: PULUMI_CLI_VERSION, source: "installed" };
}

function firstLine(text: string): string {
    const line = text.split("\n").map((part) => part.trim()).find(Boolean) ?? "unknown error";
    return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}
