/**
 * Issue 15, "validation is a promise": one test group per class of input that `validate`
 * used to accept (or crash on) and that helm, the API server or the setup Job then refused.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { readImage } from "../../components/imageRef";
import { describeFileError, readInputFile } from "../../components/inputFile";
import { readCountry, readCurrency } from "../../components/locale";
import { formatProblem, Problem } from "../../components/problems";
import { readBytes, readCpu } from "../../components/quantity";
import { stripNamespace, validateStackConfig } from "../../components/stackConfig";
import { validateStoreList } from "../../components/storeList";
import { MAX_SHOWN_LENGTH } from "../../components/text";
import { SETUP_DEFAULT_STATES } from "../../components/woocommerceStates";
import { validateProject } from "../../automation/validate";
import { minimalConfig, PROJECT_DIR, stackConfig } from "../helpers/config";

const config = minimalConfig();
/** One store entry (line 2 = name, 3-4 = admin) followed by `extra` lines from line 5. */
const entry = (extra = "", name = "shop") => `  - name: ${name}\n    admin:\n      email: owner@example.com\n${extra}`;
const list = (...entries: string[]) => `stores:\n${entries.join("")}`;

function problemsOf(yaml: string, options = {}) {
    return validateStoreList(yaml, "stores.yaml", config, options);
}

function only(problems: Problem[], text: string): Problem {
    const matches = problems.filter((problem) => formatProblem(problem).includes(text));
    assert.equal(matches.length, 1, `expected one problem with ${JSON.stringify(text)}; got:\n${problems.map(formatProblem).join("\n")}`);
    return matches[0];
}

/** A throwaway project directory with stack files and a store list. */
function project(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-validate-"));
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
}

describe("quantities: one parser, one canonical form for the chart", () => {
    const canonical: [string, string][] = [["1.5Gi", "1536Mi"], ["0.5Gi", "512Mi"], ["536870912", "512Mi"], ["1G", "954Mi"], ["500M", "477Mi"], ["2Gi", "2Gi"], ["1024Mi", "1Gi"], ["1.5Ti", "1536Gi"]];
    for (const [input, output] of canonical) {
        it(`memory/storage ${input} → ${output}`, () => assert.deepEqual(readBytes(input).ok && readBytes(input), { ok: true, canonical: output, base: BigInt(parseInt(output)) * (output.endsWith("Gi") ? 1n << 30n : 1n << 20n) }));
    }
    const cpu: [string, string][] = [["1.5", "1500m"], ["100000u", "100m"], ["0.25", "250m"], ["2", "2"], ["2000m", "2"], ["1000000000n", "1"]];
    for (const [input, output] of cpu) {
        it(`cpu ${input} → ${output}`, () => {
            const reading = readCpu(input);
            assert.ok(reading.ok);
            assert.equal(reading.canonical, output);
        });
    }
    it("refuses CPU finer than a millicore, with the rounded value as the fix", () => {
        const reading = readCpu("1.5m");
        assert.ok(!reading.ok);
        assert.match(`${reading.message} — ${reading.hint}`, /finer than a millicore — .*write 2m/);
    });
    it("says that m is not mega for memory", () => {
        const reading = readBytes("512m");
        assert.ok(!reading.ok);
        assert.match(reading.hint, /"m" means thousandths, not mega: write "512Mi"/);
    });
    it("a store's quantities reach the resolved store in canonical form (1.5Gi limit in prod → 1536Mi)", () => {
        const result = validateStoreList(list(entry("    container:\n      limits: {memory: 1.5Gi, cpu: \"1.5\"}\n    quota: {memory: 5.5Gi, cpu: \"5.5\", storage: \"10737418240\"}\n")), "stores.yaml", stackConfig("prod"));
        assert.deepEqual(result.problems.map(formatProblem), []);
        assert.deepEqual(result.stores[0].container.limits, { cpu: "1500m", memory: "1536Mi" });
        assert.deepEqual([result.stores[0].quota.memory, result.stores[0].quota.cpu, result.stores[0].quota.storage], ["5632Mi", "5500m", "10Gi"]);
    });
    const tooSmall: [string, string][] = [["limits: {cpu: 1m}", "a container limit of cpu 1m is below the minimum 100m"], ["limits: {memory: 1Ki}", "a container limit of memory 1Ki is below the minimum 256Mi"], ["requests: {cpu: \"0\"}", "a container request of cpu 0 is below the minimum 1m"], ["requests: {memory: \"0\"}", "a container request of memory 0 is below the minimum 1Mi"]];
    for (const [yaml, text] of tooSmall) {
        it(`refuses ${yaml}: no container starts with it`, () => {
            const problem = only(problemsOf(list(entry(`    container:\n      ${yaml}\n`))).problems, text);
            assert.equal(problem.line, 6);
            assert.equal(problem.store, "shop");
        });
    }
    it("says to quote an unquoted number (cpu: 3)", () => {
        const problem = only(problemsOf(list(entry("    quota: {cpu: 3}\n"))).problems, "quote it");
        assert.equal(formatProblem(problem), "stores.yaml:5:18 store \"shop\": cpu must be text, got the number 3 — quote it: cpu: \"3\"");
    });
});

