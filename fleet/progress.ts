/**
 * Progress of a fleet run. On a TTY: one live line per store in flight plus the counts,
 * redrawn in place. Off a TTY (CI, logs): one plain line per state change.
 */
export type StoreState = "queued" | "running" | "ready" | "failed" | "unchanged" | "done" | "skipped";

const FINAL: readonly StoreState[] = ["ready", "failed", "unchanged", "done", "skipped"];

export interface ProgressSink { write(text: string): void; isTTY?: boolean; columns?: number }

export class FleetProgress {
    private readonly states = new Map<string, { state: StoreState; detail: string }>();
    private drawnLines = 0;
    private timer?: NodeJS.Timeout;

    constructor(private readonly sink: ProgressSink, stores: readonly string[]) {
        for (const store of stores) this.states.set(store, { state: "queued", detail: "" });
    }

    get tty(): boolean { return this.sink.isTTY === true; }

    /** A store's new state; `detail` is what it is doing or how it ended. */
    set(store: string, state: StoreState, detail = ""): void {
        const previous = this.states.get(store);
        this.states.set(store, { state, detail });
        if (this.tty) {
            this.scheduleDraw();
        } else if (previous?.state !== state || FINAL.includes(state)) {
            this.sink.write(`${this.countsText()}  ${store}: ${state}${detail ? ` — ${detail}` : ""}\n`);
        }
    }

    /** In-flight detail (an engine step): redrawn on a TTY, not printed off one. */
    detail(store: string, detail: string): void {
        const current = this.states.get(store);
        if (!current || current.state !== "running") return;
        current.detail = detail;
        if (this.tty) this.scheduleDraw();
    }

    counts(): Record<StoreState, number> {
        const counts: Record<StoreState, number> = { queued: 0, running: 0, ready: 0, failed: 0, unchanged: 0, done: 0, skipped: 0 };
        for (const { state } of this.states.values()) counts[state]++;
        return counts;
    }

    countsText(): string {
        const c = this.counts();
        return `[queued ${c.queued} · running ${c.running} · Ready ${c.ready} · Failed ${c.failed} · unchanged ${c.unchanged}${c.done ? ` · done ${c.done}` : ""}${c.skipped ? ` · skipped ${c.skipped}` : ""}]`;
    }

    /** Final redraw; afterwards the block stays on screen above what follows. */
    finish(): void {
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        if (this.tty) this.draw();
    }

    private scheduleDraw(): void {
        this.timer ??= setTimeout(() => { this.timer = undefined; this.draw(); }, 100);
    }

    private draw(): void {
        const width = Math.max(40, (this.sink.columns ?? 100) - 1);
        const lines = [this.countsText()];
        for (const [store, { state, detail }] of this.states) {
            if (state === "running") lines.push(`  ${store}: ${detail || "starting"}`.slice(0, width));
        }
        // Move to the top of the previous block, clear it, write the new one.
        const up = this.drawnLines ? `\x1b[${this.drawnLines}A` : "";
        this.sink.write(`${up}\x1b[0J${lines.map((line) => line.slice(0, width)).join("\n")}\n`);
        this.drawnLines = lines.length;
    }
}
