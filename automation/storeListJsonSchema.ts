/**
 * `npm run schema`: writes stores.schema.json from the zod schema, so editors complete and
 * check stores.yaml (`# yaml-language-server: $schema=./stores.schema.json`). A unit test
 * fails when the checked-in file is stale.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { storeListSchema } from "../components/storeList";

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

if (require.main === module) {
    fs.writeFileSync(SCHEMA_FILE, storeListJsonSchema());
    console.log(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}`);
}
