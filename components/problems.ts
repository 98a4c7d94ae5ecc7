/**
 * Input problems with their source position, reported all at once: the same shape for
 * stores.yaml, stack config and self-service API requests.
 */
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, Node, parseDocument, Scalar, YAMLMap } from "yaml";
import type { core } from "zod";
import { shown, withArticle } from "./text";

export interface Problem {
    /** File the problem is in (`stores.yaml`, `Pulumi.dev.yaml`, …). */
    file: string;
    /** 1-based line and column; 0 when the value has no position (e.g. set by the API). */
    line: number;
    col: number;
    /** Store the problem belongs to, when it belongs to one. */
    store?: string;
    /** Dotted path of the offending value (`stores[1].quota.cpu`). */
    path: string;
    /** What is wrong. */
    message: string;
    /** How to fix it. */
    hint: string;
    /** A warning is shown but does not stop validation (default: an error). */
    severity?: "warning";
}

export function formatProblem(problem: Problem): string {
    const where = problem.line > 0 ? `${problem.file}:${problem.line}:${problem.col}` : problem.path ? `${problem.file} (${problem.path})` : problem.file;
    const store = problem.store !== undefined ? ` store ${shown(problem.store)}:` : "";
    const severity = problem.severity === "warning" ? " warning:" : "";
    return `${where}${severity}${store} ${problem.message} — ${problem.hint}`;
}

export function formatProblems(problems: readonly Problem[]): string {
    const count = `${problems.length} problem${problems.length === 1 ? "" : "s"}`;
    return [`${count} found:`, ...problems.map((problem) => `  ${formatProblem(problem)}`)].join("\n");
}

/** Thrown by loaders; its message is the formatted list, meant for people (no stack trace). */
export class InputError extends Error {
    constructor(readonly problems: Problem[]) {
        super(formatProblems(problems));
        this.name = "InputError";
    }
}

/** A YAML document with what is needed to turn paths into line:col. */
export interface SourceDocument {
    file: string;
    document: Document.Parsed;
    lineCounter: LineCounter;
}

/** Parses YAML keeping positions; syntax errors and duplicate keys become problems. */
export function parseYamlSource(file: string, text: string): { source: SourceDocument; problems: Problem[] } {
    const lineCounter = new LineCounter();
    // YAML 1.1 merge keys (`<<: *defaults`) are read as merges, as most YAML tools do.
    const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true, merge: true });
    const problems = [...document.errors, ...document.warnings].map((error): Problem => {
        const position = error.linePos?.[0] ?? { line: 0, col: 0 };
        const duplicate = error.code === "DUPLICATE_KEY";
        const message = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        return {
            file,
            line: position.line,
            col: position.col,
            path: "",
            message: duplicate ? "duplicate key in a mapping" : `YAML syntax error: ${message}`,
            hint: duplicate
                ? "each key may appear once per mapping: remove or merge the repeated key"
                : "fix the YAML syntax (indentation, quotes, ':' after keys) and run `npm run validate`",
        };
    });
    return { source: { file, document, lineCounter }, problems };
}

/** Aliases a document may expand: far above any real store list, far below an alias bomb. */
export const MAX_ALIAS_COUNT = 1000;

/** The document as plain data, or a problem when its aliases expand too far (an "alias bomb"). */
export function documentData(source: SourceDocument): { data: unknown; problems: Problem[] } {
    try {
        return { data: source.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown, problems: [] };
    } catch (error) {
        const position = source.lineCounter.linePos(source.document.contents?.range?.[0] ?? 0);
        return {
            data: undefined,
            problems: [{
                file: source.file, ...position, path: "",
                message: `the YAML aliases expand too far (${(error as Error).message.replace(/\.$/, "")})`,
                hint: "write the values out, or use fewer nested aliases (`*name`)",
            }],
        };
    }
}

/**
 * Position of the node at `path`, or of the nearest ancestor that exists. A mapping or list
 * is reported at its key (`woostore:tls:`), a scalar at its value.
 */
export function positionOf(source: SourceDocument, path: readonly PropertyKey[], keyName?: string): { line: number; col: number } {
    let node: unknown = source.document.contents;
    let best: Node | null = isNode(node) ? node : null;
    for (const segment of path) {
        const next = childOf(node, segment);
        if (next === undefined) {
            break;
        }
        node = next.value;
        best = isNode(next.value) && isScalar(next.value) ? next.value : (next.key ?? (isNode(next.value) ? next.value : best));
    }
    // An unknown key is reported at the key itself, not at its value.
    if (keyName !== undefined && isMap(node)) {
        const pair = node.items.find((item) => isScalar(item.key) && String((item.key as Scalar).value) === keyName);
        if (pair && isNode(pair.key)) {
            best = pair.key;
        }
    }
    const offset = best?.range?.[0] ?? 0;
    return best ? source.lineCounter.linePos(offset) : { line: 1, col: 1 };
}

function isNode(value: unknown): value is Node {
    return isScalar(value) || isMap(value) || isSeq(value);
}

