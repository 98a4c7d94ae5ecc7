/**
 * `npm run bench` (tier 2): on the testbed, wall time and peak RSS of `pulumi up` for 1, 10
 * and 20 new stores, and of a no-op `pulumi preview` with 50 and 200 stores; a table with
 * ratios to the 1-store figures. Targets (issue #5): 20 stores ≤ 2× the time of 1; the no-op
 * preview of 200 stores ≤ 60 s. Peak RSS is the largest single process (GNU time's %M).
 *
 * `up` is measured twice: as a user runs it on a self-managed (file) backend, which rewrites
 * the whole checkpoint after every step, and with PULUMI_SKIP_CHECKPOINTS=true (final state
 * only), which shows how much of the growth is the backend rather than the stores.
 *
 * BENCH_UP_SIZES / BENCH_PREVIEW_SIZES override the sizes (comma-separated).
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Cluster, loadTestbedEnv, startCluster, StoreSpec, TestStack } from "../tests/e2e/testbed";

interface Row { what: string; stores: number; seconds: number; peakRssMiB: number }

const upSizes = (process.env.BENCH_UP_SIZES ?? "1,10,20").split(",").map(Number);
const previewSizes = (process.env.BENCH_PREVIEW_SIZES ?? "50,200").split(",").map(Number);

/** Runs the Pulumi CLI under GNU time; returns wall seconds and peak RSS. */
function timedPulumi(test: TestStack, args: string[], extraEnv: Record<string, string> = {}): { seconds: number; peakRssMiB: number } {
    const timeFile = path.join(test.dir, "time.txt");
    const env = {
        ...process.env,
        ...extraEnv,
        KUBECONFIG: test.cluster.kubeconfig,
        PULUMI_BACKEND_URL: `file://${test.backendDir}`,
        PULUMI_CONFIG_PASSPHRASE: "e2e-passphrase",
        PULUMI_NODEJS_TRANSPILE_ONLY: "true",
    };
    const result = spawnSync("/usr/bin/time", ["-f", "%e %M", "-o", timeFile, "pulumi", ...args, "--stack", test.stackName, "--non-interactive"], { cwd: path.join(__dirname, ".."), env, stdio: ["ignore", "ignore", "inherit"] });
    if (result.status !== 0) {
        throw new Error(`pulumi ${args.join(" ")} failed (exit ${result.status})`);
    }
    const [seconds, kib] = fs.readFileSync(timeFile, "utf8").trim().split("\n").pop()!.split(" ").map(Number);
    return { seconds, peakRssMiB: kib / 1024 };
}

const storesOf = (count: number, prefix: string): StoreSpec[] => Array.from({ length: count }, (_, index) => ({ name: `${prefix}${index}` }));

async function main() {
    if (!fs.existsSync("/usr/bin/time")) {
        execFileSync("apt-get", ["install", "-y", "-qq", "time"], { stdio: "inherit" });
    }
    loadTestbedEnv();
    // Room for 200 stores of 3 pods each.
    process.env.NODES = "4";
    process.env.NODE_PODS = "400";
    process.env.NODE_CPU = "512";
    process.env.NODE_MEM = "1024Gi";
    const cluster: Cluster = startCluster("bench", 39000);
    const rows: Row[] = [];
    try {
        const skipCheckpoints = { PULUMI_SKIP_CHECKPOINTS: "true" };
        for (const [what, extraEnv] of [["up (new stores)", {}], ["up, PULUMI_SKIP_CHECKPOINTS", skipCheckpoints]] as const) {
            for (const size of upSizes) {
                const test = await new TestStack(`bench-up-${size}`, cluster).open();
                try {
                    test.writeStores(storesOf(size, `u${size}-`));
                    rows.push({ what, stores: size, ...timedPulumi(test, ["up", "--yes", "--skip-preview"], extraEnv) });
                    console.error(`${what} ${size}: ${JSON.stringify(rows[rows.length - 1])}`);
                    timedPulumi(test, ["destroy", "--yes", "--skip-preview"], skipCheckpoints);
                } finally {
                    await test.stack.workspace.removeStack(test.stackName, { force: true }).catch(() => undefined);
                    test.dispose();
                }
            }
        }
        const test = await new TestStack("bench-preview", cluster).open();
        try {
            for (const size of [...previewSizes].sort((a, b) => a - b)) {
                test.writeStores(storesOf(size, "p"));
                // Building the state is not measured; only the no-op preview is.
                timedPulumi(test, ["up", "--yes", "--skip-preview"], skipCheckpoints);
                rows.push({ what: "preview (no changes)", stores: size, ...timedPulumi(test, ["preview", "--expect-no-changes"]) });
                console.error(`preview ${size}: ${JSON.stringify(rows[rows.length - 1])}`);
            }
        } finally {
            timedPulumi(test, ["destroy", "--yes", "--skip-preview"], { PULUMI_SKIP_CHECKPOINTS: "true" });
            await test.stack.workspace.removeStack(test.stackName, { force: true }).catch(() => undefined);
            test.dispose();
        }
    } finally {
        cluster.down();
    }

    const base = (what: string) => rows.find((row) => row.what === what)!;
    console.log("what | stores | wall (s) | peak RSS (MiB) | time ÷ smallest | RSS ÷ smallest");
    console.log("-----|-------:|---------:|---------------:|----------------:|---------------:");
    for (const row of rows) {
        const first = base(row.what);
        console.log(`${row.what} | ${row.stores} | ${row.seconds.toFixed(1)} | ${row.peakRssMiB.toFixed(0)} | ${(row.seconds / first.seconds).toFixed(2)} | ${(row.peakRssMiB / first.peakRssMiB).toFixed(2)}`);
    }
    for (const what of ["up (new stores)", "up, PULUMI_SKIP_CHECKPOINTS"]) {
        const up1 = rows.find((row) => row.what === what && row.stores === 1);
        const up20 = rows.find((row) => row.what === what && row.stores === 20);
        if (up1 && up20) console.log(`\n${what}: 20 stores / 1 store = ${(up20.seconds / up1.seconds).toFixed(2)}× (target ≤ 2×)`);
    }
    const preview200 = rows.find((row) => row.what.startsWith("preview") && row.stores === 200);
    if (preview200) console.log(`no-op preview of 200 stores: ${preview200.seconds.toFixed(1)} s (target ≤ 60 s)`);
}

main().catch((error) => { console.error(error); process.exitCode = 1; });
