/**
 * `npm run validate [-- <stores.yaml>] [--stack <name> …] [--allow-empty]`: checks the stack
 * config(s) and the store list without touching any cluster. Prints every problem
 * (file:line:col, store, what, how to fix) and exits 1, or prints a one-line summary and
 * exits 0. Warnings are printed either way.
 */
import * as fs from "fs";
import * as path from "path";
import { readInputFile } from "../components/inputFile";
import { formatProblem, parseYamlSource, Problem } from "../components/problems";
import { configProblem, readStackConfigFile, resolveStoreListPath, validateStackConfig } from "../components/stackConfig";
import { validateStoreList } from "../components/storeList";
import { CommandSpec, runCommand } from "./cli";

export interface ValidationReport {
    problems: Problem[];
    warnings: Problem[];
    summary: string;
    /** Names of the valid stores (of the last stack checked). */
    storeNames: string[];
}

export interface ValidateOptions {
    /** A store list given on the command line instead of each stack's woostore:storeList. */
    storeListOverride?: string;
    /** Accept an empty store list (`up` would then delete every unprotected store). */
    allowEmpty?: boolean;
}

/** Stacks defined next to the project (Pulumi.<stack>.yaml). */
export function projectStacks(projectDir: string): string[] {
    return fs.readdirSync(projectDir)
        .map((file) => /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined)
        .sort();
}

/**
 * Problems seen per stack, deduplicated in linear time (a Map keyed by the printed problem):
 * one that holds for some of the checked stacks only says which.
 */
class ProblemSet {
    private readonly seen = new Map<string, { problem: Problem; stacks: Set<string> }>();

    add(problem: Problem, stack: string) {
        const key = formatProblem(problem);
        const entry = this.seen.get(key);
        if (entry) {
            entry.stacks.add(stack);
        } else {
            this.seen.set(key, { problem, stacks: new Set([stack]) });
        }
    }

    list(allStacks: readonly string[]): Problem[] {
        return [...this.seen.values()].map(({ problem, stacks }) => {
            const some = stacks.size < allStacks.length && ![...stacks].some((stack) => problem.message.includes(`stack ${stack}`));
            return some ? { ...problem, message: `${problem.message} (stack ${[...stacks].join(", ")})` } : problem;
        });
    }
}

export function validateProject(projectDir: string, stacks: string[], options: ValidateOptions = {}): ValidationReport {
    const problems = new ProblemSet();
    const warnings = new ProblemSet();
    let storeCount = 0;
    let storeNames: string[] = [];
    let listName = options.storeListOverride ? path.relative(invocationDir(), options.storeListOverride) || options.storeListOverride : "stores.yaml";
    for (const stack of stacks) {
        const configFile = `Pulumi.${stack}.yaml`;
        const configPath = path.join(projectDir, configFile);
        if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !fs.existsSync(configPath)) {
            const known = projectStacks(projectDir);
            problems.add({ file: configFile.slice(0, 120), line: 0, col: 0, path: "", message: `stack ${JSON.stringify(stack.slice(0, 60))} has no config file`, hint: `create ${configFile.slice(0, 120)} or pick one of: ${known.join(", ") || "(none)"}` }, stack);
            continue;
        }
        const { raw, text, problems: fileProblems } = readStackConfigFile(configPath);
        if (fileProblems.length) {
            fileProblems.forEach((problem) => problems.add(problem, stack));
            continue;
        }
        const { config, problems: configProblems } = validateStackConfig(raw, configFile, text, stack);
        configProblems.forEach((problem) => problems.add(problem, stack));
        if (!config) {
            continue;
        }
        let listPath: string;
        if (options.storeListOverride) {
            listPath = options.storeListOverride;
        } else {
            const resolved = resolveStoreListPath(projectDir, config.storeList);
            if (!resolved.ok) {
                const source = text !== undefined ? parseYamlSource(configFile, text).source : undefined;
                problems.add(configProblem(configFile, source, ["storeList"], resolved.message, resolved.hint), stack);
                continue;
            }
            listPath = resolved.path;
            listName = path.relative(invocationDir(), listPath) || config.storeList;
        }
        const input = readInputFile(listPath, listName, options.storeListOverride ? "give the path of a store list file" : `create it, or set woostore:storeList in ${configFile}`);
        if (!input.ok) {
            problems.add(input.problem, stack);
            continue;
        }
        const result = validateStoreList(input.text, listName, config, { stack, allowEmpty: options.allowEmpty });
        result.problems.forEach((problem) => problems.add(problem, stack));
        result.warnings.forEach((warning) => warnings.add(warning, stack));
        storeCount = Math.max(storeCount, result.stores.length);
        storeNames = result.stores.map((store) => store.name);
    }
    const summary = `${listName}: ${storeCount} store${storeCount === 1 ? "" : "s"} valid for stack${stacks.length === 1 ? "" : "s"} ${stacks.join(", ")}`;
    return { problems: problems.list(stacks), warnings: warnings.list(stacks), summary, storeNames };
}

/** Where the user ran the command: npm runs scripts from the package root and says where it came from. */
export function invocationDir(): string {
    return process.env.INIT_CWD ?? process.cwd();
}

/** Prints warnings and problems the same way for `validate` and `up`. */
export function printReport(report: ValidationReport): void {
    for (const warning of report.warnings) {
        console.error(`  ${formatProblem(warning)}`);
    }
    if (report.problems.length) {
        console.error(`${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} found, nothing was changed:`);
        for (const problem of report.problems) {
            console.error(`  ${formatProblem(problem)}`);
        }
    }
}

export const VALIDATE_COMMAND: CommandSpec = {
    command: "validate",
    summary: "Checks the stack config(s) and the store list without touching a cluster: every problem at once, with position, store, what and how to fix.",
    options: [
        { name: "stack", value: "name", repeatable: true, description: "stack to check against (default: every Pulumi.<stack>.yaml)" },
        { name: "allow-empty", description: "accept an empty store list (up would delete every unprotected store)" },
    ],
    positional: { name: "stores.yaml", description: "store list to check (default: each stack's woostore:storeList)", max: 1 },
};

export function validateMain(projectDir: string, args: { options: Record<string, string | boolean | string[]>; positionals: string[] }): number {
    const stacks = (args.options.stack as string[] | undefined) ?? projectStacks(projectDir);
    const [storeList] = args.positionals;
    const report = validateProject(projectDir, stacks, {
        storeListOverride: storeList !== undefined ? path.resolve(invocationDir(), storeList) : undefined,
        allowEmpty: args.options["allow-empty"] === true,
    });
    printReport(report);
    if (report.problems.length) {
        return 1;
    }
    console.log(report.summary);
    return 0;
}

if (require.main === module) {
    void runCommand(VALIDATE_COMMAND, process.argv.slice(2), (args) => validateMain(path.resolve(__dirname, ".."), args))
        .then((code) => { process.exitCode = code; });
}