function childOf(node: unknown, segment: PropertyKey): { key?: Node; value: unknown } | undefined {
    if (isMap(node)) {
        const pair = (node as YAMLMap).items.find((item) => isPair(item) && isScalar(item.key) && String((item.key as Scalar).value) === String(segment));
        return pair ? { key: isNode(pair.key) ? pair.key : undefined, value: pair.value } : undefined;
    }
    if (isSeq(node) && typeof segment === "number" && segment < node.items.length) {
        return { value: node.items[segment] };
    }
    return undefined;
}

/** Renders a zod path as `stores[1].quota.cpu`. */
export function dottedPath(path: readonly PropertyKey[]): string {
    return path.reduce<string>((text, segment) => (typeof segment === "number" ? `${text}[${segment}]` : text ? `${text}.${String(segment)}` : String(segment)), "");
}

/** Splits a schema message written as "what is wrong — how to fix". */
export function splitMessage(message: string): { message: string; hint: string } {
    const [what, ...how] = message.split(" — ");
    return { message: what, hint: how.join(" — ") };
}

/** A zod issue as a problem: message and hint in our own words, never zod's default texts. */
export function describeIssue(issue: core.$ZodIssue, allowedKeys?: (path: readonly PropertyKey[]) => string[]): { message: string; hint: string; keyName?: string }[] {
    const last = issue.path.at(-1);
    const field = last === undefined ? "the document" : typeof last === "number" ? `entry ${last + 1}` : String(last);
    const ours = issue.message.includes(" — ") ? splitMessage(issue.message) : undefined;
    switch (issue.code) {
        case "unrecognized_keys": {
            const allowed = allowedKeys?.(issue.path) ?? [];
            return issue.keys.map((key) => ({
                message: `unknown key ${shown(key)}`,
                hint: suggestion(key, allowed),
                keyName: key,
            }));
        }
        case "invalid_type": {
            if (issue.input === undefined) {
                return [{ message: `"${field}" is required`, hint: `add it (${withArticle(typeName(issue.expected))})` }];
            }
            if (ours) {
                return [ours];
            }
            const expected = withArticle(typeName(issue.expected));
            if (issue.expected === "string" && (typeof issue.input === "number" || typeof issue.input === "boolean")) {
                return [{ message: `${field} must be text, got the ${typeof issue.input} ${String(issue.input)}`, hint: `quote it: ${field}: "${String(issue.input)}"` }];
            }
            return [{ message: `${field} must be ${expected}, got ${describeValue(issue.input)}`, hint: `write ${expected}${issue.expected === "object" ? " (indented `key: value` lines)" : ""}` }];
        }
        case "too_small":
            if (ours) return [ours];
            if (issue.origin === "string") {
                return Number(issue.minimum) <= 1
                    ? [{ message: `${field} is empty`, hint: "write a value, or remove the key to use the default" }]
                    : [{ message: `${field} is shorter than ${String(issue.minimum)} characters`, hint: "write a longer value" }];
            }
            return [{ message: `${field} ${shown(issue.input)} is below the minimum ${String(issue.minimum)}`, hint: `write ${String(issue.minimum)} or more` }];
        case "too_big":
            if (ours) return [ours];
            if (issue.origin === "string") {
                return [{ message: `${field} ${shown(issue.input)} is longer than ${String(issue.maximum)} characters`, hint: `shorten it to at most ${String(issue.maximum)}` }];
            }
            return [{ message: `${field} ${shown(issue.input)} is above the maximum ${String(issue.maximum)}`, hint: `write ${String(issue.maximum)} or less` }];
        case "invalid_value":
            if (ours) return [ours];
            return [{ message: `${field} ${shown(issue.input)} is not one of the allowed values`, hint: `write one of: ${issue.values.map((value) => String(value)).join(", ")}` }];
        default: {
            if (ours) return [ours];
            if (issue.code === "invalid_format" || issue.code === "custom") {
                return [{ message: `${field} ${shown(issue.input)} is not valid (${issue.message})`, hint: "correct the value" }];
            }
            return [{ message: `${field} ${shown(issue.input)} is not valid`, hint: "correct the value" }];
        }
    }
}

function typeName(expected: string): string {
    switch (expected) {
        case "object": return "mapping";
        case "array": return "list";
        case "string": return "text value";
        case "int": return "whole number";
        case "boolean": return "boolean (true or false)";
        default: return `${expected} value`;
    }
}

function describeValue(value: unknown): string {
    if (value === null) return "nothing (null)";
    if (Array.isArray(value)) return "a list";
    if (typeof value === "object") return "a mapping";
    if (typeof value === "string") return `the text ${shown(value)}`;
    return `the ${typeof value} ${String(value).slice(0, 60)}`;
}

function suggestion(key: string, allowed: string[]): string {
    const close = allowed
        .map((candidate) => ({ candidate, distance: editDistance(key.toLowerCase(), candidate.toLowerCase()) }))
        .filter(({ distance }) => distance <= 2)
        .sort((a, b) => a.distance - b.distance)[0];
    const list = allowed.length ? `; allowed keys: ${allowed.join(", ")}` : "";
    return close ? `did you mean "${close.candidate}"?${list}` : `remove it${list}`;
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i++) {
        let previous = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const current = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
            previous = current;
        }
    }
    return row[b.length];
}
