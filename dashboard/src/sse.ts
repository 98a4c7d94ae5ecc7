/**
 * Server-Sent Events, parsed by hand: EventSource can't send an Authorization header, so the
 * stream is read with fetch (events.ts). Pure, tested in tests/unit/dashboardModel.test.ts.
 */
export interface ServerSentEvent {
    event: string;
    data: string;
    id?: string;
}

/** Splits an SSE byte stream's text into events (blank line ends one; ':' lines are comments). */
export class SseParser {
    private buffer = "";
    private event = "";
    private data: string[] = [];
    private id: string | undefined;

    push(chunk: string): ServerSentEvent[] {
        this.buffer += chunk;
        const out: ServerSentEvent[] = [];
        let newline: number;
        while ((newline = this.buffer.search(/\r\n|\r|\n/)) >= 0) {
            const line = this.buffer.slice(0, newline);
            const width = this.buffer.startsWith("\r\n", newline) ? 2 : 1;
            this.buffer = this.buffer.slice(newline + width);
            if (line === "") {
                if (this.data.length > 0) out.push({ event: this.event || "message", data: this.data.join("\n"), id: this.id });
                this.event = "";
                this.data = [];
                continue;
            }
            if (line.startsWith(":")) continue;
            const colon = line.indexOf(":");
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
            if (field === "event") this.event = value;
            else if (field === "data") this.data.push(value);
            else if (field === "id") this.id = value;
        }
        return out;
    }
}

/** One progress line for people, from an event's JSON (engine step or setup step) or its text. */
export function describeProgress(event: ServerSentEvent): string {
    let payload: unknown;
    try {
        payload = JSON.parse(event.data);
    } catch {
        return event.data;
    }
    if (typeof payload !== "object" || payload === null) return String(payload);
    // The stream's last event only repeats the final status, which the badge shows.
    if (event.event === "end") return "";
    const p = payload as Record<string, unknown>;
    const text = [p.text, p.message, p.step, p.description, p.status].find((v) => typeof v === "string" && v !== "") as string | undefined;
    const current = p.current ?? p.index;
    const total = p.total ?? p.of;
    const counted = typeof current === "number" && typeof total === "number" ? ` (${current}/${total})` : "";
    if (text !== undefined && /\(\d+\/\d+\)\s*$/.test(text)) return text;
    return `${text ?? event.event}${counted}`;
}

/**
 * Whether an event changes the store's status: a `status` event ("Provisioning", "Failed: …",
 * "gone") or the stream's `end` event, after which the store is read again.
 */
export function changesStatus(event: ServerSentEvent): boolean {
    return event.event === "status" || event.event === "end";
}

