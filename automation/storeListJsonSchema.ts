/**
 * `npm run schema`: writes stores.schema.json from the zod schema, so editors complete and
 * check stores.yaml (`# yaml-language-server: $schema=./stores.schema.json`). A unit test
 * fails when the checked-in file is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { storeListSchema } from "../components/storeList";
import { CommandSpec, runCommand } from "./cli";

export const SCHEMA_FILE = path.join(__dirname, "..", "stores.schema.json");

export function storeListJsonSchema(): string {
    const schema = z.toJSONSchema(storeListSchema, { io: "input", unrepresentable: "any", target: "draft-7" }) as Record<string, unknown>;
    const document = {
        $schema: schema.$schema,
        $id: "https://woostore.dev/stores.schema.json",
        title: "WooStore store list",
        description: "stores.yaml: one entry per WooCommerce store. Generated from components/storeList.ts by `npm run schema`; do not edit.",
        ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== "$schema")),
    };
    return `${JSON.stringify(document, null, 2)}\n`;
}

export const SCHEMA_COMMAND: CommandSpec = {
    command: "schema",
    summary: "Writes stores.schema.json from the zod schema of the store list (editors use it to complete and check stores.yaml).",
    options: [],
};

if (require.main === module) {
    void runCommand(SCHEMA_COMMAND, process.argv.slice(2), () => {
        fs.writeFileSync(SCHEMA_FILE, storeListJsonSchema());
        console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
        return 0;
    }).then((code) => { process.exitCode = code; });
}
