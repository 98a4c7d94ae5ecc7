/**
 * `npm run token -- create --name NAME [--admin] [--max-stores N]` prints a new token once
 * (only its hash is stored); `list` shows tokens; `revoke --name NAME` ends one.
 */
import { parseServeArgs } from "./config";
import { openDatabase } from "./database";
import * as repo from "./db/repository";
import { generateToken, hashToken } from "./tokens";

export const TOKEN_USAGE = `usage: npm run token -- create --name NAME [--admin] [--max-stores N]
       npm run token -- list
       npm run token -- revoke --name NAME
DATABASE_URL selects an external PostgreSQL; default: the embedded one of npm run serve.`;

export type TokenCommand =
    | { verb: "create"; name: string; admin: boolean; maxStores?: number }
    | { verb: "list" }
    | { verb: "revoke"; name: string };

export function parseTokenArgs(argv: string[]): TokenCommand | string {
    const [verb, ...rest] = argv;
    const problems: string[] = [];
    let name: string | undefined;
    let admin = false;
    let maxStores: number | undefined;
    for (let index = 0; index < rest.length; index++) {
        const arg = rest[index];
        const next = rest[index + 1];
        if (arg === "--name" && verb !== "list") {
            if (next === undefined || next.startsWith("--")) problems.push("--name needs a value"); else { name = next; index++; }
        } else if (arg === "--admin" && verb === "create") {
            admin = true;
        } else if (arg === "--max-stores" && verb === "create") {
            if (next !== undefined && /^\d+$/.test(next)) { maxStores = Number(next); index++; } else problems.push("--max-stores needs a whole number, e.g. --max-stores 3");
        } else if (verb === "revoke" && name === undefined && !arg.startsWith("--")) {
            name = arg;
        } else {
            problems.push(`unknown option ${JSON.stringify(arg)}`);
        }
    }
    if (verb !== "create" && verb !== "list" && verb !== "revoke") problems.push(verb === undefined ? "missing command" : `unknown command ${JSON.stringify(verb)}`);
    if ((verb === "create" || verb === "revoke") && name === undefined) problems.push(`${verb} needs --name NAME`);
    if (name !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_.@-]{0,62}$/.test(name)) problems.push(`name ${JSON.stringify(name)}: use 1–63 letters, digits, '_', '.', '@', '-'`);
    if (problems.length) return `${problems.join("; ")}\n${TOKEN_USAGE}`;
    if (verb === "create") return { verb, name: name!, admin, maxStores };
    if (verb === "revoke") return { verb, name: name! };
    return { verb: "list" };
}

async function main(): Promise<number> {
    const command = parseTokenArgs(process.argv.slice(2));
    if (typeof command === "string") {
        console.error(`npm run token: ${command}`);
        return 2;
    }
    const options = parseServeArgs([], process.env);
    const database = await openDatabase({ databaseUrl: options.databaseUrl, postgresDir: options.postgresDir, postgresDirExplicit: options.postgresDirExplicit, postgresPort: options.postgresPort, log: (line) => console.error(line) });
    try {
        if (command.verb === "create") {
            const token = generateToken();
            try {
                await repo.insertToken(database.pool, { name: command.name, hash: hashToken(token), admin: command.admin, maxStores: command.maxStores });
            } catch (error) {
                if ((error as { code?: string }).code === "23505") {
                    console.error(`npm run token: a token named "${command.name}" exists already — choose another name, or revoke it first`);
                    return 1;
                }
                throw error;
            }
            console.log(`Token "${command.name}"${command.admin ? " (admin)" : ""}${command.maxStores !== undefined ? `, at most ${command.maxStores} stores` : ""} — shown once, keep it safe:\n${token}`);
        } else if (command.verb === "list") {
            const tokens = await repo.listTokens(database.pool);
            console.log(`${"NAME".padEnd(24)} ${"ROLE".padEnd(6)} ${"STORES".padEnd(10)} ${"CREATED".padEnd(25)} STATE`);
            for (const token of tokens) {
                const stores = `${token.stores}${token.max_stores !== null ? `/${token.max_stores}` : ""}`;
                console.log(`${token.name.padEnd(24)} ${(token.admin ? "admin" : "owner").padEnd(6)} ${stores.padEnd(10)} ${token.created_at.toISOString().padEnd(25)} ${token.revoked_at ? `revoked ${token.revoked_at.toISOString()}` : "active"}`);
            }
        } else if (!(await repo.revokeToken(database.pool, command.name))) {
            console.error(`npm run token: no active token named "${command.name}" (npm run token -- list)`);
            return 1;
        } else {
            console.log(`Token "${command.name}" revoked; its stores stay and admins still see them.`);
        }
        return 0;
    } finally {
        await database.close();
    }
}

if (require.main === module) {
    main().then((code) => process.exit(code), (error: Error) => { console.error(`npm run token: ${error.message}`); process.exit(1); });
}
