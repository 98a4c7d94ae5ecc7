/**
 * `npm run serve` options from flags and environment, parsed without side effects. Every
 * mistake is collected and reported at once with what to write instead.
 */
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export type ServerRole = "api" | "worker" | "all";

export interface ServeOptions {
    host: string;
    port: number;
    role: ServerRole;
    /** External PostgreSQL; undefined: the embedded one in `postgresDir`. */
    databaseUrl?: string;
    postgresDir: string;
    /** Set by WOOSTORE_POSTGRES_DIR (never moved elsewhere). */
    postgresDirExplicit: boolean;
    postgresPort: number;
    /** The base stack whose per-store stacks hold the API's stores. */
    stack: string;
    /** Fastify's trustProxy: false (socket address only), a hop count, or proxy addresses/CIDRs. */
    trustProxy: false | number | string[];
    workerConcurrency: number;
    help: boolean;
}

export const SERVE_USAGE = `usage: npm run serve [-- options]
  --listen HOST:PORT        where the API listens (env WOOSTORE_LISTEN; default 127.0.0.1:8080)
  --role api|worker|all     api: HTTP only; worker: store operations only; all (default): both
  --stack NAME              base stack of the stores (env WOOSTORE_STACK; default dev)
  --trust-proxy HOPS|CIDRS  trust X-Forwarded-For from this many proxies, or from these
                            comma-separated addresses/CIDRs (env WOOSTORE_TRUST_PROXY; default: never)
  --workers N               store operations one worker runs at once (default 2)
  --help                    this text
environment: DATABASE_URL selects an external PostgreSQL (default: embedded, data in
  ~/.woostore/postgres or WOOSTORE_POSTGRES_DIR, port WOOSTORE_POSTGRES_PORT or 54329); WOOSTORE_ADMIN_TOKEN sets the admin token`;

export class ServeUsageError extends Error {}

export function parseListen(text: string): { host: string; port: number } | string {
    const match = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(text);
    if (!match || Number(match[2]) > 65535) return `listen address ${JSON.stringify(text)}: write HOST:PORT, e.g. 127.0.0.1:8080 or 0.0.0.0:80`;
    return { host: match[1].replace(/^\[|\]$/g, ""), port: Number(match[2]) };
}

export function parseTrustProxy(text: string): false | number | string[] | string {
    const value = text.trim();
    if (value === "" || value === "false" || value === "0") return false;
    if (/^\d+$/.test(value)) return Number(value);
    const entries = value.split(",").map((entry) => entry.trim()).filter(Boolean);
    const bad = entries.filter((entry) => {
        const [address, bits, ...rest] = entry.split("/");
        const family = net.isIP(address);
        if (!family || rest.length) return true;
        return bits !== undefined && (!/^\d+$/.test(bits) || Number(bits) > (family === 4 ? 32 : 128));
    });
    if (bad.length) return `trusted proxies ${bad.map((entry) => JSON.stringify(entry)).join(", ")}: write a hop count (e.g. 1) or IP addresses/CIDRs separated by commas (e.g. 10.0.0.0/8,192.168.1.5)`;
    return entries;
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv, home = os.homedir()): ServeOptions {
    const problems: string[] = [];
    const woostoreHome = env.WOOSTORE_HOME ?? path.join(home, ".woostore");
    const options: ServeOptions = {
        host: "127.0.0.1", port: 8080, role: "all", databaseUrl: env.DATABASE_URL || undefined,
        postgresDir: env.WOOSTORE_POSTGRES_DIR || path.join(woostoreHome, "postgres"), postgresDirExplicit: Boolean(env.WOOSTORE_POSTGRES_DIR), postgresPort: 54329,
        stack: env.WOOSTORE_STACK || "dev", trustProxy: false, workerConcurrency: 2, help: false,
    };
    const listen = (text: string) => {
        const parsed = parseListen(text);
        if (typeof parsed === "string") problems.push(parsed); else Object.assign(options, parsed);
    };
    const trust = (text: string) => {
        const parsed = parseTrustProxy(text);
        if (typeof parsed === "string") problems.push(parsed); else options.trustProxy = parsed;
    };
    if (env.WOOSTORE_LISTEN) listen(env.WOOSTORE_LISTEN);
    if (env.WOOSTORE_TRUST_PROXY) trust(env.WOOSTORE_TRUST_PROXY);
    if (env.WOOSTORE_POSTGRES_PORT) {
        if (/^\d+$/.test(env.WOOSTORE_POSTGRES_PORT)) options.postgresPort = Number(env.WOOSTORE_POSTGRES_PORT);
        else problems.push(`WOOSTORE_POSTGRES_PORT ${JSON.stringify(env.WOOSTORE_POSTGRES_PORT)}: write a port number`);
    }
    for (let index = 0; index < argv.length; index++) {
        const arg = argv[index];
        const value = (): string | undefined => {
            const next = argv[index + 1];
            if (next === undefined || next.startsWith("--")) {
                problems.push(`${arg} needs a value`);
                return undefined;
            }
            index++;
            return next;
        };
        switch (arg) {
            case "--listen": { const v = value(); if (v !== undefined) listen(v); break; }
            case "--trust-proxy": { const v = value(); if (v !== undefined) trust(v); break; }
            case "--stack": { const v = value(); if (v !== undefined) options.stack = v; break; }
            case "--role": {
                const v = value();
                if (v === "api" || v === "worker" || v === "all") options.role = v;
                else if (v !== undefined) problems.push(`--role ${JSON.stringify(v)}: write api, worker or all`);
                break;
            }
            case "--workers": {
                const v = value();
                if (v !== undefined && /^\d+$/.test(v) && Number(v) >= 1) options.workerConcurrency = Number(v);
                else if (v !== undefined) problems.push(`--workers ${JSON.stringify(v)}: write a whole number of at least 1`);
                break;
            }
            case "--help": case "-h": options.help = true; break;
            default: problems.push(`unknown option ${JSON.stringify(arg)}`);
        }
    }
    if (problems.length) throw new ServeUsageError(`${problems.join("; ")}\n${SERVE_USAGE}`);
    return options;
}

/**
 * Fastify's trustProxy from the configured value. A hop count becomes a function: the socket
 * peer is hop 0, so trusting N hops trusts hops 0..N-1 and the client is the address the
 * outermost trusted proxy saw. Nothing configured: the socket address, X-Forwarded-For ignored.
 */
export function trustProxyOption(trust: false | number | string[]): false | string[] | ((address: string, hop: number) => boolean) {
    if (typeof trust === "number") return trust === 0 ? false : (_address, hop) => hop < trust;
    return trust;
}