describe("stack minimums and defaults: reported once, at the stack config's line", () => {
    const stackFile = (extra: string) => `config:\n  woostore:domain: localhost\n${extra}`;
    function stackProblems(extra: string, stack = "dev") {
        const text = stackFile(extra);
        return validateStackConfig(stripNamespace((parseYaml(text) as { config: Record<string, unknown> }).config), `Pulumi.${stack}.yaml`, text, stack).problems;
    }
    it("quota pods: 1 is below what a store runs at once", () => {
        const problem = only(stackProblems("  woostore:defaults:\n    quota:\n      pods: 1\n"), "quota.pods 1 is below the 4 pods");
        assert.equal(problem.line, 5);
        assert.match(formatProblem(problem), /^Pulumi\.dev\.yaml:5:\d+ config woostore:defaults\.quota\.pods: .* of stack dev/);
    });
    it("with TLS a store needs a fifth pod (cert-manager's solver, beside the WP-Cron Job)", () => {
        only(stackProblems("  woostore:tls:\n    enabled: true\n    clusterIssuer: letsencrypt\n  woostore:defaults:\n    quota:\n      pods: 4\n"), "below the 5 pods");
    });
    it("quota persistentVolumeClaims: 1 is below the store's two volumes", () => {
        only(stackProblems("  woostore:defaults:\n    quota:\n      persistentVolumeClaims: 1\n"), "below the 2 volumes");
    });
    it("defaults above the stack's own bounds", () => {
        const problems = stackProblems("  woostore:defaults:\n    quota:\n      cpu: \"6\"\n      memory: 6Gi\n  woostore:bounds:\n    quota:\n      cpu: \"5\"\n");
        assert.equal(only(problems, "the default quota.cpu 6 is above the bound 5 of stack dev").line, 5);
        assert.equal(only(problems, "the default quota.memory 6Gi is above the bound 4Gi").line, 6);
    });
    it("a default limit above the maximum is reported once for the stack, not once per store", () => {
        const dir = project({
            "Pulumi.dev.yaml": stackFile("  woostore:defaults:\n    container:\n      limits:\n        memory: 1536Mi\n    quota:\n      memory: 6Gi\n  woostore:bounds:\n    quota:\n      memory: 8Gi\n"),
            "stores.yaml": list(entry("", "a"), entry("", "b"), entry("", "c")),
        });
        const report = validateProject(dir, ["dev"]);
        assert.deepEqual(report.problems.map(formatProblem), ["Pulumi.dev.yaml:6:17 config woostore:defaults.container.limits.memory: the default container limit of memory 1536Mi is above the per-container maximum 1Gi of stack dev — lower it, or raise woostore:defaults.container.max.memory"]);
    });
    it("persistence below the smallest usable volume", () => {
        only(stackProblems("  woostore:defaults:\n    persistence:\n      mariadb: 100Mi\n"), "a volume size 100Mi is below the minimum 512Mi");
    });
    it("storageClass and clusterIssuer must be DNS subdomains", () => {
        const problems = stackProblems("  woostore:storageClass: Fast_SSD\n  woostore:tls:\n    enabled: true\n    clusterIssuer: lets encrypt\n");
        assert.equal(only(problems, "the StorageClass name \"Fast_SSD\"").line, 3);
        assert.equal(only(problems, "the ClusterIssuer name \"lets encrypt\" is not a valid DNS name").line, 6);
    });
    it("the domain may not be an IP address", () => {
        only(validateStackConfig({ domain: "192.168.1.10" }, "Pulumi.dev.yaml").problems, "is an IP address");
    });
});

