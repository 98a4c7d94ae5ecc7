/**
 * Reading an input file (store list, stack config) so that every file-system condition is a
 * located one-line problem instead of a stack trace: missing, a directory, unreadable, a
 * symlink loop, not a regular file, or too large.
 */
import * as fs from "fs";
import type { Problem } from "./problems";

/** Far above any real store list (20,000 stores are about 2 MiB), far below what hurts. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

export type InputFile = { ok: true; text: string } | { ok: false; problem: Problem };

/**
 * Reads `filePath` as UTF-8. `shownName` is how problems name it; `hint` says how to point at
 * the right file (it differs between the store list and a stack config).
 */
export function readInputFile(filePath: string, shownName: string, hint: string, maxBytes = MAX_INPUT_BYTES): InputFile {
    const problem = (message: string, fix = hint): InputFile => ({ ok: false, problem: { file: shownName, line: 0, col: 0, path: "", message, hint: fix } });
    let stat: fs.Stats;
    try {
        stat = fs.statSync(filePath);
    } catch (error) {
        return problem(describeFileError(error as NodeJS.ErrnoException, filePath));
    }
    if (stat.isDirectory()) {
        return problem("is a directory, not a file");
    }
    if (!stat.isFile()) {
        return problem("is not a regular file (a device, socket or pipe)");
    }
    if (stat.size > maxBytes) {
        return problem(`is ${(stat.size / 1024 / 1024).toFixed(1)} MiB, larger than the ${maxBytes / 1024 / 1024} MiB an input file may be`, "split it, or check that it is the right file");
    }
    try {
        return { ok: true, text: fs.readFileSync(filePath, "utf8") };
    } catch (error) {
        return problem(describeFileError(error as NodeJS.ErrnoException, filePath));
    }
}

/** An errno of reading `filePath`, in words. */
export function describeFileError(error: NodeJS.ErrnoException, filePath: string): string {
    switch (error.code) {
        case "ENOENT": return fs.lstatSync(filePath, { throwIfNoEntry: false })?.isSymbolicLink() ? "is a symbolic link to a file that does not exist" : "does not exist";
        case "ELOOP": return "is a symbolic link loop";
        case "EACCES":
        case "EPERM": return "cannot be read: permission denied";
        case "EISDIR": return "is a directory, not a file";
        case "ENOTDIR": return "has a path through something that is not a directory";
        case "ENAMETOOLONG": return "has a path that is too long";
        default: return `cannot be read (${error.code ?? error.message})`;
    }
}
