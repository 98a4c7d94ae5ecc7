/**
 * The store's events stream (GET /stores/{name}/events, Server-Sent Events), read with fetch
 * because EventSource can't send the Authorization header.
 */
import { apiFetch } from "./api";
import { SseParser, type ServerSentEvent } from "./sse";

export { changesStatus, describeProgress } from "./sse";

/** Reads the stream until it ends or `signal` aborts; each event goes to `onEvent`. */
export async function readEvents(path: string, signal: AbortSignal, onEvent: (event: ServerSentEvent) => void): Promise<void> {
    const response = await apiFetch(path, { signal, headers: { Accept: "text/event-stream" } });
    if (!response.body) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        for (const event of parser.push(value)) onEvent(event);
    }
}