describe("image references", () => {
    it("accepts a registry with a port: registry.local:5000/library/wordpress:tag", () => {
        assert.deepEqual(readImage("registry.local:5000/library/wordpress:6.8.3-php8.3-apache"), { ok: true, repository: "registry.local:5000/library/wordpress", tag: "6.8.3-php8.3-apache", digest: "" });
        assert.deepEqual(validateStackConfig({ domain: "localhost", images: { wordpress: "registry.local:5000/library/wordpress:6.8.3" } }, "Pulumi.dev.yaml").problems, []);
    });
    it("accepts tag@digest and keeps the digest apart", () => {
        const digest = `sha256:${"0".repeat(64)}`;
        assert.deepEqual(readImage(`mariadb:11.8.3@${digest}`), { ok: true, repository: "mariadb", tag: "11.8.3", digest });
    });
    it("refuses a digest-only reference, saying to add its tag", () => {
        const reading = readImage(`mariadb@sha256:${"0".repeat(64)}`);
        assert.ok(!reading.ok);
        assert.match(`${reading.message} — ${reading.hint}`, /has a digest but no tag — add the tag/);
    });
    for (const bad of ["mariadb", "mariadb:latest", "Mariadb:1", "registry.local:5000/:1", "mariadb:1@sha256:abc"]) {
        it(`refuses ${bad}`, () => assert.equal(readImage(bad).ok, false));
    }
});

