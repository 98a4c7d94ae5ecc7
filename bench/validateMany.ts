/**
 * One measurement for `npm run bench:program`: `npm run validate`'s own function
 * (validateProject, both stacks) on a store list of N entries that each have one error, in
 * a throwaway project directory. Prints JSON with the wall time and the number of problems.
 * Run as its own process so each N starts cold.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { performance } from "perf_hooks";
import { validateProject } from "../automation/validate";

function main(storeCount: number) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-bench-validate-"));
    try {
        for (const stack of ["dev", "prod"]) {
            fs.copyFileSync(path.join(__dirname, "..", `Pulumi.${stack}.yaml`), path.join(dir, `Pulumi.${stack}.yaml`));
        }
        // Every entry has one error (a lowercase currency), so every entry yields one problem per stack.
        const entries = Array.from({ length: storeCount }, (_, index) => `  - name: store-${index}\n    admin: {email: owner${index}@example.com}\n    woocommerce: {currency: usd}`);
        fs.writeFileSync(path.join(dir, "stores.yaml"), ["stores:", ...entries].join("\n"));
        const started = performance.now();
        const report = validateProject(dir, ["dev", "prod"]);
        const validateMs = performance.now() - started;
        console.log(JSON.stringify({ stores: storeCount, problems: report.problems.length, validateMs }));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

main(Number(process.argv[2] ?? "5000"));
