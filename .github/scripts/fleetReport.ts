/**
 * The workflows' report of one `npm run up -- --json` run: a per-store Markdown table for the
 * job summary (every workflow) and for ONE pull-request comment per stack (preview), which later
 * pushes edit in place (a hidden marker finds it again).
 *
 *   node --import tsx .github/scripts/fleetReport.ts --kind preview --stack dev \
 *     --summary "$RUNNER_TEMP/fleet-summary.json" [--exit-code N] [--comment]
 *
 * Rendering and comment lookup are pure; the GitHub REST calls take the API's base URL as an
 * argument, so tier 1 runs them against a local stand-in server.
 */
import * as fs from "fs";
import type { FleetSummary, StoreResult } from "../../fleet/run";

export const REPORT_KINDS = ["preview", "deploy", "drift"] as const;
export type ReportKind = (typeof REPORT_KINDS)[number];

const ACTIONS: readonly StoreResult["action"][] = ["failed", "created", "updated", "deleted", "refreshed", "previewed", "skipped", "unchanged"];

/** GitHub refuses comment bodies over 65,536 characters; the table stops well before that. */
export const BODY_BUDGET = 60_000;
const CELL_MAX = 300;

export interface ReportContext {
    kind: ReportKind;
    stack: string;
    /** npm run up's exit code, when known. */
    exitCode?: number;
    /** The workflow run, for the full log and the per-store logs artifact. */
    runUrl?: string;
    /** The commit the run used (the PR's head, not the merge commit). */
    commit?: string;
    /** Name of the artifact holding the per-store Pulumi logs. */
    logsArtifact?: string;
}

/** The hidden first line that identifies a stack's report comment. */
export function reportMarker(kind: ReportKind, stack: string): string {
    return `<!-- woostore-fleet-report kind=${kind} stack=${stack} -->`;
}

/** The summary `npm run up --json` printed, or why there is none (the run failed before it). */
export function parseSummary(text: string): { summary: FleetSummary } | { problem: string } {
    const trimmed = text.trim();
    if (!trimmed) return { problem: "npm run up printed no summary: it stopped before running any store (see the job log)" };
    let data: unknown;
    try {
        data = JSON.parse(trimmed);
    } catch {
        return { problem: `npm run up's output is not a JSON summary (see the job log); it starts with: ${trimmed.slice(0, 120)}` };
    }
    const record = data as Partial<FleetSummary> | null;
    if (!record || typeof record.stack !== "string" || !Array.isArray(record.stores)) {
        return { problem: "npm run up's JSON has no \"stack\" and \"stores\": not a fleet summary (see the job log)" };
    }
    const bad = record.stores.findIndex((store: Partial<StoreResult> | null) =>
        !store || typeof store.name !== "string" || typeof store.action !== "string" || !ACTIONS.includes(store.action));
    if (bad >= 0) return { problem: `npm run up's JSON summary: stores[${bad}] has no name or an unknown action` };
    return { summary: record as FleetSummary };
}

/** Plain text for one table cell: one line, no HTML, no column breaks, at most CELL_MAX characters. */
export function tableCell(text: string): string {
    const line = text.replace(/\s+/g, " ").trim();
    const short = line.length > CELL_MAX ? `${line.slice(0, CELL_MAX - 1)}…` : line;
    return short.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "\\|");
}

const TITLES: Record<ReportKind, string> = { preview: "Preview", deploy: "Deploy", drift: "Drift check" };
const ICONS: Partial<Record<StoreResult["action"], string>> = { failed: "❌", created: "✅", updated: "✅", deleted: "🗑️", refreshed: "✅", previewed: "🔍", skipped: "⏭️" };

function countsLine(stores: readonly StoreResult[]): string {
    const counts = new Map<string, number>();
    for (const store of stores) counts.set(store.action, (counts.get(store.action) ?? 0) + 1);
    return ACTIONS.filter((action) => counts.has(action)).map((action) => `${counts.get(action)} ${action}`).join(" · ") || "no stores";
}

function verdict(kind: ReportKind, stores: readonly StoreResult[]): string {
    const failed = stores.filter((store) => store.action === "failed").length;
    const touched = stores.filter((store) => store.action !== "unchanged" && store.action !== "skipped").length;
    if (failed) {
        const what = kind === "drift" ? "drifted or could not be checked" : kind === "preview" ? "failed the preview (policy violation or error)" : "failed";
        return `❌ ${failed} store${failed === 1 ? "" : "s"} ${what}.`;
    }
    if (kind === "drift") return "✅ No drift: every deployed store matches its state.";
    if (!touched) return "No store to change: every store's fingerprint is unchanged.";
    return kind === "preview" ? `🔍 ${touched} store${touched === 1 ? "" : "s"} would change; only these were previewed.` : `✅ ${touched} store${touched === 1 ? "" : "s"} changed.`;
}

