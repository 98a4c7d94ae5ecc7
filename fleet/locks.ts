/**
 * Stack locks on self-managed (DIY) backends. A second run that meets a lock fails on that
 * store with a clear message; a lock older than the configured age is called stale and the
 * user is given the exact recovery command. Locks are never removed silently.
 */

export interface LockHolder { user?: string; host?: string; pid?: number; since?: Date }

/** Lock holders named in the CLI's "the stack is currently locked" error, or undefined. */
export function parseLockError(text: string): LockHolder[] | undefined {
    if (!/the stack is currently locked by \d+ lock\(s\)/.test(text)) return undefined;
    const holders: LockHolder[] = [];
    // Lines look like: "  locks/woostore/dev.shop/<id>.json: created by root@host (pid 123) at 2026-11-26T15:01:02Z"
    for (const match of text.matchAll(/created by ([^@\s]+)@(\S+) \(pid (\d+)\) at (\S+)/g)) {
        const since = new Date(match[4]);
        holders.push({ user: match[1], host: match[2], pid: Number(match[3]), since: Number.isNaN(since.getTime()) ? undefined : since });
    }
    return holders;
}

export function describeLock(stack: string, holders: LockHolder[], staleAfterMs: number, cancelCommand: string, now = new Date()): string {
    const oldest = holders.map((holder) => holder.since).filter((since): since is Date => since !== undefined).sort((a, b) => a.getTime() - b.getTime())[0];
    const who = holders[0] ? `${holders[0].user ?? "?"}@${holders[0].host ?? "?"} (pid ${holders[0].pid ?? "?"})` : "another process";
    const age = oldest ? now.getTime() - oldest.getTime() : undefined;
    if (age !== undefined && age > staleAfterMs) {
        return `stack ${stack} is locked by ${who} since ${oldest!.toISOString()} (${formatAge(age)} ago, older than ${formatAge(staleAfterMs)}): ` +
            `probably left by a crashed run. If no pulumi runs for this store any more, remove the lock with: ${cancelCommand}`;
    }
    return `stack ${stack} is locked by ${who}${oldest ? ` since ${oldest.toISOString()}` : ""}: another operation is running on this store; it was left alone — run again when it has finished`;
}

export function formatAge(ms: number): string {
    const minutes = Math.round(ms / 60_000);
    if (minutes < 1) return `${Math.round(ms / 1000)}s`;
    if (minutes < 120) return `${minutes} min`;
    return `${Math.round(minutes / 60)} h`;
}