describe("hosts and names", () => {
    it("refuses an IP address as host (an Ingress rule needs a name)", () => {
        only(problemsOf(list(entry("    host: 10.1.2.3\n"))).problems, "is an IP address");
    });
    it("refuses a host over 253 characters and a label over 63", () => {
        const long = Array.from({ length: 5 }, () => "a".repeat(60)).join(".");
        only(problemsOf(list(entry(`    host: ${long}\n`))).problems, "304 characters long, more than 253");
        only(problemsOf(list(entry(`    host: ${"b".repeat(64)}.example.com\n`))).problems, "a part of 64 characters, more than 63");
    });
    it("refuses a derived default host that is too long, at the name, naming the domain rule", () => {
        const longDomain = minimalConfig({ domain: `${"d".repeat(60)}.${"e".repeat(60)}.${"f".repeat(60)}.${"g".repeat(30)}.com` });
        const result = validateStoreList(list(entry("", "a-rather-long-store-name-of-forty-chars")), "stores.yaml", longDomain);
        assert.equal(only(result.problems, "<name>.<woostore:domain>").line, 2);
    });
    it("refuses a scheme, port or path in the host", () => {
        only(problemsOf(list(entry("    host: https://shop.example.com/\n"))).problems, "is not a bare host name");
    });
    it("refuses a Cyrillic look-alike in a host with an IDN/punycode hint, and no bogus duplicate host", () => {
        const yaml = list(entry("    host: shоp.localhost\n", "a"), entry("    host: shop.localhost\n", "b"));
        const { problems } = problemsOf(yaml);
        assert.deepEqual(problems.map((problem) => problem.line), [5]);
        assert.match(formatProblem(problems[0]), /non-ASCII character 'о' \(U\+043E\) — .*punycode form, xn--/);
    });
    it("refuses a Cyrillic look-alike in a name the same way", () => {
        const { problems } = problemsOf(list(entry("", "shоp"), entry("", "shop")));
        assert.equal(problems.length, 1, problems.map(formatProblem).join("\n"));
        assert.match(problems[0].message, /non-ASCII/);
    });
    it("warns (does not fail) for a host outside woostore:domain", () => {
        const result = problemsOf(list(entry("    host: shop.example.org\n")), { stack: "dev" });
        assert.deepEqual(result.problems, []);
        assert.equal(result.stores.length, 1);
        assert.equal(result.warnings.length, 1);
        assert.match(formatProblem(result.warnings[0]), /^stores\.yaml:5:11 warning: store "shop": host "shop\.example\.org" is outside the stack's domain localhost \(stack dev\)/);
    });
    it("refuses an admin e-mail over WordPress' 100 characters", () => {
        const address = `${"o".repeat(95)}@example.com`;
        only(problemsOf(list(`  - name: shop\n    admin:\n      email: ${address}\n`)).problems, "longer than 100 characters");
    });
});

describe("countries and currencies the setup Job can use", () => {
    const cases: [string, string][] = [["UK", "did you mean GB (United Kingdom)?"], ["ZZ", "not an ISO 3166-1 alpha-2 code"], ["USA", "did you mean US"], ["de", "write the code in capitals: \"DE\""], ["US:ca", "not a WooCommerce country"]];
    for (const [input, text] of cases) {
        it(`country ${input}`, () => {
            const reading = readCountry(input);
            assert.ok(!reading.ok);
            assert.ok(`${reading.message} — ${reading.hint}`.includes(text), `${reading.message} — ${reading.hint}`);
        });
    }
    const states: [string, string][] = [
        ["US:XX", "\"XX\" is not a WooCommerce state of United States of America — write one of WooCommerce's state codes, e.g. US:AL"],
        ["AR", "WooCommerce requires a state for Argentina, and the setup Job's test order needs one — add the store's state, e.g. AR:C"],
        ["TR", "WooCommerce requires a state for"],
        ["FR:IDF", "WooCommerce has no states for France — write the country alone: \"FR\""],
    ];
    for (const [input, text] of states) {
        it(`country ${input} (WooCommerce's states)`, () => {
            const reading = readCountry(input);
            assert.ok(!reading.ok);
            assert.ok(`${reading.message} — ${reading.hint}`.includes(text), `${reading.message} — ${reading.hint}`);
        });
    }
    it("the setup Job's default states are the ones woocommerceStates.ts knows, and valid WooCommerce states", () => {
        const script = fs.readFileSync(path.join(PROJECT_DIR, "setup", "woostore-setup.sh"), "utf8");
        const body = script.slice(script.indexOf("billing_address() {"), script.indexOf("esac", script.indexOf("billing_address() {")));
        const defaults = Object.fromEntries([...body.matchAll(/^\s+([A-Z]{2})\) state=([A-Z0-9-]+) /gm)].map((match) => [match[1], match[2]]));
        assert.deepEqual(defaults, SETUP_DEFAULT_STATES);
        for (const [country, state] of Object.entries(defaults)) {
            assert.deepEqual(readCountry(`${country}:${state}`), { ok: true }, `${country}:${state}`);
            assert.deepEqual(readCountry(country), { ok: true }, country);
        }
    });
    for (const good of ["US:CA", "DE", "GB", "JP:JP13", "AR:C", "AD:ESCALDES", "MX", "DE:DE-BW", "NZ"]) {
        it(`country ${good} is accepted`, () => assert.deepEqual(readCountry(good), { ok: true }));
    }
    const currencies: [string, string][] = [["XYZ", "not an ISO 4217 code"], ["XAU", "not money a shop can price in"], ["XTS", "not money a shop can price in"], ["eur", "write it in capitals: \"EUR\""]];
    for (const [input, text] of currencies) {
        it(`currency ${input}`, () => {
            const reading = readCurrency(input);
            assert.ok(!reading.ok);
            assert.ok(`${reading.message} — ${reading.hint}`.includes(text));
        });
    }
    for (const good of ["USD", "EUR", "JPY", "CHF"]) {
        it(`currency ${good} is accepted`, () => assert.deepEqual(readCurrency(good), { ok: true }));
    }
});

