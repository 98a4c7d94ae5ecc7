/**
 * `npm run validate [-- <stores.yaml>] [--stack <name>]`: checks the stack config(s) and the
 * store list without touching any cluster. Prints every problem (file:line:col, store, what,
 * how to fix) and exits 1, or prints a one-line summary and exits 0.
 */
import * as fs from "fs";
import * as path from "path";
import { formatProblem, Problem } from "../components/problems";
import { readStackConfigFile, validateStackConfig } from "../components/stackConfig";
import { validateStoreList } from "../components/storeList";

export interface ValidationReport {
    problems: Problem[];
    summary: string;
    /** Names of the valid stores (of the last stack checked). */
    storeNames: string[];
}

/** Stacks defined next to the project (Pulumi.<stack>.yaml). */
export function projectStacks(projectDir: string): string[] {
    return fs.readdirSync(projectDir)
        .map((file) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

export function validateProject(projectDir: string, stacks: string[], storeListOverride?: string): ValidationReport {
    const problems: Problem[] = [];
    let storeCount = 0;
    let storeNames: string[] = [];
    for (const stack of stacks) {
        const configPath = path.join(projectDir, `Pulumi.${stack}.yaml`);
        if (!fs.existsSync(configPath)) {
            problems.push({ file: `Pulumi.${stack}.yaml`, line: 0, col: 0, path: "", message: `stack "${stack}" has no config file`, hint: `create Pulumi.${stack}.yaml or pick one of: ${projectStacks(projectDir).join(", ")}` });
            continue;
        }
        const { raw, text, problems: yamlProblems } = readStackConfigFile(configPath);
        problems.push(...yamlProblems);
        const { config, problems: configProblems } = validateStackConfig(raw, path.basename(configPath), text);
        problems.push(...configProblems);
        if (!config) {
            continue;
        }
        const listFile = storeListOverride ?? config.storeList;
        const listPath = path.resolve(projectDir, listFile);
        if (!fs.existsSync(listPath)) {
            problems.push({ file: listFile, line: 0, col: 0, path: "", message: "store list not found", hint: `create it, or set woostore:storeList in Pulumi.${stack}.yaml` });
            continue;
        }
        const shownName = path.relative(invocationDir(), listPath) || listFile;
        const result = validateStoreList(fs.readFileSync(listPath, "utf8"), shownName, config);
        for (const problem of result.problems) {
            // The same store list is checked against every stack; say which stack's bounds a problem comes from.
            const seen = problems.some((existing) => formatProblem(existing) === formatProblem(problem));
            if (!seen) {
                problems.push(stacks.length > 1 && /bound|maximum/.test(problem.message) ? { ...problem, message: `${problem.message} (stack ${stack})` } : problem);
            }
        }
        storeCount = Math.max(storeCount, result.stores.length);
        storeNames = result.stores.map((store) => store.name);
    }
    const listName = storeListOverride ? path.relative(invocationDir(), storeListOverride) : "stores.yaml";
    const summary = `${listName}: ${storeCount} store${storeCount === 1 ? "" : "s"} valid for stack${stacks.length === 1 ? "" : "s"} ${stacks.join(", ")}`;
    return { problems, summary, storeNames };
}

/** Where the user ran the command: npm runs scripts from the package root and says where it came from. */
function invocationDir(): string {
    return process.env.INIT_CWD ?? process.cwd();
}

function main(argv: string[]): number {
    const projectDir = path.resolve(__dirname, "..");
    let storeList: string | undefined;
    const stacks: string[] = [];
    for (let index = 0; index < argv.length; index++) {
        if (argv[index] === "--stack") {
            stacks.push(argv[++index] ?? "");
        } else if (argv[index] === "--help" || argv[index] === "-h") {
            console.log("usage: npm run validate [-- <stores.yaml>] [--stack <name> …]  (default: every Pulumi.<stack>.yaml)");
            return 0;
        } else {
            storeList = argv[index];
        }
    }
    const report = validateProject(projectDir, stacks.length ? stacks : projectStacks(projectDir), storeList && path.resolve(invocationDir(), storeList));
    if (report.problems.length) {
        console.error(`${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} found, nothing was changed:`);
        for (const problem of report.problems) {
            console.error(`  ${formatProblem(problem)}`);
        }
        return 1;
    }
    console.log(report.summary);
    return 0;
}

if (require.main === module) {
    process.exitCode = main(process.argv.slice(2));
}
