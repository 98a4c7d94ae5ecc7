import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { SCHEMA_FILE, storeListJsonSchema } from "../../automation/storeListJsonSchema";
import { PROJECT_DIR } from "../helpers/config";

describe("stores.schema.json", () => {
    it("is up to date with the zod schema (run `npm run schema` if this fails)", () => {
        assert.equal(fs.readFileSync(SCHEMA_FILE, "utf8"), storeListJsonSchema());
    });
    it("is referenced from stores.yaml for editor completion", () => {
        const firstLine = fs.readFileSync(path.join(PROJECT_DIR, "stores.yaml"), "utf8").split("\n")[0];
        assert.equal(firstLine, "# yaml-language-server: $schema=./stores.schema.json");
    });
    it("is strict like the zod schema: unknown keys are not allowed", () => {
        const schema = JSON.parse(storeListJsonSchema());
        assert.equal(schema.additionalProperties, false);
        assert.equal(schema.properties.stores.items.additionalProperties, false);
        assert.deepEqual(schema.properties.stores.items.required, ["name", "admin"]);
    });
});
