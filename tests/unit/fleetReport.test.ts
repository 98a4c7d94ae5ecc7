/**
 * The workflows' fleet report (.github/scripts/fleetReport.ts): the per-store Markdown table
 * built from a sample `npm run up --json` summary, the missing-summary case, the size limit,
 * and the one-comment-per-stack upsert against a FAKE GitHub REST API (a local HTTP server
 * standing in for api.github.com, named as such below).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import {
    BODY_BUDGET, findReportComment, parseReportArgs, parseSummary, renderReport, reportMarker, ReportUsageError, tableCell, upsertReportComment,
} from "../../.github/scripts/fleetReport";
import type { FleetSummary, StoreResult } from "../../fleet/run";

const execFileAsync = promisify(execFile);
const SCRIPT = path.resolve(__dirname, "../../.github/scripts/fleetReport.ts");

/** What `npm run up -- --stack dev --preview --json` prints for a fleet with one new, one changed, one failing and two unchanged stores. */
const SAMPLE: FleetSummary = {
    stack: "dev",
    layout: "perStore",
    stores: [
        { name: "bakery", stack: "dev.bakery", action: "unchanged", status: "Ready", reason: "fingerprint unchanged" },
        { name: "books", stack: "dev.books", action: "failed", status: "Failed", reason: "images-pinned: values.wordpress.image.tag \"latest\" uses :latest | pin a version\nsecond line", log: "/tmp/w/logs/dev/1/books.log" },
        { name: "demo-shop", stack: "dev.demo-shop", action: "unchanged", status: "Ready", reason: "fingerprint unchanged" },
        { name: "flower-shop", stack: "dev.flower-shop", action: "previewed", status: "would be created", log: "/tmp/w/logs/dev/1/flower-shop.log" },
        { name: "toys", stack: "dev.toys", action: "previewed", status: "previewed", log: "/tmp/w/logs/dev/1/toys.log" },
    ],
};

const parsed = (summary: unknown) => parseSummary(JSON.stringify(summary));

describe("fleet report: reading npm run up's --json summary", () => {
    it("accepts the sample summary as it is", () => {
        assert.deepEqual(parsed(SAMPLE), { summary: SAMPLE });
    });

    it("names what is wrong when there is no usable summary", () => {
        assert.match((parseSummary("") as { problem: string }).problem, /printed no summary/);
        assert.match((parseSummary("> woostore@0.1.0 up\n{") as { problem: string }).problem, /not a JSON summary.*starts with: > woostore/);
        assert.match((parsed({ stack: "dev" }) as { problem: string }).problem, /no "stack" and "stores"/);
        assert.match((parsed({ ...SAMPLE, stores: [{ name: "a", action: "exploded" }] }) as { problem: string }).problem, /stores\[0\]/);
    });
});

