/**
 * `npm run serve`'s server (startServer: HTTP, workers, migrations, admin token) on a throwaway
 * embedded PostgreSQL, with the FAKE store operations: for the schemathesis fuzz run and the
 * API benchmark, which test the HTTP layer and the queue, not Pulumi. Prints one JSON line
 * `{ "url", "token" }` when listening (`--backups`: with backups configured); SIGTERM stops it and deletes the database.
 */
import { parseServeArgs } from "../../server/config";
import { startServer } from "../../server/serve";
import { FakeStoreOperations } from "./fakeOperations";
import { startTestDatabase } from "./harness";

async function main() {
    const args = process.argv.slice(2);
    const flag = (name: string, fallback: string) => {
        const at = args.indexOf(name);
        return at >= 0 ? args[at + 1] : fallback;
    };
    const db = await startTestDatabase(Number(flag("--postgres-port", "55439")));
    // --backups: the stack has woostore:backup (and a quota that holds the backup pod), so the backup routes run their operations.
    const fake = new FakeStoreOperations(args.includes("--backups") ? { backup: { target: "rest:http://10.0.0.9:8000/woostore" }, defaults: { quota: { cpu: "4", memory: "4Gi" } } } : {});
    fake.delayMs = Number(flag("--operation-ms", "50"));
    const token = process.env.WOOSTORE_ADMIN_TOKEN ?? "wst_fake-server-admin-token-for-tests-only-000000";
    process.env.WOOSTORE_ADMIN_TOKEN = token;
    const options = parseServeArgs(["--listen", flag("--listen", "127.0.0.1:0")], { DATABASE_URL: db.url });
    const limit = Number(flag("--rate-limit", "5"));
    const server = await startServer(options, {
        operations: fake, rateLimit: { limit, windowSeconds: 60 }, logger: { level: flag("--log-level", "warn") }, print: () => undefined,
    });
    // Stores to find for the routes that take a name (the fuzzer's examples use "demo-shop").
    for (const name of (flag("--seed-stores", "")).split(",").filter(Boolean)) {
        const response = await fetch(`${server.url}/api/v1/stores`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ name, admin: { email: `owner@${name}.test` } }) });
        if (response.status !== 202) throw new Error(`seeding ${name}: ${response.status} ${await response.text()}`);
    }
    process.stdout.write(`${JSON.stringify({ url: server.url, token, databaseUrl: db.url })}\n`);
    const stop = async () => {
        await server.stop();
        await db.stop();
        process.exit(0);
    };
    process.once("SIGTERM", () => void stop());
    process.once("SIGINT", () => void stop());
}

main().catch((error: Error) => {
    console.error(error);
    process.exit(1);
});
