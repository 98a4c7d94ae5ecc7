/**
 * `npm run bench:program`: time and peak RSS to evaluate the program under Pulumi mocks for
 * 10, 100 and 1000 stores, each in a fresh process, as a table with ratios to 10 stores.
 * Target (issue #2): 1000 stores in ≤ 10 s and ≤ 1 GiB.
 * Then `npm run validate`'s time on store lists where every entry has an error (issue 15:
 * problems are deduplicated in linear time; target 5,000 such stores in ≤ 5 s).
 */
import { execFileSync } from "child_process";
import * as os from "os";
import * as path from "path";

interface Sample { stores: number; resources: number; validatedMs: number; totalMs: number; peakRssMiB: number }

const sizes = (process.env.BENCH_SIZES ?? "10,100,1000").split(",").map(Number);
const tsx = path.join(__dirname, "..", "node_modules", ".bin", "tsx");
const samples: Sample[] = sizes.map((size) => JSON.parse(execFileSync(tsx, [path.join(__dirname, "programUnderMocks.ts"), String(size)], { encoding: "utf8" }).trim().split("\n").pop()!) as Sample);

const base = samples[0];
console.log("stores | resources | validate (ms) | program (ms) | peak RSS (MiB) | time ÷ first | RSS ÷ first");
console.log("------:|----------:|--------------:|-------------:|---------------:|-------------:|-----------:");
for (const sample of samples) {
    console.log([
        sample.stores, sample.resources, sample.validatedMs.toFixed(0), sample.totalMs.toFixed(0), sample.peakRssMiB.toFixed(0),
        (sample.totalMs / base.totalMs).toFixed(2), (sample.peakRssMiB / base.peakRssMiB).toFixed(2),
    ].join(" | "));
}
const largest = samples[samples.length - 1];
const withinTarget = largest.totalMs <= 10_000 && largest.peakRssMiB <= 1024;
console.log(`\n${largest.stores} stores: ${(largest.totalMs / 1000).toFixed(1)} s, ${largest.peakRssMiB.toFixed(0)} MiB — target ≤ 10 s and ≤ 1024 MiB: ${withinTarget ? "met" : "MISSED"}`);

interface ValidationSample { stores: number; problems: number; validateMs: number }
const invalidSizes = (process.env.BENCH_INVALID_SIZES ?? "500,5000,10000").split(",").map(Number);
const validations: ValidationSample[] = invalidSizes.map((size) => JSON.parse(execFileSync(tsx, [path.join(__dirname, "validateMany.ts"), String(size)], { encoding: "utf8" }).trim().split("\n").pop()!) as ValidationSample);
console.log(`\nstores, each with an error | problems (2 stacks) | validate (ms) | time ÷ first | stores ÷ first   (load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores)`);
console.log("--------------------------:|-------------------:|--------------:|-------------:|--------------:");
for (const sample of validations) {
    console.log([sample.stores, sample.problems, sample.validateMs.toFixed(0), (sample.validateMs / validations[0].validateMs).toFixed(2), (sample.stores / validations[0].stores).toFixed(0)].join(" | "));
}
const fiveThousand = validations.find((sample) => sample.stores === 5000);
const validationWithinTarget = fiveThousand === undefined || fiveThousand.validateMs <= 5_000;
if (fiveThousand) {
    console.log(`\n5000 stores with an error each: ${(fiveThousand.validateMs / 1000).toFixed(1)} s — target ≤ 5 s: ${validationWithinTarget ? "met" : "MISSED"}`);
}
process.exitCode = withinTarget && validationWithinTarget ? 0 : 1;
