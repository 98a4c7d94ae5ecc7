/**
 * The API the browser tests talk to, with three tokens: an admin and two owners.
 * TEMPORARY: the in-memory FAKE API stand-in until the real server (issue 11) is merged.
 */
import { startStandIn } from "./apiStandIn";

export interface ApiUnderTest {
    baseUrl: string;
    tokens: { admin: string; alice: string; bob: string };
    stop(): Promise<void>;
}

let nextPort = 18470;

export async function startApiUnderTest(): Promise<ApiUnderTest> {
    const port = nextPort++;
    const tokens = { admin: "wst_admin-token", alice: "wst_alice-token", bob: "wst_bob-token" };
    const server = await startStandIn(port, { [tokens.admin]: { name: "admin", admin: true }, [tokens.alice]: { name: "alice", admin: false }, [tokens.bob]: { name: "bob", admin: false } });
    return { baseUrl: `http://127.0.0.1:${port}`, tokens, stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}
