/**
 * `npm run test:backup`: the backup script's real round trip. Nothing is faked: a private
 * mariadbd (own datadir and socket in a temp dir), restic 0.18.1 and restic's REST server
 * (both built from their Go modules by backup/install-test-tools.sh), and a tmpfs for the full
 * disk. A WordPress/WooCommerce-shaped database is backed up by backup/woostore-backup.sh,
 * dropped, restored, and compared table by table with CHECKSUM TABLE and row counts. The same
 * round trip runs against an S3-compatible server, gofakes3 (built from its Go module the same
 * way), with the target credentials in the environment exactly as the backup pod gets them.
 * Needs root (the server runs as root, mount needs root): run as root or it fails, never skips.
 */
import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync, SpawnSyncReturns } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { BACKUP_CREDENTIALS_SECRET_NAME, backupConfigSchema, backupPodSpec } from "../../components/backup";
import { CREDENTIALS_SECRET_NAME } from "../../components/defaults";
import { resolveStore, storeEntrySchema } from "../../components/storeList";
import { minimalConfig } from "../helpers/config";

const REPO_ROOT = resolve(__dirname, "..", "..");
const SCRIPT = join(REPO_ROOT, "backup", "woostore-backup.sh");
const SCHEMA = join(__dirname, "fixtures", "wordpress-schema.sql");
const TOOLS_BIN = join(process.env.WOOSTORE_TOOLS_DIR ?? "/var/cache/woostore-tools", "bin");
const PATH = `${TOOLS_BIN}:${process.env.PATH ?? "/usr/bin:/bin"}`;
const DB_PASSWORD = "Db-Pa55word-e2c1";
const REPO_PASSWORD = "restic-Pa55-9b0d7f";
/** Orders in the fixture: 6000 rows in wp_wc_orders, every 10th a refund. */
const FIXTURE_ORDERS = 5400;

const work = mkdtempSync(join(tmpdir(), "woostore-backup-test-"));
const socket = join(work, "mysqld.sock");
const backupRoot = join(work, "backup-root");
const restData = join(work, "rest-server");
const s3Data = join(work, "gofakes3");
/** The S3 bucket the target names; gofakes3 creates it at start, as an operator would. */
const S3_BUCKET = "woostore-backups";
/** The stack's woostore:backupCredentials for the S3 target (made-up keys of the test server). */
const S3_CREDENTIALS = { AWS_ACCESS_KEY_ID: "WOOSTORETESTKEY", AWS_SECRET_ACCESS_KEY: "s3-Secret-Key-4f1a9c" };
const fullDisk = join(work, "full-disk");
const servers: ChildProcess[] = [];
let restPort = 0;
let mounted = false;
/** Numbers for the report, printed at the end. */
const measured: Record<string, unknown> = {};

function run(command: string, args: string[], options: { env?: Record<string, string>; input?: string } = {}): SpawnSyncReturns<string> {
    return spawnSync(command, args, { encoding: "utf8", env: { PATH, HOME: work, ...options.env }, input: options.input, maxBuffer: 256 * 1024 * 1024 });
}

function mustRun(command: string, args: string[], options: { env?: Record<string, string>; input?: string } = {}): string {
    const result = run(command, args, options);
    assert.equal(result.status, 0, `${command} ${args.join(" ")} failed (${result.status}): ${result.stderr}`);
    return result.stdout;
}

/** SQL as the server's root (unix-socket authentication of the OS root user). */
function rootSql(query: string, database = ""): string {
    return mustRun("mariadb", ["--no-defaults", `--socket=${socket}`, "-uroot", "-N", "-B", ...(database ? [database] : []), "-e", query]);
}

function freePort(): Promise<number> {
    return new Promise((resolvePort, reject) => {
        const server = createServer();
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
        });
    });
}

async function waitFor(what: string, ready: () => boolean, seconds: number): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    while (!ready()) {
        if (Date.now() > deadline) throw new Error(`${what} did not come up within ${seconds}s`);
        await new Promise((done) => setTimeout(done, 200));
    }
}

const repository = () => `rest:http://127.0.0.1:${restPort}/shop`;

