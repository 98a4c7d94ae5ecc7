/**
 * The dashboard's pure decisions: the events stream's parsing and wording, when the page polls,
 * and when the owner column shows.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { backupsNotConfigured, formatBytes, isBackingUp, isChanging, lastBackupFailure, pollWhileChanging, POLL_MS, showsOwners, type Store } from "../../dashboard/src/model";
import { changesStatus, describeProgress, SseParser } from "../../dashboard/src/sse";

const store = (name: string, status: Store["status"], extra: Partial<Store> = {}): Store => ({ name, status, source: "api", readOnly: false, owner: "alice", ...extra });

describe("dashboard events stream parsing", () => {
    test("events split across chunks, CRLF line ends, comments and ids", () => {
        const parser = new SseParser();
        assert.deepEqual(parser.push(": keep-alive\n\nid: 7\nevent: st"), []);
        assert.deepEqual(parser.push('ep\r\ndata: {"text":"create Namespace store-a"}\r\n\r\nevent: end\ndata: {"status":'), [
            { event: "step", data: '{"text":"create Namespace store-a"}', id: "7" },
        ]);
        assert.deepEqual(parser.push('"Ready"}\n\ndata: line one\ndata: line two\n\n'), [
            { event: "end", data: '{"status":"Ready"}', id: "7" },
            { event: "message", data: "line one\nline two", id: "7" },
        ]);
    });

    test("progress lines for people: the step's text, counts kept; the end event adds no line", () => {
        assert.equal(describeProgress({ event: "step", data: JSON.stringify({ text: "setup: installing WooCommerce (5/10)", at: "2026-01-01T00:00:00Z" }) }), "setup: installing WooCommerce (5/10)");
        assert.equal(describeProgress({ event: "status", data: JSON.stringify({ text: "Provisioning" }) }), "Provisioning");
        assert.equal(describeProgress({ event: "step", data: JSON.stringify({ step: "install-woocommerce", current: 5, total: 10 }) }), "install-woocommerce (5/10)");
        assert.equal(describeProgress({ event: "end", data: JSON.stringify({ status: "Ready" }) }), "");
        assert.equal(describeProgress({ event: "message", data: "plain text" }), "plain text");
    });

    test("status and end events make the page read the store again; steps do not", () => {
        assert.equal(changesStatus({ event: "status", data: "{}" }), true);
        assert.equal(changesStatus({ event: "end", data: "{}" }), true);
        assert.equal(changesStatus({ event: "step", data: "{}" }), false);
    });
});

describe("dashboard polling", () => {
    test("polls while an API store is Queued, Provisioning or Deleting", () => {
        for (const status of ["Queued", "Provisioning", "Deleting"] as const) {
            assert.equal(pollWhileChanging([store("a", "Ready"), store("b", status)]), POLL_MS, status);
        }
    });

    test("nothing refreshes while every store is Ready or Failed, or there are none", () => {
        assert.equal(pollWhileChanging([store("a", "Ready"), store("b", "Failed")]), false);
        assert.equal(pollWhileChanging([]), false);
        assert.equal(pollWhileChanging(undefined), false);
    });

    test("a stores.yaml store not deployed yet (Queued) does not keep the page polling", () => {
        const listed = store("catalog", "Queued", { source: "stores.yaml", readOnly: true, owner: null });
        assert.equal(isChanging(listed), false);
        assert.equal(pollWhileChanging([store("a", "Ready"), listed]), false);
    });
});

describe("dashboard owner column", () => {
    test("shown when the list has other owners' stores or stores.yaml stores (an admin's view), not for one owner", () => {
        assert.equal(showsOwners([store("a", "Ready"), store("b", "Ready")]), false);
        assert.equal(showsOwners([store("a", "Ready"), store("b", "Ready", { owner: "bob" })]), true);
        assert.equal(showsOwners([store("a", "Ready"), store("c", "Ready", { source: "stores.yaml", readOnly: true, owner: null })]), true);
    });
});

describe("dashboard backups", () => {
    const ready = (operation: Store["operation"]): Store => ({ name: "shop", status: "Ready", operation });
    test("a queued, running or retrying backup is followed; a finished one or another kind is not", () => {
        for (const state of ["queued", "running", "retrying"] as const) assert.equal(isBackingUp(ready({ id: "1", kind: "backup", state })), true, state);
        assert.equal(isBackingUp(ready({ id: "1", kind: "backup", state: "succeeded" })), false);
        assert.equal(isBackingUp(ready({ id: "1", kind: "create", state: "running" })), false);
        assert.equal(isBackingUp(ready(null)), false);
        assert.equal(isBackingUp(undefined), false);
    });
    test("the last backup's failure is shown until another operation runs", () => {
        assert.equal(lastBackupFailure(ready({ id: "1", kind: "backup", state: "failed", error: "target unreachable" })), "target unreachable");
        assert.equal(lastBackupFailure(ready({ id: "1", kind: "backup", state: "succeeded" })), undefined);
        assert.equal(lastBackupFailure(ready({ id: "1", kind: "create", state: "failed", error: "x" })), undefined);
    });
    test("the API's 409 for a platform without backups is told apart from other conflicts", () => {
        assert.equal(backupsNotConfigured(409, 'backups are not configured on this platform, so store "shop" has none — …'), true);
        assert.equal(backupsNotConfigured(409, "an operation on \"shop\" is still queued or running"), false);
        assert.equal(backupsNotConfigured(503, "backups are not configured"), false);
    });
    test("snapshot sizes in decimal units; unknown is a dash", () => {
        assert.equal(formatBytes(null), "—");
        assert.equal(formatBytes(512), "512 B");
        assert.equal(formatBytes(4096), "4.1 kB");
        assert.equal(formatBytes(123_456_789), "123.5 MB");
    });
});