describe("fleet report: Markdown", () => {
    const body = renderReport(parsed(SAMPLE), { kind: "preview", stack: "dev", runUrl: "https://github.com/o/r/actions/runs/7", commit: "0123456789abcdef", logsArtifact: "fleet-logs-preview-dev" });
    const rows = body.split("\n").filter((line) => line.startsWith("| `"));

    it("starts with the stack's marker, so the comment can be found and edited in place", () => {
        assert.ok(body.startsWith(`${reportMarker("preview", "dev")}\n### Preview of \`dev\``), body);
        assert.notEqual(reportMarker("preview", "dev"), reportMarker("preview", "prod"));
        assert.notEqual(reportMarker("preview", "dev"), reportMarker("drift", "dev"));
    });

    it("has one row per store that is not unchanged, failures first, with action and status or reason", () => {
        assert.deepEqual(rows.map((row) => row.split(" | ")[0]), ["| `books`", "| `flower-shop`", "| `toys`"]);
        assert.match(rows[0], /❌ failed \| Failed: images-pinned: values\.wordpress\.image\.tag "latest" uses :latest \\\| pin a version second line \|$/);
        assert.match(rows[1], /🔍 previewed \| would be created \|$/);
        assert.match(body, /\| store \| action \| status \/ reason \|\n\|---\|---\|---\|/);
    });

    it("says how it went, counts every action, and folds the unchanged stores", () => {
        assert.match(body, /❌ 1 store failed the preview/);
        assert.match(body, /1 failed · 2 previewed · 2 unchanged/);
        assert.match(body, /<details><summary>2 unchanged \(fingerprint unchanged, not previewed\)<\/summary>\n\n`bakery`, `demo-shop`\n\n<\/details>/);
        assert.match(body, /\[workflow run\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/7\) · per-store Pulumi logs: artifact `fleet-logs-preview-dev` · commit 0123456789ab/);
        assert.doesNotMatch(body, /\/tmp\/w\/logs/, "runner-local log paths mean nothing on the pull request");
    });

    it("a deploy gives each changed store's status and URL", () => {
        const deployed = renderReport(parsed({ stack: "prod", layout: "perStore", stores: [
            { name: "flower-shop", stack: "prod.flower-shop", action: "created", status: "Ready", url: "https://flower-shop.store.example.com" },
            { name: "old-shop", stack: "prod.old-shop", action: "deleted", status: "deleted" },
        ] }), { kind: "deploy", stack: "prod" });
        assert.match(deployed, /^### Deploy of `prod`$/m);
        assert.match(deployed, /✅ 2 stores changed\./);
        assert.match(deployed, /\| `flower-shop` \| ✅ created \| Ready · https:\/\/flower-shop\.store\.example\.com \|/);
        assert.match(deployed, /\| `old-shop` \| 🗑️ deleted \| deleted \|/);
    });

    it("a preview where nothing changed says so and has no table", () => {
        const quiet = renderReport(parsed({ ...SAMPLE, stores: SAMPLE.stores.filter((s) => s.action === "unchanged") }), { kind: "preview", stack: "prod" });
        assert.match(quiet, /No store to change: every store's fingerprint is unchanged\./);
        assert.doesNotMatch(quiet, /\| store \|/);
    });

    it("a drift report names drifted stores as failures and a clean one says no drift", () => {
        const drifted: StoreResult = { name: "bakery", stack: "prod.bakery", action: "failed", status: "drifted", reason: "resource monitoring changed" };
        const dirty = renderReport(parsed({ stack: "prod", layout: "perStore", stores: [drifted] }), { kind: "drift", stack: "prod" });
        assert.match(dirty, /❌ 1 store drifted or could not be checked\./);
        assert.match(dirty, /\| `bakery` \| ❌ failed \| drifted: resource monitoring changed \|/);
        const clean = renderReport(parsed({ stack: "prod", layout: "perStore", stores: [{ name: "bakery", stack: "prod.bakery", action: "refreshed", status: "Ready" }] }), { kind: "drift", stack: "prod" });
        assert.match(clean, /✅ No drift/);
    });

    it("a run that printed no summary gives the exit code and where to look", () => {
        const failed = renderReport(parseSummary(""), { kind: "preview", stack: "dev", exitCode: 2, runUrl: "https://x/runs/1" });
        assert.ok(failed.startsWith(reportMarker("preview", "dev")));
        assert.match(failed, /❌ `npm run up` failed \(exit code 2\)\. npm run up printed no summary/);
        assert.match(failed, /\[workflow run\]\(https:\/\/x\/runs\/1\)/);
    });

    it("table cells stay one plain line: no HTML, no column breaks, bounded length", () => {
        assert.equal(tableCell("a|b\n<script>&"), "a\\|b &lt;script&gt;&amp;");
        assert.equal(tableCell("x".repeat(1_000)).length, 300);
    });

    it("2,000 failing stores with long reasons stay under GitHub's comment limit and say what was left out", () => {
        const stores: StoreResult[] = Array.from({ length: 2_000 }, (_, i) => ({ name: `store-${String(i).padStart(4, "0")}`, stack: `dev.store-${i}`, action: "failed", reason: "r".repeat(250) }));
        const unchanged: StoreResult[] = Array.from({ length: 1_000 }, (_, i) => ({ name: `same-${i}`, stack: `dev.same-${i}`, action: "unchanged" }));
        const big = renderReport(parsed({ stack: "dev", layout: "perStore", stores: [...stores, ...unchanged] }), { kind: "preview", stack: "dev", runUrl: "https://x/runs/1" });
        assert.ok(big.length <= BODY_BUDGET, `${big.length} characters`);
        const shown = big.split("\n").filter((line) => line.startsWith("| `store-")).length;
        assert.ok(shown > 100 && shown < 2_000, `${shown} rows`);
        assert.match(big, new RegExp(`… and ${2_000 - shown} more stores, left out`));
        assert.match(big, /1000 unchanged/);
        assert.match(big, /\[workflow run\]/, "the link to the full log survives the cut");
    });
});

describe("fleet report: one comment per stack", () => {
    it("finds the newest comment that starts with the stack's marker, and not a quote of it", () => {
        const marker = reportMarker("preview", "dev");
        const comments = [
            { id: 1, body: `${marker}\nold` },
            { id: 2, body: `> ${marker}\nquoted by a reviewer` },
            { id: 3, body: `${reportMarker("preview", "prod")}\nprod` },
            { id: 4, body: null },
            { id: 5, body: `${marker}\nnewer` },
        ];
        assert.equal(findReportComment(comments, marker), 5);
        assert.equal(findReportComment(comments.slice(1, 4), marker), undefined);
    });

    describe("against a FAKE GitHub REST API (local stand-in server)", () => {
        const comments: { id: number; body: string }[] = [];
        const requests: string[] = [];
        let server: http.Server;
        let apiUrl = "";
        before(async () => {
            // 150 unrelated comments first, so the lookup has to page (100 per page).
            for (let id = 1; id <= 150; id++) comments.push({ id, body: `comment ${id}` });
            server = http.createServer((req, res) => {
                let data = "";
                req.on("data", (chunk: Buffer) => { data += chunk.toString(); });
                req.on("end", () => {
                    const url = new URL(req.url ?? "/", "http://x");
                    requests.push(`${req.method} ${url.pathname}${url.search}`);
                    const send = (status: number, value: unknown) => { res.writeHead(status, { "Content-Type": "application/json" }); res.end(JSON.stringify(value)); };
                    if (req.headers.authorization !== "Bearer test-token") return send(401, { message: "Bad credentials" });
                    if (req.method === "GET" && url.pathname === "/repos/o/r/issues/42/comments") {
                        const page = Number(url.searchParams.get("page")), size = Number(url.searchParams.get("per_page"));
                        return send(200, comments.slice((page - 1) * size, page * size));
                    }
                    if (req.method === "POST" && url.pathname === "/repos/o/r/issues/42/comments") {
                        const comment = { id: 1_000 + comments.length, body: (JSON.parse(data) as { body: string }).body };
                        comments.push(comment);
                        return send(201, comment);
                    }
                    const edit = /^\/repos\/o\/r\/issues\/comments\/(\d+)$/.exec(url.pathname);
                    if (req.method === "PATCH" && edit) {
                        const comment = comments.find((c) => c.id === Number(edit[1]));
                        if (!comment) return send(404, { message: "Not Found" });
                        comment.body = (JSON.parse(data) as { body: string }).body;
                        return send(200, comment);
                    }
                    send(404, { message: "Not Found" });
                });
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
            apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        });
        after(() => new Promise<void>((resolve) => server.close(() => resolve())));

        const target = () => ({ apiUrl, repository: "o/r", pullRequest: 42, token: "test-token" });
        const marker = reportMarker("preview", "dev");

        it("creates the comment the first time, then edits that same comment", async () => {
            const first = await upsertReportComment(target(), marker, `${marker}\nfirst push`);
            assert.equal(first.created, true);
            const second = await upsertReportComment(target(), marker, `${marker}\nsecond push`);
            assert.deepEqual(second, { id: first.id, created: false });
            assert.equal(comments.filter((c) => c.body.startsWith(marker)).length, 1);
            assert.equal(comments.find((c) => c.id === first.id)?.body, `${marker}\nsecond push`);
            assert.ok(requests.includes("GET /repos/o/r/issues/42/comments?per_page=100&page=2"), requests.join("\n"));
            // The other stack gets its own comment.
            const prod = await upsertReportComment(target(), reportMarker("preview", "prod"), `${reportMarker("preview", "prod")}\nprod`);
            assert.notEqual(prod.id, first.id);
        });

        it("an API error names the call, the status and the permission it likely needs", async () => {
            await assert.rejects(upsertReportComment({ ...target(), pullRequest: 7 }, marker, "x"), /GitHub GET \/repos\/o\/r\/issues\/7\/comments\?per_page=100&page=1: HTTP 404 .*pull-requests: write/);
            await assert.rejects(upsertReportComment({ ...target(), token: "wrong" }, marker, "x"), /HTTP 401 .*Bad credentials/);
        });

        it("the command line reads the summary file, writes the job summary and upserts the comment", async () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleet-report-"));
            try {
                const summaryFile = path.join(dir, "summary.json");
                fs.writeFileSync(summaryFile, JSON.stringify(SAMPLE));
                const stepSummary = path.join(dir, "step-summary.md");
                const env = {
                    ...process.env, GITHUB_TOKEN: "test-token", GITHUB_REPOSITORY: "o/r", PR_NUMBER: "42", GITHUB_API_URL: apiUrl,
                    GITHUB_STEP_SUMMARY: stepSummary, GITHUB_SERVER_URL: "https://github.com", GITHUB_RUN_ID: "9", HEAD_SHA: "feedfacecafe0000", LOGS_ARTIFACT: "fleet-logs-preview-dev",
                };
                // Asynchronously: the stand-in server answers from this process's event loop.
                const run = await execFileAsync(process.execPath, ["--import", "tsx", SCRIPT, "--kind", "preview", "--stack", "dev", "--summary", summaryFile, "--exit-code", "1", "--comment"], { env, encoding: "utf8" });
                assert.match(run.stderr, /fleetReport: updated comment \d+ on pull request #42/);
                const mine = comments.filter((c) => c.body.startsWith(marker));
                assert.equal(mine.length, 1, "still one comment for dev");
                assert.equal(mine[0].body, fs.readFileSync(stepSummary, "utf8"));
                assert.equal(run.stdout, mine[0].body);
                assert.match(mine[0].body, /\| `books` \| ❌ failed \|/);
                assert.match(mine[0].body, /\[workflow run\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/9\) · per-store Pulumi logs: artifact `fleet-logs-preview-dev` · commit feedfacecafe/);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("the command line without a summary file still reports (exit code and where to look), and refuses --comment without a pull request", async () => {
            const env = { ...process.env, GITHUB_STEP_SUMMARY: "", GITHUB_TOKEN: "test-token", GITHUB_REPOSITORY: "o/r", PR_NUMBER: "", GITHUB_API_URL: apiUrl };
            const run = await execFileAsync(process.execPath, ["--import", "tsx", SCRIPT, "--kind", "drift", "--stack", "prod", "--summary", "/nonexistent/summary.json", "--exit-code", "1"], { env, encoding: "utf8" });
            assert.match(run.stdout, /❌ `npm run up` failed \(exit code 1\)\. npm run up printed no summary/);
            await assert.rejects(
                execFileAsync(process.execPath, ["--import", "tsx", SCRIPT, "--kind", "preview", "--stack", "dev", "--summary", "/nonexistent", "--comment"], { env, encoding: "utf8" }),
                (error: Error & { code?: number; stderr?: string }) => error.code === 2 && /--comment needs PR_NUMBER/.test(error.stderr ?? ""),
            );
        });
    });
});

describe("fleet report: command line", () => {
    it("rejects every bad argument at once, with what to write", () => {
        assert.throws(() => parseReportArgs(["--kind", "plan", "--exit-code", "x", "--bogus"]), (error: Error) => {
            assert.ok(error instanceof ReportUsageError);
            assert.match(error.message, /unknown option "--bogus"/);
            assert.match(error.message, /--kind must be one of preview, deploy, drift/);
            assert.match(error.message, /--stack NAME is required/);
            assert.match(error.message, /--summary FILE is required/);
            assert.match(error.message, /--exit-code "x": write a whole number/);
            return true;
        });
        assert.deepEqual(parseReportArgs(["--kind", "drift", "--stack", "prod", "--summary", "s.json", "--exit-code", "1"]), { kind: "drift", stack: "prod", summaryFile: "s.json", exitCode: 1, comment: false });
    });
});
