/**
 * The API the browser tests talk to, with three tokens: an admin and two owners.
 * TEMPORARY: the in-memory FAKE API stand-in until the real server (issue 11) is merged.
 */
import { startStandIn } from "./apiStandIn";

export interface ApiUnderTest {
    baseUrl: string;
    tokens: { admin: string; alice: string; bob: string };
    /** Every attempt of the store's next creation fails (as a setup Job failure would). */
    failCreations(name: string): void;
    /** A deployed stores.yaml store, as `npm run up` leaves it. */
    addListedStore(name: string): void;
    /** The store's next creation waits at the WooCommerce setup step until the returned function is called. */
    holdAtSetupStep(name: string): () => void;
    stop(): Promise<void>;
}

let nextPort = 18470;

export async function startApiUnderTest(): Promise<ApiUnderTest> {
    const port = nextPort++;
    const tokens = { admin: "wst_admin-token", alice: "wst_alice-token", bob: "wst_bob-token" };
    const standIn = await startStandIn(port, { [tokens.admin]: { name: "admin", admin: true }, [tokens.alice]: { name: "alice", admin: false }, [tokens.bob]: { name: "bob", admin: false } });
    const server = standIn.server;
    return { baseUrl: `http://127.0.0.1:${port}`, tokens, failCreations: standIn.failCreations, addListedStore: standIn.addListedStore, holdAtSetupStep: standIn.holdAtSetupStep, stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}
