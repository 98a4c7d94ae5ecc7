/**
 * FAKE API (development stand-in, in-memory): answers the routes of issue 11 with the shapes of
 * server/schemas.ts so the dashboard can be developed before the real server exists. The
 * browser tests run against the real server (harness.ts); this is not used by them.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import { describeIssue, dottedPath } from "../../components/problems";
import { storeEntrySchema } from "../../components/storeList";

interface StandInStore {
    name: string; owner: string; status: string; reason: string | null; url: string | null; createdAt: string; updatedAt: string;
    events: { kind: "status" | "step"; text: string }[]; listeners: Set<() => void>; attempt: number;
}

const DIST = path.join(__dirname, "../../dashboard/dist");
const STEPS = ["create Namespace store-%", "create ResourceQuota", "create Secret admin", "install Helm release %", "wait for MariaDB", "wait for WordPress", "setup: installing WordPress (3/10)", "setup: installing WooCommerce (5/10)", "setup: configuring the shop (8/10)", "setup: done (10/10)"];

export interface StandIn { server: http.Server; failCreations(name: string): void; addListedStore(name: string): void; holdAtSetupStep(name: string): () => void }

export function startStandIn(port: number, tokens: Record<string, { name: string; admin: boolean }>): Promise<StandIn> {
    const failing = new Set<string>();
    const holds = new Map<string, () => void>();
    const held = new Set<string>();
    const listed: string[] = [];
    const stores = new Map<string, StandInStore>();
    const creations = new Map<string, number[]>();
    const createBody = storeEntrySchema.pick({ name: true, title: true, admin: true, woocommerce: true, quota: true });

    const emit = (store: StandInStore, kind: "status" | "step", text: string) => {
        if (kind === "status") store.status = text;
        store.updatedAt = new Date().toISOString();
        store.events.push({ kind, text });
        for (const l of store.listeners) l();
    };
    const run = (store: StandInStore) => {
        store.attempt += 1;
        let i = 0;
        const tick = () => {
            if (!stores.has(store.name)) return;
            if (store.status === "Queued") { emit(store, "status", "Provisioning"); return setTimeout(tick, 300); }
            if (failing.has(store.name) && store.attempt === 1 && i === 5) { store.reason = "setup Job failed: wp plugin install woocommerce exited 1"; emit(store, "status", "Failed"); return; }
            if (i < STEPS.length) {
                const step = STEPS[i++].replace("%", store.name);
                emit(store, "step", step);
                if (step.includes("WooCommerce") && held.has(store.name)) { holds.set(store.name, () => { held.delete(store.name); setTimeout(tick, 250); }); return; }
                return setTimeout(tick, 250);
            }
            store.url = `http://${store.name}.woostore.localhost`;
            store.reason = null;
            emit(store, "status", "Ready");
        };
        setTimeout(tick, 500);
    };
    const view = (s: StandInStore, _admin: boolean) => ({ name: s.name, status: s.status, reason: s.reason, url: s.url, source: "api", readOnly: false, owner: s.owner, createdAt: s.createdAt, updatedAt: s.updatedAt, operation: null });

    const server = http.createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://x");
        const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
            res.writeHead(status, { "Content-Type": status >= 400 ? "application/problem+json" : "application/json", ...headers });
            res.end(JSON.stringify(body));
        };
        const problem = (status: number, detail: string, errors?: unknown[], headers?: Record<string, string>) => send(status, { type: "about:blank", title: http.STATUS_CODES[status], status, detail, ...(errors ? { errors } : {}) }, headers);
        if (!url.pathname.startsWith("/api/")) {
            const file = path.join(DIST, url.pathname === "/" ? "index.html" : path.normalize(url.pathname));
            if (!file.startsWith(DIST) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return problem(404, "not found");
            res.writeHead(200, { "Content-Type": file.endsWith(".js") ? "text/javascript" : file.endsWith(".css") ? "text/css" : "text/html" });
            return res.end(fs.readFileSync(file));
        }
        const caller = tokens[(req.headers.authorization ?? "").replace(/^Bearer /, "")];
        if (!caller) return problem(401, "a valid bearer token is required");
        const match = /^\/api\/v1\/stores(?:\/([^/]+)(?:\/(retry|credentials|events))?)?$/.exec(url.pathname);
        if (!match) return problem(404, "no such route");
        const [, name, action] = match;
        const store = name ? stores.get(name) : undefined;
        const visible = store && (caller.admin || store.owner === caller.name) ? store : undefined;
        let body = "";
        req.on("data", (c: Buffer) => { body += c.toString(); });
        req.on("end", () => {
            if (!name && req.method === "GET") return send(200, { stores: [...[...stores.values()].filter((s) => caller.admin || s.owner === caller.name).map((s) => view(s, caller.admin)), ...(caller.admin ? listed.map((l) => ({ name: l, status: "Ready", reason: null, url: `http://${l}.woostore.localhost`, source: "stores.yaml", readOnly: true, owner: null, createdAt: null, updatedAt: null, operation: null })) : [])] });
            if (!name && req.method === "POST") {
                const ip = req.socket.remoteAddress ?? "";
                const now = Date.now();
                const recent = (creations.get(ip) ?? []).filter((t) => now - t < 60_000);
                if (recent.length >= 5) return problem(429, "at most 5 store creations per minute", undefined, { "Retry-After": String(Math.ceil((recent[0] + 60_000 - now) / 1000)) });
                recent.push(now);
                creations.set(ip, recent);
                const parsed = createBody.safeParse(JSON.parse(body || "{}"), { reportInput: true });
                if (!parsed.success) {
                    const errors = parsed.error.issues.flatMap((issue) => describeIssue(issue).map((d) => ({ path: dottedPath(issue.path), message: d.message, hint: d.hint })));
                    return problem(422, `the store entry is invalid: ${errors[0].path}: ${errors[0].message}`, errors);
                }
                if (stores.has(parsed.data.name)) return problem(409, `a store named "${parsed.data.name}" exists — choose another name`);
                const now2 = new Date().toISOString();
                const created: StandInStore = { name: parsed.data.name, owner: caller.name, status: "Queued", reason: null, url: null, createdAt: now2, updatedAt: now2, events: [{ kind: "status", text: "Queued" }], listeners: new Set(), attempt: 0 };
                stores.set(created.name, created);
                run(created);
                return send(202, view(created, caller.admin), { Location: `/api/v1/stores/${created.name}` });
            }
            if (!visible) return problem(404, `no store named "${name}"`);
            if (!action && req.method === "GET") return send(200, view(visible, caller.admin));
            if (!action && req.method === "DELETE") {
                if (visible.status !== "Ready" && visible.status !== "Failed") return problem(409, "an operation is in progress", undefined, { "Retry-After": "5" });
                emit(visible, "status", "Deleting");
                setTimeout(() => stores.delete(visible.name), 800);
                return send(202, view(visible, caller.admin));
            }
            if (action === "retry" && req.method === "POST") {
                if (visible.status !== "Failed") return problem(409, "only a Failed store can be retried");
                emit(visible, "status", "Queued");
                run(visible);
                return send(202, view(visible, caller.admin));
            }
            if (action === "credentials") {
                if (visible.status !== "Ready") return problem(409, "credentials are available once the store is Ready");
                return send(200, { adminUser: "admin", adminPassword: `pw-${visible.name}-S3cret!`, url: `${visible.url}/wp-admin/` });
            }
            if (action === "events") {
                res.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-store" });
                let sent = 0;
                const flush = () => {
                    for (; sent < visible.events.length; sent++) {
                        const e = visible.events[sent];
                        res.write(`event: ${e.kind}\ndata: ${JSON.stringify({ text: e.text, at: new Date().toISOString() })}\n\n`);
                    }
                    if (["Ready", "Failed"].includes(visible.status)) { visible.listeners.delete(flush); res.end(`event: end\ndata: ${JSON.stringify({ status: visible.status })}\n\n`); }
                };
                visible.listeners.add(flush);
                res.on("close", () => visible.listeners.delete(flush));
                return flush();
            }
            return problem(405, "method not allowed");
        });
    });
    return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve({ server, failCreations: (n) => failing.add(n), addListedStore: (n) => { listed.push(n); }, holdAtSetupStep: (n) => { held.add(n); return () => { held.delete(n); holds.get(n)?.(); }; } })));
}

if (require.main === module) {
    void startStandIn(Number(process.env.PORT ?? 8099), { "admin-token": { name: "admin", admin: true }, "alice-token": { name: "alice", admin: false }, "bob-token": { name: "bob", admin: false } })
        .then(() => console.log(`FAKE API stand-in on http://127.0.0.1:${process.env.PORT ?? 8099}`));
}
