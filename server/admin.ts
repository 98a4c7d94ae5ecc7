/** The first admin token: WOOSTORE_ADMIN_TOKEN, or one made and printed once for an empty database. */
import type { Pool } from "pg";
import * as repo from "./db/repository";
import { generateToken, hashToken } from "./tokens";

/** Returns a newly made token to print once, or undefined. */
export async function bootstrapAdmin(pool: Pool, envToken: string | undefined): Promise<string | undefined> {
    return repo.withTransaction(pool, async (client) => {
        // Instances that start together take turns, so only one admin is made.
        await client.query("SELECT pg_advisory_xact_lock(5700571)");
        if (envToken) {
            if (!(await repo.tokenByHash(client, hashToken(envToken)))) {
                const taken = new Set((await repo.listTokens(client)).map((token) => token.name));
                const name = ["admin", "admin-env", ...Array.from({ length: 100 }, (_, i) => `admin-env-${i + 2}`)].find((candidate) => !taken.has(candidate))!;
                await repo.insertToken(client, { name, hash: hashToken(envToken), admin: true });
            }
            return undefined;
        }
        if ((await repo.countTokens(client)) > 0) return undefined;
        const token = generateToken();
        await repo.insertToken(client, { name: "admin", hash: hashToken(token), admin: true });
        return token;
    });
}
