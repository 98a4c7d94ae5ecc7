/**
 * Command-line arguments of the `npm run …` commands, parsed one way: `--help` for every
 * command, an unknown flag or a missing option value is an error (never a file name or a
 * silent default), and usage text generated from the same description.
 */

export interface OptionSpec {
    /** Long name without dashes: `stack` for `--stack`. */
    name: string;
    /** Name of the value (`<name>`) when the option takes one; a flag otherwise. */
    value?: string;
    /** May be given more than once (values are collected). */
    repeatable?: boolean;
    description: string;
}

export interface CommandSpec {
    /** `npm run <command>` */
    command: string;
    summary: string;
    options: OptionSpec[];
    /** Positional arguments, e.g. `[<stores.yaml>]`; none when absent. */
    positional?: { name: string; description: string; max: number };
}

export interface ParsedArgs {
    /** Values by option name: string for options with a value, true for flags; arrays when repeatable. */
    options: Record<string, string | boolean | string[]>;
    positionals: string[];
}

export type ParseResult = { kind: "args"; args: ParsedArgs } | { kind: "help"; text: string } | { kind: "error"; message: string };

export function usage(spec: CommandSpec): string {
    const optionText = (option: OptionSpec) => `--${option.name}${option.value ? ` <${option.value}>` : ""}`;
    const synopsis = [
        `npm run ${spec.command} --`,
        ...spec.options.map((option) => `[${optionText(option)}${option.repeatable ? " …" : ""}]`),
        ...(spec.positional ? [`[<${spec.positional.name}>]`] : []),
    ].join(" ");
    const width = Math.max(...spec.options.map((option) => optionText(option).length), spec.positional ? spec.positional.name.length + 2 : 0, "--help".length);
    const rows = [
        ...(spec.positional ? [[`<${spec.positional.name}>`, spec.positional.description]] : []),
        ...spec.options.map((option) => [optionText(option), option.description]),
        ["--help", "show this help"],
    ];
    return [`usage: ${synopsis}`, "", spec.summary, "", ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)].join("\n");
}

export function parseArgs(spec: CommandSpec, argv: readonly string[]): ParseResult {
    const options: ParsedArgs["options"] = {};
    const positionals: string[] = [];
    const error = (message: string): ParseResult => ({ kind: "error", message: `${message}\n${usage(spec)}` });
    let onlyPositionals = false;
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        if (!onlyPositionals && arg === "--") {
            onlyPositionals = true;
            continue;
        }
        if (!onlyPositionals && (arg === "--help" || arg === "-h")) {
            return { kind: "help", text: usage(spec) };
        }
        if (!onlyPositionals && arg.startsWith("-") && arg !== "-") {
            const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
            const option = spec.options.find((candidate) => `--${candidate.name}` === flag);
            if (!option) {
                return error(`unknown option ${JSON.stringify(flag.slice(0, 80))} for npm run ${spec.command}`);
            }
            let value: string | boolean = true;
            if (option.value) {
                const next = inline ?? argv[index + 1];
                if (next === undefined || (inline === undefined && next.startsWith("-")) || next === "") {
                    return error(`option ${flag} needs a value: ${flag} <${option.value}>`);
                }
                if (inline === undefined) index++;
                value = next;
            } else if (inline !== undefined) {
                return error(`option ${flag} takes no value`);
            }
            if (option.repeatable) {
                options[option.name] = [...((options[option.name] as string[] | undefined) ?? []), String(value)];
            } else if (options[option.name] !== undefined) {
                return error(`option ${flag} is given twice`);
            } else {
                options[option.name] = value;
            }
            continue;
        }
        positionals.push(arg);
    }
    const max = spec.positional?.max ?? 0;
    if (positionals.length > max) {
        return error(max === 0
            ? `npm run ${spec.command} takes no arguments, got ${JSON.stringify(positionals[0].slice(0, 80))}`
            : `too many arguments: ${positionals.map((positional) => JSON.stringify(positional.slice(0, 80))).join(" ")}`);
    }
    return { kind: "args", args: { options, positionals } };
}

/**
 * Runs a command's main with parsed arguments; prints help (exit 0) or the usage error
 * (exit 2) itself. Returns the exit code.
 */
export async function runCommand(spec: CommandSpec, argv: readonly string[], main: (args: ParsedArgs) => number | Promise<number>): Promise<number> {
    const parsed = parseArgs(spec, argv);
    if (parsed.kind === "help") {
        console.log(parsed.text);
        return 0;
    }
    if (parsed.kind === "error") {
        console.error(parsed.message);
        return 2;
    }
    return main(parsed.args);
}
