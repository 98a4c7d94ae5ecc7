/**
 * Peak memory of a whole process tree (a run of `npm run up` with its Pulumi CLIs, language
 * hosts, Node programs and provider plugins): the sum of the RSS of every live descendant,
 * sampled from /proc every 100 ms. GNU time's %M only reports the largest single process.
 */
import * as fs from "fs";

function childrenOf(): Map<number, number[]> {
    const children = new Map<number, number[]>();
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
            // Field 4 (ppid) comes after the command name, which is in parentheses and may contain spaces.
            const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
            children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
        } catch {
            // the process ended while we looked
        }
    }
    return children;
}

function rssKiB(pid: number): number {
    try {
        const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
        return match ? Number(match[1]) : 0;
    } catch {
        return 0;
    }
}

/** Sum of RSS (KiB) of `root` and all its descendants now. */
export function treeRssKiB(root: number): number {
    return processTree(root).reduce((total, pid) => total + rssKiB(pid), 0);
}

/**
 * `root` and every live descendant, whatever their process group (the Pulumi CLI starts its
 * plugins in groups of their own, so a kill of the group leaves them running).
 */
export function processTree(root: number): number[] {
    const children = childrenOf();
    const tree: number[] = [];
    const stack = [root];
    while (stack.length) {
        const pid = stack.pop()!;
        tree.push(pid);
        stack.push(...(children.get(pid) ?? []));
    }
    return tree;
}

/** Samples a process tree until `done` settles; returns the peak sum in MiB. */
export async function peakTreeRss(root: number, done: Promise<unknown>): Promise<number> {
    let peak = 0;
    let finished = false;
    void done.finally(() => { finished = true; });
    while (!finished) {
        peak = Math.max(peak, treeRssKiB(root));
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return peak / 1024;
}