function scriptEnv(overrides: Record<string, string> = {}): Record<string, string> {
    return {
        STORE_NAME: "shop",
        RESTIC_REPOSITORY: repository(),
        RESTIC_PASSWORD: REPO_PASSWORD,
        BACKUP_ROOT: backupRoot,
        DB_SOCKET: socket,
        DB_NAME: "wordpress",
        DB_USER: "wordpress",
        DB_PASSWORD,
        TMPDIR: work,
        ...overrides,
    };
}

interface ScriptRun { status: number | null; result?: Record<string, unknown>; lastLine: string; stderr: string; seconds: number }

function runScript(args: string[], env: Record<string, string> = {}, asUid?: number): ScriptRun {
    const started = Date.now();
    // As the pod does: uid/gid 33 (www-data, the owner of the WordPress files), no other groups.
    const command = asUid === undefined ? ["bash", SCRIPT, ...args] : ["setpriv", `--reuid=${asUid}`, `--regid=${asUid}`, "--clear-groups", "bash", SCRIPT, ...args];
    const result = run(command[0], command.slice(1), { env: scriptEnv(env) });
    const lines = result.stderr.trim().split("\n");
    const resultLine = result.stdout.trim().split("\n").pop() ?? "";
    return {
        status: result.status,
        result: result.status === 0 && resultLine.startsWith("{") ? JSON.parse(resultLine) as Record<string, unknown> : undefined,
        lastLine: lines[lines.length - 1] ?? "",
        stderr: result.stderr,
        seconds: (Date.now() - started) / 1000,
    };
}

/** restic itself, for checks from outside the script. */
function restic(args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
    return run("restic", args, { env: { RESTIC_REPOSITORY: repository(), RESTIC_PASSWORD: REPO_PASSWORD, RESTIC_CACHE_DIR: join(work, "restic-cache"), ...env } });
}

interface PodEnvVar { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string; optional?: boolean } } }

/**
 * The target variables of the backup pod that components/backup.ts specifies for `target`,
 * resolved the way the kubelet does: plain values as given, secretKeyRef from the store's
 * credentials Secret (restic-password) and the backup credentials Secret (the stack's
 * woostore:backupCredentials map), optional keys absent when the map lacks them.
 */
function podTargetEnv(target: string, credentials: Record<string, string>): Record<string, string> {
    const config = minimalConfig({ backup: { target }, defaults: { quota: { cpu: "3", memory: "3Gi" } } });
    const store = resolveStore(storeEntrySchema.parse({ name: "shop", admin: { email: "a@example.com" } }), config);
    const pod = backupPodSpec({ store, backup: backupConfigSchema.parse({ target }), images: { mariadb: config.images.mariadb, restic: config.images.restic }, command: { action: "backup", kind: "manual" } });
    const secrets: Record<string, Record<string, string>> = { [CREDENTIALS_SECRET_NAME]: { "restic-password": REPO_PASSWORD }, [BACKUP_CREDENTIALS_SECRET_NAME]: credentials };
    const env: Record<string, string> = {};
    for (const variable of pod.spec.containers[0].env as PodEnvVar[]) {
        if (!/^(RESTIC_REPOSITORY|RESTIC_PASSWORD|RESTIC_REST_.*|AWS_.*)$/.test(variable.name)) continue;
        const ref = variable.valueFrom?.secretKeyRef;
        const value = ref ? secrets[ref.name]?.[ref.key] : variable.value;
        if (value !== undefined) env[variable.name] = value;
        else assert.ok(ref?.optional, `the pod's ${variable.name} has no value and is not optional`);
    }
    return env;
}

function snapshotIds(env: Record<string, string> = {}): string[] {
    const result = restic(["snapshots", "--json", "--no-lock"], env);
    assert.equal(result.status, 0, result.stderr);
    return (JSON.parse(result.stdout) as { id: string }[]).map((snapshot) => snapshot.id);
}

