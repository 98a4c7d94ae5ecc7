/**
 * RFC 9457 problem details for the API, with an `errors` array whose entries use the same
 * wording as stores.yaml problems (path, what is wrong, how to fix it).
 */
import { STATUS_CODES } from "node:http";
import type { core } from "zod";
import { describeIssue, dottedPath } from "../components/problems";
import { allowedKeysAt } from "../components/schemaKeys";

export interface ProblemError {
    /** Dotted path of the offending value in the request part (`admin.email`), empty for the whole part. */
    path: string;
    message: string;
    hint: string;
}

export interface Problem {
    type: string;
    title: string;
    status: number;
    detail: string;
    instance?: string;
    errors?: ProblemError[];
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export function problem(status: number, detail: string, errors?: ProblemError[]): Problem {
    return { type: "about:blank", title: STATUS_CODES[status] ?? "Error", status, detail, ...(errors?.length ? { errors } : {}) };
}

/** zod issues of a request part as problem errors; `schema` lists the keys an unknown key could have meant. */
export function issuesToErrors(issues: readonly core.$ZodIssue[], schema: core.$ZodType): ProblemError[] {
    return issues.flatMap((issue) => describeIssue(issue, (path) => allowedKeysAt(schema, path)).map((described) => ({
        path: dottedPath(described.keyName !== undefined ? [...issue.path, described.keyName] : issue.path),
        message: described.message,
        hint: described.hint,
    })));
}

/** validateStoreEntry's "path: what — how" lines as problem errors. */
export function entryLinesToErrors(lines: readonly string[]): ProblemError[] {
    return lines.map((line) => {
        const colon = line.indexOf(": ");
        const path = colon < 0 ? "" : line.slice(0, colon);
        const [message, ...hint] = (colon < 0 ? line : line.slice(colon + 2)).split(" — ");
        return { path: path === "entry" ? "" : path, message, hint: hint.join(" — ") || "correct the value" };
    });
}

/** One sentence for the `detail` member: the first problem, and how many more. */
export function summarize(errors: readonly ProblemError[], what: string): string {
    if (!errors.length) return `${what} is invalid`;
    const first = errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? "s" : ""})` : "";
    return `${what} is invalid: ${first.path ? `${first.path}: ` : ""}${first.message}${more}`;
}