describe("input files: every file-system condition is a one-line problem", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-files-"));
    const read = (name: string) => readInputFile(path.join(dir, name), name, "fix it");
    const messageOf = (name: string) => {
        const result = read(name);
        assert.ok(!result.ok, `${name} was read`);
        assert.doesNotMatch(formatProblem(result.problem), /\n|at .*\(/, "one line, no stack trace");
        return formatProblem(result.problem);
    };
    it("missing", () => assert.equal(messageOf("missing.yaml"), "missing.yaml does not exist — fix it"));
    it("a directory", () => {
        fs.mkdirSync(path.join(dir, "adir.yaml"));
        assert.equal(messageOf("adir.yaml"), "adir.yaml is a directory, not a file — fix it");
    });
    it("a symlink loop (not \"not found\")", () => {
        fs.symlinkSync(path.join(dir, "loop-b.yaml"), path.join(dir, "loop-a.yaml"));
        fs.symlinkSync(path.join(dir, "loop-a.yaml"), path.join(dir, "loop-b.yaml"));
        assert.equal(messageOf("loop-a.yaml"), "loop-a.yaml is a symbolic link loop — fix it");
    });
    it("a dangling symlink", () => {
        fs.symlinkSync(path.join(dir, "nowhere.yaml"), path.join(dir, "dangling.yaml"));
        assert.match(messageOf("dangling.yaml"), /symbolic link to a file that does not exist/);
    });
    it("too large (a sparse 17 MiB file)", () => {
        const fd = fs.openSync(path.join(dir, "huge.yaml"), "w");
        fs.ftruncateSync(fd, 17 * 1024 * 1024);
        fs.closeSync(fd);
        assert.match(messageOf("huge.yaml"), /is 17\.0 MiB, larger than the 16 MiB/);
    });
    it("a named pipe is not read (it would block)", () => {
        const fifo = path.join(dir, "pipe.yaml");
        const made = spawnSync("mkfifo", [fifo]);
        assert.equal(made.status, 0, "mkfifo exists on this machine");
        assert.match(messageOf("pipe.yaml"), /not a regular file/);
    });
    it("unreadable (permission denied)", () => {
        const file = path.join(dir, "secret.yaml");
        fs.writeFileSync(file, "stores: []\n", { mode: 0o000 });
        if (process.getuid?.() === 0) {
            // root reads every file, so here the wording of EACCES is checked on a simulated errno.
            assert.equal(describeFileError(Object.assign(new Error("EACCES"), { code: "EACCES" }), file), "cannot be read: permission denied");
            return;
        }
        assert.match(messageOf("secret.yaml"), /cannot be read: permission denied/);
    });
    it("a YAML alias bomb is a located problem, not a crash", () => {
        const levels = ["a: &a [x, x, x, x, x, x, x, x, x]"];
        for (const [index, name] of ["b", "c", "d", "e", "f", "g"].entries()) {
            const previous = String.fromCharCode("a".charCodeAt(0) + index);
            levels.push(`${name}: &${name} [${Array(9).fill(`*${previous}`).join(", ")}]`);
        }
        const { problems } = problemsOf(`${levels.join("\n")}\nstores: *g\n`);
        assert.equal(problems.length, 1);
        assert.match(formatProblem(problems[0]), /^stores\.yaml:1:1 the YAML aliases expand too far/);
    });
    it("npm run validate on a directory, a stack file that is a directory, and a store list outside the project", () => {
        const outside = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-outside-"));
        fs.writeFileSync(path.join(outside, "secret.yaml"), "top secret contents line\n");
        const dir2 = project({ "Pulumi.dev.yaml": `config:\n  woostore:domain: localhost\n  woostore:storeList: ${path.join(outside, "secret.yaml")}\n` });
        fs.mkdirSync(path.join(dir2, "Pulumi.x.yaml"));
        const report = validateProject(dir2, ["dev", "x"]);
        const text = report.problems.map(formatProblem).join("\n");
        assert.match(text, /Pulumi\.dev\.yaml:3:\d+ config woostore:storeList: the store list ".*secret\.yaml" is outside the project/);
        assert.match(text, /Pulumi\.x\.yaml is a directory, not a file/);
        assert.doesNotMatch(text, /top secret/);
    });
});