/** CHECKSUM TABLE and COUNT(*) of every base table of the shop database. */
function tableState(): Map<string, { checksum: string; rows: number }> {
    const tables = rootSql("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'wordpress' AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1").trim().split("\n");
    const state = new Map<string, { checksum: string; rows: number }>();
    const sums = rootSql(`CHECKSUM TABLE ${tables.map((table) => `wordpress.\`${table}\``).join(", ")}`).trim().split("\n");
    for (const line of sums) {
        const [name, checksum] = line.split("\t");
        const table = name.replace(/^wordpress\./, "");
        const rows = Number(rootSql(`SELECT COUNT(*) FROM wordpress.\`${table}\``).trim());
        state.set(table, { checksum, rows });
    }
    return state;
}

/** sha256 of every file under a directory, by relative path. */
function fileHashes(dir: string): Record<string, string> {
    const hashes: Record<string, string> = {};
    const walk = (current: string) => {
        for (const entry of readdirSync(current, { withFileTypes: true })) {
            const full = join(current, entry.name);
            if (entry.isDirectory()) walk(full);
            else hashes[relative(dir, full)] = createHash("sha256").update(readFileSync(full)).digest("hex");
        }
    };
    walk(dir);
    return hashes;
}

function duBytes(dir: string): number {
    return Number(mustRun("du", ["-sb", dir]).split("\t")[0]);
}

before(async () => {
    assert.equal(process.getuid?.(), 0, "test:backup runs mariadbd as root and mounts a tmpfs: run it as root");
    for (const tool of ["mariadbd", "mariadb-install-db", "mariadb-dump", "restic", "rest-server"]) {
        assert.equal(run("sh", ["-c", `command -v ${tool}`]).status, 0, `${tool} is missing — run bash backup/install-test-tools.sh (npm run test:backup does)`);
    }
    const datadir = join(work, "data");
    mustRun("mariadb-install-db", ["--no-defaults", `--datadir=${datadir}`, "--user=root", "--auth-root-authentication-method=socket", "--skip-test-db"]);
    servers.push(spawn("mariadbd", ["--no-defaults", `--datadir=${datadir}`, `--socket=${socket}`, "--skip-networking", "--user=root",
        `--pid-file=${join(work, "mysqld.pid")}`, `--log-error=${join(work, "mysqld.err")}`, "--innodb-buffer-pool-size=64M", "--innodb-log-file-size=32M"], { stdio: "ignore", env: { PATH } }));
    await waitFor("mariadbd", () => run("mariadb-admin", ["--no-defaults", `--socket=${socket}`, "-uroot", "ping"]).status === 0, 60);

    restPort = await freePort();
    mkdirSync(restData);
    servers.push(spawn("rest-server", ["--path", restData, "--listen", `127.0.0.1:${restPort}`, "--no-auth"], { stdio: "ignore", env: { PATH } }));
    await waitFor("rest-server", () => run("bash", ["-c", `exec 3<>/dev/tcp/127.0.0.1/${restPort}`]).status === 0, 30);

    rootSql(`CREATE DATABASE wordpress CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_520_ci;
        CREATE USER 'wordpress'@'localhost' IDENTIFIED BY '${DB_PASSWORD}';
        GRANT ALL PRIVILEGES ON wordpress.* TO 'wordpress'@'localhost';`);
    const loadStarted = Date.now();
    // As the shop's own user, like WordPress: the trigger and function get its DEFINER.
    mustRun("mariadb", ["--no-defaults", `--socket=${socket}`, "-uwordpress", `-p${DB_PASSWORD}`, "wordpress"], { input: readFileSync(SCHEMA, "utf8") });
    measured.fixtureLoadSeconds = (Date.now() - loadStarted) / 1000;

    // wp-content/uploads: media of several sizes, incompressible like real JPEGs.
    for (const [month, count] of [["2026/10", 12], ["2026/11", 20]] as const) {
        mkdirSync(join(backupRoot, "uploads", month), { recursive: true });
        for (let index = 0; index < count; index++) {
            writeFileSync(join(backupRoot, "uploads", month, `product-${index}.jpg`), randomBytes(8 * 1024 + index * 4096));
        }
    }
    writeFileSync(join(backupRoot, "uploads", "2026", "11", "Ünïcödé name ✓.txt"), "a file name WordPress allows\n");
});

