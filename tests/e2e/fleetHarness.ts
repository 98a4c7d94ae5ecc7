/**
 * A fleet of this project's program for tier-2 tests and benchmarks: `npm run up` and
 * `npm run migrate` run as real processes (automation/*.ts), with their own base stack config
 * (Pulumi.<stack>.yaml, gitignored), store list, backend and ~/.woostore.
 */
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { PROJECT_DIR } from "../../automation/workspace";
import type { FleetSummary } from "../../fleet/run";
import { fleetDir } from "../../fleet/workspace";
import { Cluster, E2E_STORE_LIST_DIR } from "./testbed";

export interface RunResult { code: number | null; stdout: string; stderr: string }

/** A fleet of this project's program: its own base stack config, store list, backend and ~/.woostore. */
export class Fleet {
    readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-fleet-"));
    /** Inside the project (a store list outside it is refused), gitignored. */
    readonly storeListPath: string;
    readonly storeListFile: string;
    readonly home = path.join(this.dir, "home");
    readonly configFile: string;

    constructor(readonly stack: string, readonly cluster: Cluster, readonly backendUrl: string, readonly layout: "perStore" | "single" = "perStore") {
        this.configFile = path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
        this.storeListPath = path.join(E2E_STORE_LIST_DIR, `${stack}.yaml`);
        this.storeListFile = path.join(PROJECT_DIR, this.storeListPath);
        fs.mkdirSync(path.dirname(this.storeListFile), { recursive: true });
        fs.writeFileSync(this.configFile, stringify({
            config: {
                "woostore:domain": "localhost",
                "woostore:storeList": this.storeListPath,
                "woostore:storageClass": "local-path",
                "woostore:stackLayout": layout,
            },
        }));
        this.writeStores([]);
    }

    writeStores(stores: { name: string; quota?: Record<string, string>; container?: { limits?: Record<string, string> }; protect?: boolean }[]): void {
        fs.writeFileSync(this.storeListFile, stringify({
            stores: stores.map(({ name, ...rest }) => ({ name, admin: { email: `owner@${name}.example.com` }, ...rest })),
        }));
    }

    env(): NodeJS.ProcessEnv {
        return {
            ...process.env,
            PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}`,
            KUBECONFIG: this.cluster.kubeconfig,
            PULUMI_BACKEND_URL: this.backendUrl,
            PULUMI_CONFIG_PASSPHRASE: "e2e-fleet-passphrase",
            WOOSTORE_HOME: this.home,
            // Type checking is tier 1's job; here the program is only transpiled.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        };
    }

    start(args: string[], script = "up"): ChildProcess {
        return spawn(process.execPath, ["--import", "tsx", path.join(PROJECT_DIR, "automation", `${script}.ts`), "--stack", this.stack, ...args], { cwd: PROJECT_DIR, env: this.env(), stdio: ["ignore", "pipe", "pipe"] });
    }

    run(args: string[], script = "up"): Promise<RunResult> {
        return collect(this.start(args, script));
    }

    async upJson(args: string[] = []): Promise<{ result: RunResult; summary: FleetSummary }> {
        const result = await this.run(["--json", ...args]);
        let summary: FleetSummary;
        try {
            summary = JSON.parse(result.stdout) as FleetSummary;
        } catch {
            throw new Error(`npm run up --json printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
        }
        return { result, summary };
    }

    pulumi(args: string[], cwd = fleetDir(this.home, PROJECT_DIR)): string {
        return execFileSync("pulumi", [...args, "--non-interactive"], { cwd, env: this.env(), encoding: "utf8", maxBuffer: 64 << 20 });
    }

    stacks(): string[] {
        return (JSON.parse(this.pulumi(["stack", "ls", "--json"])) as { name: string }[]).map((s) => s.name).filter((name) => name.startsWith(`${this.stack}.`)).sort();
    }

    dispose(): void {
        fs.rmSync(this.configFile, { force: true });
        fs.rmSync(this.storeListFile, { force: true });
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

export function collect(child: ChildProcess): Promise<RunResult> {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr?.on("data", (chunk: Buffer) => { stderr += chunk.toString(); process.stderr.write(chunk); });
    return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

