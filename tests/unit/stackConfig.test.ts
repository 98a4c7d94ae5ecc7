import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { formatProblem } from "../../components/problems";
import { decodeConfigValue, readStackConfigFile, stripNamespace, validateStackConfig } from "../../components/stackConfig";
import { PROJECT_DIR, stackConfig } from "../helpers/config";

const devFile = path.join(PROJECT_DIR, "Pulumi.dev.yaml");

/** Validates a stack file whose text is the dev file with `edit` applied. */
function validateEdited(edit: (text: string) => string) {
    const text = edit(fs.readFileSync(devFile, "utf8"));
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "stack-"));
    const file = path.join(tmp, "Pulumi.dev.yaml");
    fs.writeFileSync(file, text);
    const { raw } = readStackConfigFile(file);
    return validateStackConfig(raw, "Pulumi.dev.yaml", text).problems;
}

const lineOf = (text: string, needle: string) => text.split("\n").findIndex((line) => line.includes(needle)) + 1;

describe("stack config validation", () => {
    it("dev and prod differ only by config, and both are valid", () => {
        const dev = stackConfig("dev");
        const prod = stackConfig("prod");
        assert.equal(dev.domain, "localhost");
        assert.equal(dev.tls.enabled, false);
        assert.equal(prod.tls.enabled, true);
        assert.equal(prod.tls.clusterIssuer, "letsencrypt-prod");
        assert.equal(prod.protectStores, true);
        assert.ok(Number(prod.defaults.quota.cpu) > Number(dev.defaults.quota.cpu), "prod has higher limits");
        assert.equal(dev.images.wordpress, prod.images.wordpress, "same pinned images");
    });

    const cases: { title: string; edit: (text: string) => string; key: string; text: string }[] = [
        { title: "domain that is not a DNS name", edit: (t) => t.replace("woostore:domain: localhost", "woostore:domain: Local_Host"), key: "woostore:domain", text: "not a valid DNS name" },
        { title: "unknown config key", edit: (t) => `${t}  woostore:domian: localhost\n`, key: "woostore:domian", text: "unknown key \"domian\"" },
        { title: "TLS without issuer", edit: (t) => t.replace("    enabled: false", "    enabled: true"), key: "woostore:tls", text: "without a cert-manager ClusterIssuer" },
        { title: "bad pod security level", edit: (t) => t.replace("woostore:podSecurity: restricted", "woostore:podSecurity: privileged"), key: "woostore:podSecurity", text: "must be \"restricted\" or \"baseline\"" },
        { title: "image on latest", edit: (t) => `${t}  woostore:images:\n    mariadb: mariadb:latest\n`, key: "mariadb: mariadb:latest", text: "uses \"latest\"" },
        { title: "untagged image", edit: (t) => `${t}  woostore:images:\n    wordpress: wordpress\n`, key: "wordpress: wordpress", text: "has no tag" },
        { title: "bad default quota", edit: (t) => `${t}  woostore:defaults:\n    quota:\n      memory: 2 GB\n`, key: "memory: 2 GB", text: "not a memory/storage quantity" },
        { title: "wrong type", edit: (t) => t.replace("woostore:protectStores: false", "woostore:protectStores: [no]"), key: "woostore:protectStores", text: "protectStores must be a boolean" },
    ];
    for (const testCase of cases) {
        it(`reports ${testCase.title} at its line in Pulumi.dev.yaml`, () => {
            const text = testCase.edit(fs.readFileSync(devFile, "utf8"));
            const problems = validateEdited(testCase.edit);
            const problem = problems.find((candidate) => formatProblem(candidate).includes(testCase.text));
            assert.ok(problem, `expected ${testCase.text}; got ${problems.map(formatProblem).join("\n")}`);
            assert.equal(problem.line, lineOf(text, testCase.key), formatProblem(problem));
            assert.match(formatProblem(problem), /^Pulumi\.dev\.yaml:\d+:\d+ config woostore:/);
        });
    }

    it("reports all config problems at once", () => {
        const problems = validateEdited((t) => t.replace("woostore:domain: localhost", "woostore:domain: -bad-").replace("woostore:podSecurity: restricted", "woostore:podSecurity: none"));
        assert.equal(problems.length, 2);
    });
});

describe("stack config values as Pulumi stores them", () => {
    it("reads text written by `pulumi config set` (\"false\", \"900\") and JSON objects from the program's config", () => {
        const raw = stripNamespace({ "woostore:domain": "localhost", "woostore:protectStores": "false", "woostore:helmTimeoutSeconds": "900", "woostore:tls": "{\"enabled\":false}", "other:key": "x" });
        assert.deepEqual(raw, { domain: "localhost", protectStores: false, helmTimeoutSeconds: 900, tls: { enabled: false } });
        const { config, problems } = validateStackConfig(raw, "Pulumi.dev.yaml");
        assert.deepEqual(problems, []);
        assert.equal(config?.protectStores, false);
    });
    it("keeps other text as text, so a wrong type is still reported", () => {
        assert.equal(decodeConfigValue("localhost"), "localhost");
        assert.equal(decodeConfigValue("yes"), "yes");
        assert.equal(validateStackConfig(stripNamespace({ "woostore:domain": "localhost", "woostore:protectStores": "yes" }), "x").problems.length, 1);
    });
});
