/**
 * What every command that runs the program needs first, in one place: the inputs validated
 * (all problems printed at once, nothing changed) and the Pulumi CLI resolved.
 */
import * as path from "path";
import { loadProgramInputs, ProgramInputs } from "../components/program";
import { readStackConfigFile } from "../components/stackConfig";
import { PulumiCliError, ResolvedCli, resolvePulumiCli } from "./pulumiCli";
import { printReport, validateProject } from "./validate";
import { PROJECT_DIR, WOOSTORE_HOME } from "./workspace";

/** `woostore:*` values the way the program receives them from Pulumi: objects as JSON text. */
export function configAsPulumiGivesIt(raw: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(Object.entries(raw).map(([key, value]) => [`woostore:${key}`, typeof value === "string" ? value : JSON.stringify(value)]));
}

/** The validated inputs of a stack, or undefined after printing every problem (warnings are printed either way). */
export function validatedInputs(stack: string, options: { allowEmpty?: boolean } = {}): { inputs: ProgramInputs; storeNames: string[] } | undefined {
    const report = validateProject(PROJECT_DIR, [stack], { allowEmpty: options.allowEmpty });
    printReport(report);
    if (report.problems.length) {
        return undefined;
    }
    const raw = readStackConfigFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`)).raw;
    return { inputs: loadProgramInputs(PROJECT_DIR, stack, configAsPulumiGivesIt(raw), { allowEmpty: options.allowEmpty }), storeNames: report.storeNames };
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

/** Used as the CLI installer while prerequisites are checked: an install would be needed, nothing is written. */
class InstallNeeded extends Error {}

/**
 * A Pulumi CLI problem, if any, without installing or writing anything: a usable CLI on PATH or
 * in the cache is fine, and so is one `up` would install (that happens after every check).
 */
export async function pulumiCliProblem(): Promise<string | undefined> {
    try {
        await resolvePulumiCli({ woostoreHome: WOOSTORE_HOME, log: () => undefined, installer: () => Promise.reject(new InstallNeeded()) });
        return undefined;
    } catch (error) {
        if (error instanceof PulumiCliError && !/could not download/.test(error.message)) {
            return `Pulumi CLI: ${error.message}`;
        }
        return undefined;
    }
}
