/**
 * A throwaway, real PostgreSQL server for tests: Debian's `postgresql` package (installed with
 * apt-get when missing), a fresh cluster in a temp dir, listening on 127.0.0.1 only, stopped
 * and deleted by `stop()`. Runs as the `postgres` user when started by root (initdb refuses
 * root).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface TestPostgres { url(database: string): string; port: number; stop(): void }

function binDir(): string {
    const find = () => fs.existsSync("/usr/lib/postgresql")
        ? fs.readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a)).map((v) => `/usr/lib/postgresql/${v}/bin`).find((dir) => fs.existsSync(`${dir}/initdb`))
        : undefined;
    let dir = find();
    if (!dir) {
        execFileSync("sh", ["-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null"], { stdio: "inherit" });
        dir = find();
    }
    if (!dir) throw new Error("PostgreSQL could not be installed (apt-get install postgresql)");
    return dir;
}

export function startPostgres(port: number, databases: string[]): TestPostgres {
    const bin = binDir();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-pg-"));
    const data = path.join(root, "data");
    const asRoot = process.getuid?.() === 0;
    const run = (command: string, args: string[]) => execFileSync(asRoot ? "runuser" : command, asRoot ? ["-u", "postgres", "--", command, ...args] : args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
    if (asRoot) execFileSync("chown", ["postgres:postgres", root]);
    fs.chmodSync(root, 0o755);
    run(`${bin}/initdb`, ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
    run(`${bin}/pg_ctl`, ["-D", data, "-l", path.join(root, "server.log"), "-w", "-o", `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${root} -c fsync=off`, "start"]);
    for (const database of databases) run(`${bin}/createdb`, ["-h", "127.0.0.1", "-p", String(port), "-U", "postgres", database]);
    return {
        port,
        url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}?sslmode=disable`,
        stop: () => {
            try {
                run(`${bin}/pg_ctl`, ["-D", data, "-m", "fast", "-w", "stop"]);
            } finally {
                fs.rmSync(root, { recursive: true, force: true });
            }
        },
    };
}