describe("messages", () => {
    it("use English articles and never zod's default texts", () => {
        const yaml = list(entry("    title: \"\"\n    woocommerce: 3\n    quota: [1]\n    protect: \"yes\"\n"), "  - name: b\n    admin: {email: a@example.com, user: X}\n");
        const text = problemsOf(yaml).problems.map(formatProblem).join("\n");
        assert.match(text, /woocommerce must be a mapping, got the number 3 — write a mapping/);
        assert.match(text, /quota must be a mapping, got a list/);
        assert.match(text, /protect must be a boolean \(true or false\), got the text "yes"/);
        assert.doesNotMatch(text, /Too small|Invalid input|expected string to have|a object|a array|a undefined/);
    });
    it("name an entry without a name by its place in the list", () => {
        const { problems } = problemsOf("stores:\n  - admin: {email: a@example.com}\n  - name: 7\n    admin: {email: a@example.com}\n");
        assert.deepEqual(problems.map(formatProblem), [
            "stores.yaml:2:5 entry 1: \"name\" is required — add it (a text value)",
            "stores.yaml:3:11 entry 2: name must be text, got the number 7 — quote it: name: \"7\"",
        ]);
    });
    it("truncate long values: a 1 MB name is not echoed in full", () => {
        const name = "n".repeat(1_000_000);
        const { problems } = problemsOf(list(entry("", name)));
        assert.equal(problems.length, 1);
        const text = formatProblem(problems[0]);
        assert.ok(text.length < 6 * MAX_SHOWN_LENGTH, `${text.length} characters`);
        assert.match(text, /… \(1000000 characters\)/);
    });
    it("support YAML merge keys (<<: *anchor)", () => {
        const yaml = "stores:\n  - &base\n    name: a\n    admin: {email: a@example.com}\n    quota: {cpu: \"3\"}\n  - <<: *base\n    name: b\n";
        const result = problemsOf(yaml);
        assert.deepEqual(result.problems.map(formatProblem), []);
        assert.deepEqual(result.stores.map((store) => [store.name, store.quota.cpu, store.adminEmail]), [["a", "3", "a@example.com"], ["b", "3", "a@example.com"]]);
    });
    it("refuse an empty store list unless it is explicitly allowed", () => {
        assert.match(formatProblem(only(problemsOf("stores: []\n").problems, "empty")), /stores\.yaml:1:1 the store list is empty — .*--allow-empty/);
        assert.deepEqual(problemsOf("stores: []\n", { allowEmpty: true }).problems, []);
    });
    it("name the stack of a problem that holds for one stack only (prod's bounds)", () => {
        const dir = project({
            "Pulumi.dev.yaml": "config:\n  woostore:domain: localhost\n  woostore:bounds:\n    quota:\n      cpu: \"8\"\n",
            "Pulumi.prod.yaml": "config:\n  woostore:domain: store.example.com\n",
            "stores.yaml": list(entry("    quota: {cpu: \"6\"}\n")),
        });
        const report = validateProject(dir, ["dev", "prod"]);
        assert.deepEqual(report.problems.map(formatProblem), [`${path.relative(process.cwd(), path.join(dir, "stores.yaml"))}:5:18 store \"shop\": quota.cpu 6 is above the bound 4 of stack prod — lower it, or raise woostore:bounds.quota.cpu in the stack config`]);
    });
    it("say once, and name the stack, for a derived host that only one stack's domain makes too long", () => {
        const longDomain = `${"d".repeat(60)}.${"e".repeat(60)}.${"f".repeat(60)}.${"g".repeat(40)}.com`;
        const dir = project({
            "Pulumi.dev.yaml": "config:\n  woostore:domain: localhost\n",
            "Pulumi.prod.yaml": `config:\n  woostore:domain: ${longDomain}\n`,
            "stores.yaml": list(entry("", "a-rather-long-store-name-of-forty-chars")),
        });
        const problems = validateProject(dir, ["dev", "prod"]).problems.map(formatProblem);
        assert.equal(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /\(stack prod\) — set `host` for this store/);
    });
    it("hold an entry with a schema problem against the bounds too (every problem at once)", () => {
        const { problems } = problemsOf(list(entry("    quota: {cpu: \"6\"}\n    container:\n      limits: {cpu: 3}\n")), { stack: "dev" });
        assert.deepEqual(problems.map((problem) => problem.line), [5, 7]);
        assert.match(formatProblem(problems[0]), /quota\.cpu 6 is above the bound 4 of stack dev/);
    });
    it("the repository's own stores.yaml still validates for every stack", () => {
        assert.deepEqual(validateProject(PROJECT_DIR, ["dev", "prod"]).problems.map(formatProblem), []);
    });
});
