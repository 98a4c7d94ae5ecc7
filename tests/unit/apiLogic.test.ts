/** The API's pure logic: statuses, rate-limit arithmetic, options, problems, tokens. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseListen, parseServeArgs, parseTrustProxy, ServeUsageError, trustProxyOption } from "../../server/config";
import { deadLockHolder, redactSecrets } from "../../server/jobs/worker";
import { entryLinesToErrors, problem, summarize } from "../../server/problems";
import { decide, windowOf } from "../../server/rateLimit";
import { isFinal, transition } from "../../server/status";
import { parseTokenArgs } from "../../server/tokenCli";
import { bearerToken, generateToken, hashToken } from "../../server/tokens";

describe("store status transitions", () => {
    it("a backup runs on a Ready store and leaves it Ready, whatever its outcome; it is never retried as the store's operation", () => {
        assert.deepEqual(transition("Ready", { type: "request-backup" }), { status: "Ready" });
        for (const status of ["Queued", "Provisioning", "Failed", "Deleting"] as const) {
            assert.match((transition(status, { type: "request-backup" }) as { conflict: string }).conflict, new RegExp(`the store is ${status}: only a Ready store can be backed up`));
        }
        assert.deepEqual(transition("Ready", { type: "start", kind: "backup" }), { status: "Ready" });
        assert.deepEqual(transition("Ready", { type: "succeed", kind: "backup" }), { status: "Ready" });
        assert.deepEqual(transition("Ready", { type: "fail", kind: "backup", final: true }), { status: "Ready" });
        assert.deepEqual(transition("Ready", { type: "fail", kind: "backup", final: false }), { status: "Ready" });
        assert.ok("conflict" in transition("Deleting", { type: "start", kind: "backup" }));
        assert.ok("conflict" in transition("Failed", { type: "request-retry", kind: "backup" }));
    });

    it("Queued → Provisioning → Ready; failures keep the in-flight status until the last attempt, then Failed", () => {
        assert.deepEqual(transition("Queued", { type: "start", kind: "create" }), { status: "Provisioning" });
        assert.deepEqual(transition("Provisioning", { type: "start", kind: "create" }), { status: "Provisioning" }, "a retried job starts again");
        assert.deepEqual(transition("Provisioning", { type: "succeed", kind: "create" }), { status: "Ready" });
        assert.deepEqual(transition("Provisioning", { type: "fail", kind: "create", final: false }), { status: "Provisioning" });
        assert.deepEqual(transition("Provisioning", { type: "fail", kind: "create", final: true }), { status: "Failed" });
    });
    it("Ready | Failed → Deleting → gone; deleting twice is allowed, deleting mid-operation is a conflict", () => {
        assert.deepEqual(transition("Ready", { type: "request-delete" }), { status: "Deleting" });
        assert.deepEqual(transition("Failed", { type: "request-delete" }), { status: "Deleting" });
        assert.deepEqual(transition("Deleting", { type: "request-delete" }), { status: "Deleting" });
        assert.ok("conflict" in transition("Provisioning", { type: "request-delete" }));
        assert.ok("conflict" in transition("Queued", { type: "request-delete" }));
        assert.deepEqual(transition("Deleting", { type: "succeed", kind: "delete" }), { status: "gone" });
        assert.deepEqual(transition("Deleting", { type: "fail", kind: "delete", final: true }), { status: "Failed" });
    });
    it("only Failed stores are retried, with the failed operation's kind", () => {
        assert.deepEqual(transition("Failed", { type: "request-retry", kind: "create" }), { status: "Queued" });
        assert.deepEqual(transition("Failed", { type: "request-retry", kind: "delete" }), { status: "Deleting" });
        assert.ok("conflict" in transition("Ready", { type: "request-retry", kind: "create" }));
        assert.ok("conflict" in transition("Ready", { type: "start", kind: "create" }));
    });
    it("the events stream ends at Ready, Failed or gone", () => {
        assert.deepEqual(["Queued", "Provisioning", "Ready", "Failed", "Deleting", "gone"].map((s) => isFinal(s as never)), [false, false, true, true, false, true]);
    });
});

describe("rate-limit arithmetic", () => {
    const policy = { limit: 5, windowSeconds: 60 };
    it("fixed windows aligned to the minute, with whole seconds to the reset", () => {
        const start = Date.UTC(2026, 0, 1, 12, 0, 0);
        assert.deepEqual(windowOf(start + 15_500, policy), { start: new Date(start), resetSeconds: 45 });
        assert.equal(windowOf(start + 59_999, policy).resetSeconds, 1);
        assert.equal(windowOf(start + 60_000, policy).start.getTime(), start + 60_000);
    });
    it("the 5th request passes with 0 remaining; the 6th is refused with Retry-After", () => {
        assert.deepEqual(decide(5, 30, policy), { allowed: true, headers: { "RateLimit-Policy": "5;w=60", "RateLimit-Limit": "5", "RateLimit-Remaining": "0", "RateLimit-Reset": "30" } });
        const refused = decide(6, 30, policy);
        assert.equal(refused.allowed, false);
        assert.equal(refused.headers["Retry-After"], "30");
        assert.equal(decide(1, 30, policy).headers["RateLimit-Remaining"], "4");
    });
});

describe("npm run serve options", () => {
    it("defaults: 127.0.0.1:8080, role all, embedded PostgreSQL in ~/.woostore/postgres, no trusted proxy", () => {
        const options = parseServeArgs([], {}, "/home/u");
        assert.equal(`${options.host}:${options.port}`, "127.0.0.1:8080");
        assert.equal(options.role, "all");
        assert.equal(options.databaseUrl, undefined);
        assert.equal(options.postgresDir, "/home/u/.woostore/postgres");
        assert.equal(options.trustProxy, false);
    });
    it("WOOSTORE_LISTEN, then --listen; DATABASE_URL; --role; --trust-proxy hops or CIDRs", () => {
        const options = parseServeArgs(["--listen", "0.0.0.0:9000", "--role", "worker", "--trust-proxy", "10.0.0.0/8, 192.168.1.5"], { WOOSTORE_LISTEN: "127.0.0.1:1", DATABASE_URL: "postgres://db/x" });
        assert.deepEqual([options.host, options.port, options.role, options.databaseUrl], ["0.0.0.0", 9000, "worker", "postgres://db/x"]);
        assert.deepEqual(options.trustProxy, ["10.0.0.0/8", "192.168.1.5"]);
        assert.equal(parseServeArgs([], { WOOSTORE_TRUST_PROXY: "2" }).trustProxy, 2);
        assert.deepEqual(parseListen("[::1]:8080"), { host: "::1", port: 8080 });
    });
    it("every mistake at once, with what to write", () => {
        assert.throws(() => parseServeArgs(["--listen", "8080", "--role", "boss", "--trust-proxy", "10.0.0.0/33", "--bogus"], {}), (error: Error) => {
            assert.ok(error instanceof ServeUsageError);
            assert.match(error.message, /listen address "8080": write HOST:PORT/);
            assert.match(error.message, /--role "boss": write api, worker or all/);
            assert.match(error.message, /trusted proxies "10.0.0.0\/33"/);
            assert.match(error.message, /unknown option "--bogus"/);
            return true;
        });
        assert.equal(typeof parseTrustProxy("not-an-ip"), "string");
    });
    it("a hop count trusts exactly that many hops from the socket", () => {
        const trust = trustProxyOption(1) as (address: string, hop: number) => boolean;
        assert.deepEqual([trust("10.0.0.1", 0), trust("1.2.3.4", 1)], [true, false]);
        assert.equal(trustProxyOption(0), false);
    });
});

describe("problems, tokens, redaction", () => {
    it("validateStoreEntry lines become errors with path, message and hint", () => {
        assert.deepEqual(entryLinesToErrors(["quota.cpu: quota.cpu 64 is above the stack's bound 4 — lower it, or raise woostore:bounds.quota.cpu"]),
            [{ path: "quota.cpu", message: "quota.cpu 64 is above the stack's bound 4", hint: "lower it, or raise woostore:bounds.quota.cpu" }]);
        assert.deepEqual(problem(409, "taken"), { type: "about:blank", title: "Conflict", status: 409, detail: "taken" });
        assert.equal(summarize([{ path: "a", message: "m", hint: "h" }, { path: "b", message: "n", hint: "h" }], "the request body"), "the request body is invalid: a: m (and 1 more problem)");
    });
    it("tokens are random, hashed with SHA-256, read from Bearer headers only", () => {
        const token = generateToken();
        assert.match(token, /^wst_[A-Za-z0-9_-]{43}$/);
        assert.notEqual(token, generateToken());
        assert.equal(hashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert.equal(bearerToken(`Bearer ${token}`), token);
        assert.equal(bearerToken("Basic x"), undefined);
        assert.equal(bearerToken(undefined), undefined);
    });
    it("a lock holder counts as dead only on this host and only when its process is gone", () => {
        const error = "stack dev.shop is locked by root@vm1 (pid 4242) since 2026-01-01T00:00:00.000Z: …";
        assert.equal(deadLockHolder(error, "vm1", () => false), "pid 4242");
        assert.equal(deadLockHolder(error, "vm1", () => true), undefined);
        assert.equal(deadLockHolder(error, "other-host", () => false), undefined);
        assert.equal(deadLockHolder("some other failure", "vm1", () => false), undefined);
    });
    it("secret-looking values are masked in reasons and events", () => {
        assert.equal(redactSecrets('failed: password=hunter2, token: "abc" ok'), 'failed: password=[redacted], token: "[redacted]" ok');
    });
    it("npm run token arguments", () => {
        assert.deepEqual(parseTokenArgs(["create", "--name", "ci", "--admin", "--max-stores", "3"]), { verb: "create", name: "ci", admin: true, maxStores: 3 });
        assert.deepEqual(parseTokenArgs(["revoke", "ci"]), { verb: "revoke", name: "ci" });
        assert.deepEqual(parseTokenArgs(["list"]), { verb: "list" });
        assert.match(parseTokenArgs(["create"]) as string, /create needs --name NAME/);
        assert.match(parseTokenArgs(["create", "--name", "x", "--max-stores", "lots"]) as string, /--max-stores needs a whole number/);
    });
});