after(async () => {
    // Stopped servers first (mariadbd writes while it shuts down), then the temp dir.
    await Promise.all(servers.map((server) => new Promise((done) => {
        if (server.exitCode !== null) return done(undefined);
        server.once("exit", done);
        server.kill("SIGTERM");
        setTimeout(() => { server.kill("SIGKILL"); }, 20_000).unref();
    })));
    if (mounted) spawnSync("umount", [fullDisk]);
    console.log(`# backup round trip measurements: ${JSON.stringify(measured)}`);
    if (process.env.KEEP_BACKUP_TEST_DIR !== "1") rmSync(work, { recursive: true, force: true, maxRetries: 3 });
});

describe("backup script, real round trip (mariadbd + restic 0.18.1 + rest-server, nothing faked)", { concurrency: 1 }, () => {
    let firstSnapshot = "";
    let stateAtBackup = new Map<string, { checksum: string; rows: number }>();
    let uploadsAtBackup: Record<string, string> = {};

    it("backup: dumps the shop, uploads it with the uploads, records the order count in tag and manifest", () => {
        stateAtBackup = tableState();
        uploadsAtBackup = fileHashes(join(backupRoot, "uploads"));
        const backup = runScript(["backup", "--kind", "manual"]);
        assert.equal(backup.status, 0, backup.stderr);
        assert.ok(backup.result);
        assert.equal(backup.result.orders, FIXTURE_ORDERS);
        assert.equal(backup.result.quiescent, true);
        assert.match(String(backup.result.snapshot), /^[0-9a-f]{64}$/);
        firstSnapshot = String(backup.result.snapshot);
        const listed = JSON.parse(restic(["snapshots", "--json"]).stdout) as { id: string; tags: string[]; hostname: string; paths: string[] }[];
        assert.equal(listed.length, 1);
        assert.deepEqual(listed[0].tags.sort(), ["kind=manual", `orders=${FIXTURE_ORDERS}`, "store=shop"]);
        assert.equal(listed[0].hostname, "shop");
        const manifest = JSON.parse(restic(["dump", firstSnapshot, "/database/manifest.json"]).stdout) as { ordersBefore: number; tables: Record<string, { rows: number; checksum: string }> };
        assert.equal(manifest.ordersBefore, FIXTURE_ORDERS);
        assert.deepEqual(Object.keys(manifest.tables).sort(), [...stateAtBackup.keys()].sort());
        for (const [table, state] of stateAtBackup) {
            assert.deepEqual(manifest.tables[table], state, `manifest entry of ${table}`);
        }
        // The dump is removed from the pod's scratch volume once it is in the repository.
        assert.equal(existsSync(join(backupRoot, "database", "wordpress.sql")), false);
        const dumpBytes = Number(backup.result.dumpBytes);
        measured.backupSeconds = backup.seconds;
        measured.dumpBytes = dumpBytes;
        measured.uploadFiles = backup.result.uploadFiles;
        measured.uploadBytes = duBytes(join(backupRoot, "uploads"));
        measured.repositoryBytes = duBytes(restData);
        measured.tables = stateAtBackup.size;
        measured.rows = [...stateAtBackup.values()].reduce((sum, state) => sum + state.rows, 0);
    });

    it("restore: DROP DATABASE, restore the snapshot; every CHECKSUM TABLE, row count and upload is byte-equal", () => {
        rootSql("DROP DATABASE wordpress");
        // Damage the uploads too: one file gone, one changed, one that was never backed up.
        unlinkSync(join(backupRoot, "uploads", "2026", "10", "product-3.jpg"));
        writeFileSync(join(backupRoot, "uploads", "2026", "11", "product-0.jpg"), "overwritten");
        writeFileSync(join(backupRoot, "uploads", "2026", "11", "stray.jpg"), "not in the snapshot");

        const restore = runScript(["restore", firstSnapshot.slice(0, 8)]);
        assert.equal(restore.status, 0, restore.stderr);
        assert.ok(restore.result);
        assert.equal(restore.result.orders, FIXTURE_ORDERS);
        assert.equal(restore.result.ordersRecorded, FIXTURE_ORDERS);
        assert.equal(restore.result.tablesDiffering, 0);
        measured.restoreSeconds = restore.seconds;

        const restored = tableState();
        assert.deepEqual([...restored.keys()].sort(), [...stateAtBackup.keys()].sort());
        for (const [table, state] of stateAtBackup) {
            assert.deepEqual(restored.get(table), state, `table ${table}: checksum and rows after the restore`);
        }
        measured.checksums = Object.fromEntries([...restored].map(([table, state]) => [table, `${state.checksum}/${state.rows} rows`]));
        assert.deepEqual(fileHashes(join(backupRoot, "uploads")), uploadsAtBackup);
        // --triggers and --routines: the trigger still fills the stats table, the function exists.
        rootSql("INSERT INTO wp_wc_orders (id, status, currency, type, total_amount, date_created_gmt) VALUES (999999, 'wc-processing', 'EUR', 'shop_order', 12.5, NOW())", "wordpress");
        assert.equal(rootSql("SELECT total_sales FROM wp_wc_order_stats WHERE order_id = 999999", "wordpress").trim(), "12.5");
        assert.equal(rootSql("SELECT wp_woostore_order_count()", "wordpress").trim(), String(FIXTURE_ORDERS + 1));
        rootSql("DELETE FROM wp_wc_order_stats WHERE order_id = 999999; DELETE FROM wp_wc_orders WHERE id = 999999", "wordpress");
    });

    it("wrong repository password: fails with a clear line, earlier snapshots intact", () => {
        const before = snapshotIds();
        const backup = runScript(["backup"], { RESTIC_PASSWORD: "not-the-password" });
        assert.equal(backup.status, 1);
        assert.match(backup.lastLine, /^woostore-backup: backup failed: opening the repository: wrong repository password for rest:http:\/\/127\.0\.0\.1:\d+\/shop — /);
        assert.doesNotMatch(backup.stderr, new RegExp(REPO_PASSWORD));
        assert.deepEqual(snapshotIds(), before);
        assert.equal(restic(["check", "--read-data"]).status, 0);
    });

    it("unreachable target: fails within seconds with a clear line, earlier snapshots intact", async () => {
        const before = snapshotIds();
        const closedPort = await freePort();
        const backup = runScript(["backup"], { RESTIC_REPOSITORY: `rest:http://user:secret-in-url@127.0.0.1:${closedPort}/shop` });
        assert.equal(backup.status, 1);
        assert.match(backup.lastLine, /^woostore-backup: backup failed: backup target rest:http:\/\/\*\*\*@127\.0\.0\.1:\d+\/shop is unreachable \(no TCP connection to 127\.0\.0\.1:\d+ within 10s: Connection refused\) — /);
        assert.doesNotMatch(backup.stderr, /secret-in-url/);
        assert.ok(backup.seconds < 30, `took ${backup.seconds}s`);
        measured.unreachableFailSeconds = backup.seconds;
        assert.deepEqual(snapshotIds(), before);
    });

    it("full disk (16 MiB tmpfs repository): fails with a clear line; the earlier snapshot is intact and restores byte-equal once space is freed", () => {
        mkdirSync(fullDisk);
        mustRun("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", fullDisk]);
        mounted = true;
        const local = { RESTIC_REPOSITORY: join(fullDisk, "shop") };
        const first = runScript(["backup", "--kind", "scheduled"], local);
        assert.equal(first.status, 0, first.stderr);
        const kept = String(first.result?.snapshot);
        // 24 MiB of new, incompressible media cannot fit.
        const big = join(backupRoot, "uploads", "2026", "11", "video.mp4");
        writeFileSync(big, randomBytes(24 * 1024 * 1024));
        const full = runScript(["backup"], local);
        assert.equal(full.status, 1);
        assert.match(full.lastLine, /^woostore-backup: backup failed: (uploading the snapshot|applying retention): disk full \(.*no space left on device.*\) — free space at the target/i);
        measured.fullDiskFailSeconds = full.seconds;
        unlinkSync(big);
        assert.deepEqual(snapshotIds(local).map((id) => id), [kept]);
        // The operator frees space (here: a larger tmpfs); the repository checks clean and restores.
        mustRun("mount", ["-o", "remount,size=64m", fullDisk]);
        const check = restic(["check"], local);
        assert.equal(check.status, 0, check.stdout + check.stderr);
        const state = tableState();
        rootSql("DROP DATABASE wordpress");
        const restore = runScript(["restore", kept], local);
        assert.equal(restore.status, 0, restore.stderr);
        assert.deepEqual(tableState(), state);
    });

    it("retention: forget --keep-daily groups by store, so same-day backups collapse to the newest", () => {
        const backup = runScript(["backup"], { KEEP_DAILY: "1", KEEP_WEEKLY: "0", KEEP_MONTHLY: "0" });
        assert.equal(backup.status, 0, backup.stderr);
        assert.deepEqual(snapshotIds(), [String(backup.result?.snapshot)]);
    });

    it("as the pod's user (uid 33, not root): backup, then restore of database and uploads, byte-equal", () => {
        const podTmp = join(work, "pod-tmp");
        mkdirSync(podTmp);
        mustRun("chown", ["-R", "33:33", backupRoot, podTmp]);
        mustRun("chmod", ["755", work]);
        const state = tableState();
        const uploads = fileHashes(join(backupRoot, "uploads"));
        const backup = runScript(["backup", "--kind", "scheduled"], { TMPDIR: podTmp }, 33);
        assert.equal(backup.status, 0, backup.stderr);
        rootSql("DROP DATABASE wordpress");
        writeFileSync(join(backupRoot, "uploads", "2026", "11", "stray.jpg"), "not in the snapshot");
        mustRun("chown", ["33:33", join(backupRoot, "uploads", "2026", "11", "stray.jpg")]);
        const restore = runScript(["restore", String(backup.result?.snapshot)], { TMPDIR: podTmp }, 33);
        assert.equal(restore.status, 0, restore.stderr);
        assert.deepEqual(tableState(), state);
        assert.deepEqual(fileHashes(join(backupRoot, "uploads")), uploads);
        const owners = mustRun("find", [backupRoot, "-not", "-user", "33"]).trim();
        assert.equal(owners, "", "every restored file belongs to www-data");
    });

    it("argument and environment errors: usage (exit 2) or one clear line (exit 1), nothing touched", () => {
        const before = snapshotIds();
        const cases: [string[], Record<string, string>, number, RegExp][] = [
            [[], {}, 2, /no command given/],
            [["restore"], {}, 2, /restore needs exactly one snapshot id/],
            [["restore", "xyz"], {}, 2, /"xyz" is not a snapshot id/],
            [["backup", "--kind", "hourly"], {}, 2, /--kind needs scheduled, manual or pre-upgrade/],
            [["backup"], { RESTIC_PASSWORD: "" }, 1, /backup failed: no repository password/],
            [["backup"], { STORE_NAME: "" }, 1, /backup failed: environment variable\(s\) STORE_NAME not set/],
            [["backup"], { DB_PASSWORD: "wrong" }, 1, /backup failed: database login refused for user wordpress/],
            [["restore", "deadbeef"], {}, 1, /restore failed: (finding snapshot deadbeef: .*no matching ID|snapshot deadbeef of store shop not found)/],
        ];
        for (const [args, env, status, message] of cases) {
            const result = runScript(args, env);
            assert.equal(result.status, status, `${args.join(" ")}: ${result.stderr}`);
            assert.match(result.stderr, message);
        }
        assert.deepEqual(snapshotIds(), before);
    });
});

