/**
 * A worker process for the crash tests: real pg-boss workers on the test database whose FAKE
 * operation never finishes; it prints "started <store>" when an operation begins, so the
 * test can kill it mid-operation (SIGKILL: no graceful anything).
 */
import { Pool } from "pg";
import { startBoss } from "../../server/jobs/queue";
import { startWorkers } from "../../server/jobs/worker";
import { FakeStoreOperations } from "./fakeOperations";
import { quietLog, TEST_QUEUE } from "./harness";

async function main() {
    const url = process.env.TEST_DATABASE_URL!;
    const pool = new Pool({ connectionString: url, max: 4 });
    const fake = new FakeStoreOperations();
    fake.defaultAnswer = "hang";
    const up = fake.up.bind(fake);
    fake.up = (entry, context) => {
        process.stdout.write(`started ${entry.name}\n`);
        return up(entry, context);
    };
    const boss = await startBoss(url, TEST_QUEUE, () => undefined);
    await startWorkers(boss, pool, fake, { concurrency: 1, pollingSeconds: TEST_QUEUE.pollingSeconds, shutdown: new AbortController().signal, log: quietLog });
    process.stdout.write("ready\n");
}

void main();