/** What the status / reason column says of a store: the reason of a failure, else its status and URL. */
function statusText(store: StoreResult): string {
    if (store.action === "failed") return [store.status, store.reason].filter(Boolean).join(": ");
    return [store.status ?? store.reason, store.url].filter(Boolean).join(" · ");
}

/** The Markdown report: marker, headline, per-store table (failures first), unchanged stores folded. */
export function renderReport(result: { summary: FleetSummary } | { problem: string }, context: ReportContext): string {
    const head = [reportMarker(context.kind, context.stack), `### ${TITLES[context.kind]} of \`${context.stack}\``, ""];
    const footer: string[] = [];
    const links = [context.runUrl ? `[workflow run](${context.runUrl})` : "", context.logsArtifact ? `per-store Pulumi logs: artifact \`${context.logsArtifact}\`` : ""].filter(Boolean);
    if (links.length) footer.push(links.join(" · "));
    if (context.commit) footer.push(`commit ${context.commit.slice(0, 12)}`);
    const tail = footer.length ? ["", `<sub>${footer.join(" · ")}</sub>`] : [];

    if ("problem" in result) {
        const code = context.exitCode === undefined ? "" : ` (exit code ${context.exitCode})`;
        return [...head, `❌ \`npm run up\` failed${code}. ${tableCell(result.problem)}`, ...tail].join("\n") + "\n";
    }
    const stores = result.summary.stores;
    const order = (store: StoreResult) => (store.action === "failed" ? 0 : 1);
    const listed = stores.filter((store) => store.action !== "unchanged").sort((a, b) => order(a) - order(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const unchanged = stores.filter((store) => store.action === "unchanged").map((store) => store.name).sort();

    const lines = [...head, verdict(context.kind, stores), "", countsLine(stores), ""];
    const reserve = tail.join("\n").length + 2_000; // room for the folded unchanged list and the tail
    if (listed.length) {
        lines.push("| store | action | status / reason |", "|---|---|---|");
        let length = lines.join("\n").length;
        for (const [index, store] of listed.entries()) {
            const row = `| \`${tableCell(store.name)}\` | ${ICONS[store.action] ?? ""} ${store.action} | ${tableCell(statusText(store))} |`;
            if (length + row.length + 1 > BODY_BUDGET - reserve) {
                lines.push("", `… and ${listed.length - index} more stores, left out to fit GitHub's comment limit: see the job summary or log.`);
                break;
            }
            lines.push(row);
            length += row.length + 1;
        }
        lines.push("");
    }
    if (unchanged.length) {
        let names = unchanged.map((name) => `\`${tableCell(name)}\``).join(", ");
        if (names.length > 1_500) names = `${names.slice(0, names.lastIndexOf(", ", 1_500))}, …`;
        lines.push("<details><summary>" + `${unchanged.length} unchanged (fingerprint unchanged, not ${context.kind === "preview" ? "previewed" : "touched"})</summary>`, "", names, "", "</details>");
    }
    if (context.exitCode && !stores.some((store) => store.action === "failed")) {
        lines.push("", `⚠️ \`npm run up\` exited with code ${context.exitCode} (interrupted?): see the job log.`);
    }
    return [...lines, ...tail].join("\n") + "\n";
}

export interface IssueComment { id: number; body?: string | null }

/** The report comment of this kind and stack (the newest, should there be several). */
export function findReportComment(comments: readonly IssueComment[], marker: string): number | undefined {
    return comments.filter((comment) => (comment.body ?? "").startsWith(marker)).at(-1)?.id;
}

export interface GitHubTarget {
    /** https://api.github.com, or GITHUB_API_URL on GitHub Enterprise. */
    apiUrl: string;
    /** owner/name */
    repository: string;
    pullRequest: number;
    token: string;
}

async function gitHub(target: GitHubTarget, method: string, route: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${target.apiUrl.replace(/\/$/, "")}${route}`, {
        method,
        headers: {
            Accept: "application/vnd.github+json",
            Authorization: `Bearer ${target.token}`,
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "woostore-fleet-report",
            ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
        const hint = response.status === 403 || response.status === 404 ? " — the job needs `permissions: pull-requests: write` and a same-repository pull request" : "";
        throw new Error(`GitHub ${method} ${route}: HTTP ${response.status} ${text.slice(0, 200)}${hint}`);
    }
    return text ? JSON.parse(text) : undefined;
}

/** Edits the marked comment in place, or creates it: one comment per kind and stack. */
export async function upsertReportComment(target: GitHubTarget, marker: string, body: string): Promise<{ id: number; created: boolean }> {
    const base = `/repos/${target.repository}/issues`;
    const comments: IssueComment[] = [];
    for (let page = 1; ; page++) {
        const batch = (await gitHub(target, "GET", `${base}/${target.pullRequest}/comments?per_page=100&page=${page}`)) as IssueComment[];
        comments.push(...batch);
        if (batch.length < 100) break;
    }
    const existing = findReportComment(comments, marker);
    if (existing !== undefined) {
        await gitHub(target, "PATCH", `${base}/comments/${existing}`, { body });
        return { id: existing, created: false };
    }
    const created = (await gitHub(target, "POST", `${base}/${target.pullRequest}/comments`, { body })) as IssueComment;
    return { id: created.id, created: true };
}

export class ReportUsageError extends Error {}

export interface ReportArgs { kind: ReportKind; stack: string; summaryFile: string; exitCode?: number; comment: boolean }

export function parseReportArgs(argv: readonly string[]): ReportArgs {
    const problems: string[] = [];
    const values = new Map<string, string>();
    let comment = false;
    for (let index = 0; index < argv.length; index++) {
        const flag = argv[index];
        if (flag === "--comment") { comment = true; continue; }
        if (!["--kind", "--stack", "--summary", "--exit-code"].includes(flag)) { problems.push(`unknown option ${JSON.stringify(flag)}`); continue; }
        const value = argv[index + 1];
        if (value === undefined || value.startsWith("--")) { problems.push(`${flag} needs a value`); continue; }
        values.set(flag, value);
        index++;
    }
    const kind = values.get("--kind");
    if (!REPORT_KINDS.includes(kind as ReportKind)) problems.push(`--kind must be one of ${REPORT_KINDS.join(", ")}`);
    if (!values.get("--stack")) problems.push("--stack NAME is required");
    if (!values.get("--summary")) problems.push("--summary FILE is required (npm run up --json's stdout)");
    // Empty: the step that ran npm run up died before it could record its exit code.
    const exitText = values.get("--exit-code") || undefined;
    if (exitText !== undefined && !/^\d+$/.test(exitText)) problems.push(`--exit-code ${JSON.stringify(exitText)}: write a whole number`);
    if (problems.length) throw new ReportUsageError(problems.join("; "));
    return { kind: kind as ReportKind, stack: values.get("--stack")!, summaryFile: values.get("--summary")!, exitCode: exitText === undefined ? undefined : Number(exitText), comment };
}

async function main(): Promise<number> {
    let args: ReportArgs;
    try {
        args = parseReportArgs(process.argv.slice(2));
    } catch (error) {
        if (!(error instanceof ReportUsageError)) throw error;
        console.error(`fleetReport: ${error.message}`);
        return 2;
    }
    const env = process.env;
    const runUrl = env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}` : undefined;
    const text = fs.existsSync(args.summaryFile) ? fs.readFileSync(args.summaryFile, "utf8") : "";
    const body = renderReport(parseSummary(text), {
        kind: args.kind, stack: args.stack, exitCode: args.exitCode, runUrl, commit: env.HEAD_SHA || env.GITHUB_SHA, logsArtifact: env.LOGS_ARTIFACT || undefined,
    });
    process.stdout.write(body);
    if (env.GITHUB_STEP_SUMMARY) fs.appendFileSync(env.GITHUB_STEP_SUMMARY, body);
    if (!args.comment) return 0;
    const pullRequest = Number(env.PR_NUMBER);
    const missing = [["GITHUB_TOKEN", env.GITHUB_TOKEN], ["GITHUB_REPOSITORY", env.GITHUB_REPOSITORY], ["PR_NUMBER", env.PR_NUMBER]].filter(([, value]) => !value).map(([name]) => name);
    if (missing.length || !Number.isInteger(pullRequest) || pullRequest <= 0) {
        console.error(`fleetReport: --comment needs ${missing.join(", ") || "PR_NUMBER as a pull request number"} in the environment`);
        return 2;
    }
    const target = { apiUrl: env.GITHUB_API_URL || "https://api.github.com", repository: env.GITHUB_REPOSITORY!, pullRequest, token: env.GITHUB_TOKEN! };
    const { id, created } = await upsertReportComment(target, reportMarker(args.kind, args.stack), body);
    console.error(`fleetReport: ${created ? "created" : "updated"} comment ${id} on pull request #${pullRequest}`);
    return 0;
}

if (require.main === module) {
    main().then((code) => { process.exitCode = code; }, (error: Error) => { console.error(`fleetReport: ${error.message}`); process.exitCode = 1; });
}
