/**
 * The API the browser tests talk to: `npm run serve`'s real server (startServer: Fastify, pg-boss
 * workers, migrations, the dashboard's static files at `/`) on a real, throwaway embedded
 * PostgreSQL. Only the per-store Pulumi operation is FAKE (the API's tier-1 FakeStoreOperations),
 * here reporting engine and setup steps at a pace a person could watch.
 */
import { parseServeArgs } from "../../server/config";
import type { OperationContext, OperationOutcome } from "../../server/operations";
import { startServer } from "../../server/serve";
import { FakeStoreOperations } from "../api/fakeOperations";
import { createToken, startTestDatabase, TEST_QUEUE } from "../api/harness";

/** FAKE operation: the steps a real `up` reports (engine resources, then the setup Job's steps), paced. */
export class PacedFakeOperations extends FakeStoreOperations {
    stepMs = 300;
    private readonly holds = new Map<string, Promise<void>>();

    /** The store's next creation waits after its WooCommerce step until the returned function is called. */
    holdAtSetupStep(name: string): () => void {
        let release = () => undefined as void;
        this.holds.set(name, new Promise<void>((resolve) => { release = resolve; }));
        return () => release();
    }

    /** FAKE backup: the steps the backup Job's script logs, paced, then the FAKE snapshot. */
    override async backup(entry: { name: string } & Record<string, unknown>, context: OperationContext): Promise<OperationOutcome> {
        for (const step of ["dumping the database (mariadb-dump --single-transaction)", "uploading the snapshot", "applying the retention policy"]) {
            if (context.signal.aborted) break;
            context.onStep(step);
            await new Promise((resolve) => setTimeout(resolve, this.stepMs));
        }
        return super.backup(entry, context);
    }

    override async up(entry: { name: string } & Record<string, unknown>, context: OperationContext): Promise<OperationOutcome> {
        const steps = [
            `create Namespace store-${entry.name}`, "create ResourceQuota quota", "create Secret admin",
            `create Release ${entry.name}`, "setup: waiting for the database (3/10)", "setup: installing WordPress (4/10)",
            "setup: installing WooCommerce (5/10)", "setup: configuring the store (6/10)", "setup: placing a test order (9/10)",
        ];
        for (const step of steps) {
            if (context.signal.aborted) break;
            context.onStep(step);
            await new Promise((resolve) => setTimeout(resolve, this.stepMs));
            const hold = this.holds.get(entry.name);
            if (hold && step.includes("WooCommerce")) {
                this.holds.delete(entry.name);
                await Promise.race([hold, new Promise((resolve) => context.signal.addEventListener("abort", resolve, { once: true }))]);
            }
        }
        return super.up(entry, context);
    }
}

export interface ApiUnderTest {
    baseUrl: string;
    tokens: { admin: string; alice: string; bob: string };
    operations: PacedFakeOperations;
    /** Every attempt of the store's next creation fails (as a setup Job failure would). */
    failCreations(name: string): void;
    /** A deployed stores.yaml store, as `npm run up` leaves it. */
    addListedStore(name: string): void;
    /** The store's next creation waits at the WooCommerce setup step until the returned function is called. */
    holdAtSetupStep(name: string): () => void;
    stop(): Promise<void>;
}

let nextPostgresPort = 55470;

/** `backups`: the stack has woostore:backup (with a quota that holds the backup pod), so stores can be backed up. */
export async function startApiUnderTest(options: { backups?: boolean; postgresPort?: number } = {}): Promise<ApiUnderTest> {
    const db = await startTestDatabase(options.postgresPort ?? nextPostgresPort++);
    const operations = new PacedFakeOperations(options.backups ? { backup: { target: "rest:http://10.0.0.9:8000/woostore" }, defaults: { quota: { cpu: "4", memory: "4Gi" } } } : {});
    try {
        const tokens = {
            admin: await createToken(db, "admin", { admin: true }),
            alice: await createToken(db, "alice"),
            bob: await createToken(db, "bob"),
        };
        const options = parseServeArgs(["--listen", "127.0.0.1:0"], { DATABASE_URL: db.url });
        const server = await startServer(options, { operations, queue: TEST_QUEUE, logger: { level: "error" }, print: () => undefined });
        return {
            baseUrl: server.url, tokens, operations,
            failCreations: (name) => operations.script.set(name, ["fail", "fail"]),
            addListedStore: (name) => operations.addListed(name, true),
            holdAtSetupStep: (name) => operations.holdAtSetupStep(name),
            stop: async () => {
                await server.stop();
                await db.stop();
            },
        };
    } catch (error) {
        await db.stop();
        throw error;
    }
}
