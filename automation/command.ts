/**
 * What every command that runs the program needs first, in one place: the inputs validated
 * (all problems printed at once, nothing changed) and the Pulumi CLI resolved.
 */
import * as path from "path";
import { loadProgramInputs, ProgramInputs } from "../components/program";
import { formatProblem } from "../components/problems";
import { readStackConfigFile } from "../components/stackConfig";
import { PulumiCliError, ResolvedCli, resolvePulumiCli } from "./pulumiCli";
import { validateProject } from "./validate";
import { PROJECT_DIR, WOOSTORE_HOME } from "./workspace";

/** `woostore:*` values the way the program receives them from Pulumi: objects as JSON text. */
export function configAsPulumiGivesIt(raw: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(raw).map(([key, value]) => [`woostore:${key}`, typeof value === "string" ? value : JSON.stringify(value)]));
}

/** The validated inputs of a stack, or undefined after printing every problem. */
export function validatedInputs(stack: string): { inputs: ProgramInputs; storeNames: string[] } | undefined {
    const report = validateProject(PROJECT_DIR, [stack]);
    if (report.problems.length) {
        console.error(`${report.problems.length} problem(s) found, nothing was changed:`);
        report.problems.forEach((problem) => console.error(`  ${formatProblem(problem)}`));
        return undefined;
    }
    const raw = readStackConfigFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`)).raw;
    return { inputs: loadProgramInputs(PROJECT_DIR, stack, configAsPulumiGivesIt(raw)), storeNames: report.storeNames };
}

/** The Pulumi CLI to run, or undefined after printing why there is none. */
export async function pulumiCliOrExplain(): Promise<ResolvedCli | undefined> {
    try {
        return await resolvePulumiCli({ woostoreHome: WOOSTORE_HOME });
    } catch (error) {
        if (!(error instanceof PulumiCliError)) throw error;
        console.error(`Pulumi CLI: ${error.message}`);
        return undefined;
    }
}
