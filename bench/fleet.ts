/**
 * `npm run bench` (tier 2), fleet rows F1–F4 (issue 10): both stack layouts in one run, on
 * testbed clusters, through the real `npm run up` process. Memory is the peak of the whole
 * process tree (bench/processTree.ts); time is wall time of the command.
 *
 *   F1  20 new stores vs 1 new store (KWOK delays: pods Ready ~20 s, Job pods done ~30 s
 *       after start, like real images)                        target perStore ≤ 1.5×
 *   F2  N stores deployed, one store's quota changed, vs the same change in a 1-store fleet
 *                                                             target perStore ≤ 1.5×
 *   F3  N stores deployed, nothing changed                    target ≤ 10 s, ≤ 300 MiB in all
 *   F4  peak RSS with --parallel-stores 4 and 8 (20 new stores), per operation
 *
 * BENCH_FLEET_SIZE (default 200) sets N; BENCH_POD_READY_MS / BENCH_JOB_COMPLETE_MS the delays.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { collect, Fleet, RunResult } from "../tests/e2e/fleetHarness";
import { Cluster, loadTestbedEnv, startCluster } from "../tests/e2e/testbed";
import { peakTreeRss } from "./processTree";

interface Row { id: string; layout: string; scenario: string; seconds: number; peakMiB: number }

const N = Number(process.env.BENCH_FLEET_SIZE ?? 200);
const POD_READY_MS = process.env.BENCH_POD_READY_MS ?? "20000";
const JOB_COMPLETE_MS = process.env.BENCH_JOB_COMPLETE_MS ?? "30000";
const rows: Row[] = [];
let fleetCounter = 0;

const stores = (count: number, prefix: string, changed?: string) =>
    Array.from({ length: count }, (_, index) => ({ name: `${prefix}${index}`, ...(changed === `${prefix}${index}` ? { quota: { cpu: "3" } } : {}) }));

/** Runs `npm run up` (or migrate) for a fleet and measures wall time and the tree's peak RSS. */
async function measured(fleet: Fleet, args: string[]): Promise<{ seconds: number; peakMiB: number; result: RunResult }> {
    const started = process.hrtime.bigint();
    const child = fleet.start(args);
    const done = collect(child);
    const peakMiB = await peakTreeRss(child.pid!, done);
    const result = await done;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (result.code !== 0) throw new Error(`npm run up ${args.join(" ")} failed (exit ${result.code}):\n${result.stdout.slice(-2000)}`);
    return { seconds, peakMiB, result };
}

function newFleet(cluster: Cluster, layout: "perStore" | "single"): Fleet {
    const backend = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-bench-state-"));
    return new Fleet(`benchfleet${process.pid}x${fleetCounter++}`, cluster, `file://${backend}`, layout);
}

function record(id: string, layout: string, scenario: string, m: { seconds: number; peakMiB: number }) {
    rows.push({ id, layout, scenario, seconds: m.seconds, peakMiB: m.peakMiB });
    console.error(`[bench] ${id} ${layout} ${scenario}: ${m.seconds.toFixed(1)} s, ${m.peakMiB.toFixed(0)} MiB`);
}

function clusterEnv(delays: boolean) {
    Object.assign(process.env, { NODES: "4", NODE_PODS: "1000", NODE_CPU: "2048", NODE_MEM: "4096Gi" });
    process.env.POD_READY_DELAY_MS = delays ? POD_READY_MS : "0";
    process.env.JOB_COMPLETE_DELAY_MS = delays ? JOB_COMPLETE_MS : "0";
}