describe("backup script, real round trip to an S3-compatible server (gofakes3 v1.2.0, mariadbd + restic 0.18.1)", { concurrency: 1 }, () => {
    let s3Port = 0;
    /** RESTIC_REPOSITORY, RESTIC_PASSWORD and AWS_* as the backup pod of an S3 target gets them. */
    let s3Env: Record<string, string> = {};

    before(async () => {
        assert.equal(run("sh", ["-c", "command -v gofakes3"]).status, 0, "gofakes3 is missing — run bash backup/install-test-tools.sh (npm run test:backup does)");
        s3Port = await freePort();
        mkdirSync(s3Data);
        // The bolt backend: objects in one file. (The fs backend answers a listing of a prefix
        // that has no objects yet with NoSuchBucket, and restic's init lists keys/ first.)
        servers.push(spawn("gofakes3", ["-backend", "bolt", "-bolt.db", join(s3Data, "objects.db"), "-host", `127.0.0.1:${s3Port}`, "-initialbucket", S3_BUCKET, "-quiet"], { stdio: "ignore", env: { PATH } }));
        await waitFor("gofakes3", () => run("bash", ["-c", `exec 3<>/dev/tcp/127.0.0.1/${s3Port}`]).status === 0, 30);
        s3Env = podTargetEnv(`s3:http://127.0.0.1:${s3Port}/${S3_BUCKET}/woostore`, S3_CREDENTIALS);
        assert.deepEqual(Object.keys(s3Env).sort(), ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "RESTIC_PASSWORD", "RESTIC_REPOSITORY"]);
        assert.equal(s3Env.RESTIC_REPOSITORY, `s3:http://127.0.0.1:${s3Port}/${S3_BUCKET}/woostore/shop`);
    });

    it("S3-compatible server (gofakes3): backup with the pod's AWS_* credentials, DROP DATABASE, restore; every CHECKSUM TABLE, row count and upload is byte-equal", () => {
        const state = tableState();
        const uploads = fileHashes(join(backupRoot, "uploads"));
        const backup = runScript(["backup", "--kind", "manual"], s3Env);
        assert.equal(backup.status, 0, backup.stderr);
        assert.ok(backup.result);
        assert.equal(backup.result.orders, FIXTURE_ORDERS);
        assert.equal(backup.result.quiescent, true);
        const snapshot = String(backup.result.snapshot);
        assert.match(snapshot, /^[0-9a-f]{64}$/);
        measured.s3BackupSeconds = backup.seconds;
        // The snapshot is in the S3 repository (a new one, created by this first backup), tagged.
        const listed = JSON.parse(restic(["snapshots", "--json"], s3Env).stdout) as { id: string; tags: string[]; hostname: string }[];
        assert.deepEqual(listed.map((entry) => entry.id), [snapshot]);
        assert.deepEqual(listed[0].tags.sort(), ["kind=manual", `orders=${FIXTURE_ORDERS}`, "store=shop"]);
        // Every pack read back through ranged GETs: what the server stored is what restic wrote.
        const check = restic(["check", "--read-data"], s3Env);
        assert.equal(check.status, 0, check.stdout + check.stderr);

        rootSql("DROP DATABASE wordpress");
        unlinkSync(join(backupRoot, "uploads", "2026", "10", "product-5.jpg"));
        writeFileSync(join(backupRoot, "uploads", "2026", "11", "stray-s3.jpg"), "not in the snapshot");
        const restore = runScript(["restore", snapshot.slice(0, 8)], s3Env);
        assert.equal(restore.status, 0, restore.stderr);
        assert.ok(restore.result);
        assert.equal(restore.result.orders, FIXTURE_ORDERS);
        assert.equal(restore.result.tablesDiffering, 0);
        measured.s3RestoreSeconds = restore.seconds;
        const restored = tableState();
        assert.deepEqual([...restored.keys()].sort(), [...state.keys()].sort());
        for (const [table, expected] of state) {
            assert.deepEqual(restored.get(table), expected, `table ${table}: checksum and rows after the restore from S3`);
        }
        assert.deepEqual(fileHashes(join(backupRoot, "uploads")), uploads);
    });

    it("S3-compatible server (gofakes3): a second backup and retention (forget --prune deletes objects) keep the repository consistent", () => {
        const backup = runScript(["backup"], { ...s3Env, KEEP_DAILY: "1", KEEP_WEEKLY: "0", KEEP_MONTHLY: "0" });
        assert.equal(backup.status, 0, backup.stderr);
        assert.deepEqual(snapshotIds(s3Env), [String(backup.result?.snapshot)]);
        const check = restic(["check", "--read-data"], s3Env);
        assert.equal(check.status, 0, check.stdout + check.stderr);
    });
});
