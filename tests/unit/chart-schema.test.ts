/**
 * Bad values are rejected by charts/woostore (values.schema.json, plus two template checks the
 * schema cannot express clearly) with helm's non-zero exit code and a message naming the field.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { CHART_DIR, helm, valuesFile } from "../helpers/helm";

const SCHEMA_ERROR = "values don't meet the specifications of the schema";

interface BadCase {
    name: string;
    /** Overrides merged onto the default values (a null removes the key). */
    values: Record<string, unknown>;
    /** Must all appear in helm's stderr: the field path and what is wrong. */
    expect: (string | RegExp)[];
    /** Schema violation (default) or a template check (`fail`). */
    template?: boolean;
}

const DIGEST = `sha256:${"0".repeat(64)}`;

const CASES: BadCase[] = [
    {
        name: "existingSecret missing",
        values: { existingSecret: null },
        expect: ["missing property 'existingSecret'"],
    },
    {
        name: "existingSecret empty",
        values: { existingSecret: "" },
        expect: ["at '/existingSecret'", "minLength"],
    },
    {
        name: "host with a scheme",
        values: { store: { host: "https://shop.example.com" } },
        expect: ["at '/store/host'", "does not match pattern"],
    },
    {
        name: "host with upper case and a wildcard",
        values: { store: { host: "*.Shop.example.com" } },
        expect: ["at '/store/host'", "does not match pattern"],
    },
    {
        name: "store name too long",
        values: { store: { name: "a".repeat(41) } },
        expect: ["at '/store/name'", "maxLength"],
    },
    {
        name: "unknown scheme",
        values: { store: { scheme: "ftp" } },
        expect: ["at '/store/scheme'", /value must be one of 'http', 'https'/],
    },
    {
        name: "image tag latest",
        values: { wordpress: { image: { tag: "latest", digest: "" } } },
        expect: ["wordpress.image.tag", "latest"],
        template: true,
    },
    {
        name: "image tag empty",
        values: { mariadb: { image: { tag: "" } } },
        expect: ["at '/mariadb/image/tag'", "minLength"],
    },
    {
        name: "image digest and tag digest together",
        values: { mariadb: { image: { tag: `11.8.3@${DIGEST}`, digest: DIGEST } } },
        expect: ["mariadb.image", "not both"],
        template: true,
    },
    {
        name: "memory quantity with a wrong unit",
        values: { wordpress: { resources: { limits: { memory: "512MB" } } } },
        expect: ["at '/wordpress/resources/limits/memory'", "does not match pattern"],
    },
    {
        name: "cpu quantity not a quantity",
        values: { mariadb: { resources: { requests: { cpu: "half" } } } },
        expect: ["at '/mariadb/resources/requests/cpu'", "does not match pattern"],
    },
    {
        name: "limits missing (the quota needs them)",
        values: { mariadb: { resources: { limits: null } } },
        expect: ["at '/mariadb/resources'", "missing property 'limits'"],
    },
    {
        name: "storage size in GB",
        values: { mariadb: { persistence: { size: "1GB" } } },
        expect: ["at '/mariadb/persistence/size'", "does not match pattern"],
    },
    {
        name: "unknown key (typo)",
        values: { wordpress: { replicas: 2 } },
        expect: ["at '/wordpress'", "additional properties 'replicas' not allowed"],
    },
    {
        name: "storage class not a name",
        values: { storageClass: "Local Path" },
        expect: ["at '/storageClass'", "does not match pattern"],
    },
    {
        name: "TLS on with an http store URL",
        values: { store: { scheme: "http" }, ingress: { tls: { enabled: true } } },
        expect: ["store.scheme", "https", "ingress.tls.enabled"],
        template: true,
    },
    {
        name: "unknown egress mode",
        values: { wordpress: { egress: "all" } },
        expect: ["at '/wordpress/egress'", /value must be one of 'web', 'none'/],
    },
    {
        name: "SMTP relay without a sender address",
        values: { mail: { smtp: { host: "smtp.example.com" } } },
        expect: ["mail.smtp.from is required"],
        template: true,
    },
    {
        name: "PHP memory limit without a unit",
        values: { wordpress: { php: { memoryLimit: "128" } } },
        expect: ["at '/wordpress/php/memoryLimit'", "does not match pattern"],
    },
];

describe("values rejected by the chart", () => {
    for (const c of CASES) {
        test(c.name, async () => {
            const file = valuesFile(c.name.replace(/\W+/g, "-"), c.values);
            const result = await helm(["template", "bad", CHART_DIR, "-f", file]);
            assert.equal(result.code, 1, `helm should exit 1, got ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
            assert.equal(result.stdout.trim(), "", "nothing may be rendered");
            if (!c.template) assert.ok(result.stderr.includes(SCHEMA_ERROR), result.stderr);
            for (const expected of c.expect) {
                if (typeof expected === "string") assert.ok(result.stderr.includes(expected), `expected "${expected}" in:\n${result.stderr}`);
                else assert.match(result.stderr, expected);
            }
        });
    }

    test("the same values with the bad part fixed render (the cases test what they claim)", async () => {
        const file = valuesFile("good", { store: { scheme: "https" }, ingress: { tls: { enabled: true } }, mariadb: { image: { tag: `11.8.3@${DIGEST}`, digest: "" } } });
        const result = await helm(["template", "good", CHART_DIR, "-f", file]);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, new RegExp(`image: "mariadb:11.8.3@${DIGEST}"`));
    });
});