async function main() {
    loadTestbedEnv();
    const skip = new Set((process.env.BENCH_FLEET_SKIP ?? "").split(",").filter(Boolean));

    // F1 and F4: new stores against realistic pod and Job delays.
    if (!skip.has("F1")) {
        clusterEnv(true);
        const cluster = startCluster("bench-fleet-delays", 47000);
        try {
            for (const layout of ["perStore", "single"] as const) {
                for (const count of [1, 20]) {
                    const fleet = newFleet(cluster, layout);
                    try {
                        fleet.writeStores(stores(count, `f1${layout === "single" ? "s" : "p"}${count}-`));
                        const m = await measured(fleet, layout === "perStore" ? ["--parallel-stores", "4"] : []);
                        record("F1", layout, `${count} new store${count === 1 ? "" : "s"}`, m);
                        if (layout === "perStore" && count === 20) record("F4", layout, "20 new stores, --parallel-stores 4", m);
                    } finally {
                        await fleet.run(["--destroy"]).catch(() => undefined);
                        fleet.dispose();
                    }
                }
            }
            const fleet = newFleet(cluster, "perStore");
            try {
                fleet.writeStores(stores(20, "f4p8-"));
                record("F4", "perStore", "20 new stores, --parallel-stores 8", await measured(fleet, ["--parallel-stores", "8"]));
            } finally {
                await fleet.run(["--destroy"]).catch(() => undefined);
                fleet.dispose();
            }
        } finally {
            cluster.down();
        }
    }

    // F2 and F3: a deployed fleet of N stores (built without delays; building is not measured).
    if (!skip.has("F2")) {
        clusterEnv(false);
        const cluster = startCluster("bench-fleet", 48000);
        try {
            for (const layout of ["perStore", "single"] as const) {
                for (const count of [1, N]) {
                    const fleet = newFleet(cluster, layout);
                    try {
                        const prefix = `f2${layout === "single" ? "s" : "p"}${count}-`;
                        fleet.writeStores(stores(count, prefix));
                        const build = await measured(fleet, layout === "perStore" ? ["--parallel-stores", "8"] : []);
                        console.error(`[bench] built ${count} stores (${layout}) in ${build.seconds.toFixed(0)} s`);
                        record("F3", layout, `${count} deployed, nothing changed`, await measured(fleet, []));
                        fleet.writeStores(stores(count, prefix, `${prefix}0`));
                        record("F2", layout, `${count} deployed, one quota changed`, await measured(fleet, []));
                    } finally {
                        fleet.dispose(); // the cluster and the backend go with it; destroying N stores is not measured
                    }
                }
            }
        } finally {
            cluster.down();
        }
    }

    console.log("id | layout | scenario | wall (s) | peak RSS, whole tree (MiB)");
    console.log("---|--------|----------|---------:|---------------------------:");
    for (const row of rows) console.log(`${row.id} | ${row.layout} | ${row.scenario} | ${row.seconds.toFixed(1)} | ${row.peakMiB.toFixed(0)}`);
    const find = (id: string, layout: string, prefix: string) => rows.find((r) => r.id === id && r.layout === layout && r.scenario.startsWith(prefix));
    for (const layout of ["perStore", "single"]) {
        const [one, twenty] = [find("F1", layout, "1 new"), find("F1", layout, "20 new")];
        if (one && twenty) console.log(`F1 ${layout}: 20 new / 1 new = ${(twenty.seconds / one.seconds).toFixed(2)}× (target perStore ≤ 1.5×)`);
        const [small, big] = [find("F2", layout, "1 deployed"), find("F2", layout, `${N} deployed`)];
        if (small && big) console.log(`F2 ${layout}: one change among ${N} / among 1 = ${(big.seconds / small.seconds).toFixed(2)}× (target perStore ≤ 1.5×)`);
    }
    const [noop1, noopN] = [find("F3", "perStore", "1 deployed"), find("F3", "perStore", `${N} deployed`)];
    if (noop1 && noopN) {
        const perStore = (noopN.seconds - noop1.seconds) / (N - 1);
        console.log(`F3 perStore: ${N} unchanged stores in ${noopN.seconds.toFixed(1)} s, ${noopN.peakMiB.toFixed(0)} MiB (target ≤ 10 s, ≤ 300 MiB); ` +
            `${(perStore * 1000).toFixed(1)} ms per store → ~${(noop1.seconds + perStore * 999).toFixed(1)} s for 1,000`);
    }
    const [p4, p8] = [find("F4", "perStore", "20 new stores, --parallel-stores 4"), find("F4", "perStore", "20 new stores, --parallel-stores 8")];
    if (p4 && p8) console.log(`F4: peak ${p4.peakMiB.toFixed(0)} MiB with 4 in flight, ${p8.peakMiB.toFixed(0)} MiB with 8: ~${((p8.peakMiB - p4.peakMiB) / 4).toFixed(0)} MiB per extra operation`);
    fs.writeFileSync(path.join(os.tmpdir(), "woostore-bench-fleet.json"), stringify(rows));
}

main().catch((error) => { console.error(error); process.exitCode = 1; });
