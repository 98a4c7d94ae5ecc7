/**
 * The GitHub workflows (.github/workflows) and the local composite action: actionlint (with
 * its shellcheck integration) passes with no output, and the promises of issues 6 and 10 hold:
 * per-stack concurrency; deploys that are never cancelled and run `npm run up` behind the policy
 * pack, preview first; a pull-request preview of the changed stores only, with one comment per
 * stack; a drift check (`npm run up --refresh`) that fails on drift. The steps that call
 * `npm run up` are run for real with bash against a FAKE npm (it records its arguments and prints
 * a sample summary), so the arguments, the exit code and the summary file are checked as they
 * would happen, and the arguments go through the real `npm run up` parser. actionlint comes from
 * scripts/install-tools.sh; a missing binary FAILS this test (it is part of tier 1).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PULUMI_CLI_VERSION } from "../../automation/pulumiCli";
import { parseUpArgs } from "../../automation/up";
import type { FleetSummary } from "../../fleet/run";

const ROOT = path.resolve(__dirname, "../..");
const TOOLS_BIN = path.join(process.env.WOOSTORE_TOOLS_DIR ?? "/var/cache/woostore-tools", "bin");
const ACTIONLINT = path.join(TOOLS_BIN, "actionlint");
const SHELLCHECK = path.join(TOOLS_BIN, "shellcheck");
const WORKFLOWS_DIR = path.join(ROOT, ".github/workflows");
const PREPARE_ACTION = path.join(ROOT, ".github/actions/prepare/action.yml");
// The tools dir first, so actionlint finds the same shellcheck the rest of tier 1 uses.
const TOOL_ENV = { ...process.env, PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}`, NO_COLOR: "1" };

type Yaml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Step = { name?: string; id?: string; uses?: string; run?: string; with?: Yaml; env?: Yaml; if?: string; "continue-on-error"?: unknown };

const load = (file: string): Yaml => parse(fs.readFileSync(file, "utf8")) as Yaml;
const workflow = (name: string): Yaml => load(path.join(WORKFLOWS_DIR, name));
const workflowFiles = () => fs.readdirSync(WORKFLOWS_DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const steps = (job: Yaml): Step[] => (job.steps ?? []) as Step[];
const pulumiSteps = (job: Yaml) => steps(job).filter((s) => s.uses?.startsWith("pulumi/actions@"));
const matrixStacks = (job: Yaml) => ((job.strategy?.matrix?.include ?? []) as Yaml[]).map((m) => m.stack as string);

function requireTool(bin: string) {
    assert.ok(
        fs.existsSync(bin),
        `${bin} is missing: run \`bash scripts/install-tools.sh\` (builds actionlint from its Go module, installs shellcheck)`,
    );
}

describe("workflows: actionlint", () => {
    it("finds the workflows", () => {
        for (const f of ["deploy.yml", "drift.yml", "preview.yml"]) assert.ok(workflowFiles().includes(f), f);
    });

    it("actionlint (with shellcheck) passes with no output", () => {
        requireTool(ACTIONLINT);
        requireTool(SHELLCHECK);
        const files = workflowFiles().map((f) => path.join(".github/workflows", f));
        const r = spawnSync(ACTIONLINT, ["-verbose", ...files], { cwd: ROOT, env: TOOL_ENV, encoding: "utf8" });
        assert.equal(r.error, undefined, String(r.error));
        // -verbose logs to stderr; problems go to stdout.
        assert.doesNotMatch(r.stderr, /Rule "shellcheck" was disabled/, "actionlint did not find shellcheck on PATH");
        assert.equal(r.stdout, "", r.stdout);
        assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
        const quiet = spawnSync(ACTIONLINT, files, { cwd: ROOT, env: TOOL_ENV, encoding: "utf8" });
        assert.equal(quiet.status, 0);
        assert.equal(quiet.stdout + quiet.stderr, "");
    });

    it("actionlint catches a wrong pulumi/actions input (it knows the action's inputs)", () => {
        requireTool(ACTIONLINT);
        const broken = fs.readFileSync(path.join(WORKFLOWS_DIR, "deploy.yml"), "utf8").replace(/pulumi-version:/g, "pulumi-versions:");
        const r = spawnSync(ACTIONLINT, ["-"], { cwd: ROOT, env: TOOL_ENV, encoding: "utf8", input: broken });
        assert.equal(r.status, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /input "pulumi-versions" is not defined in action "pulumi\/actions@v6"/);
    });

    it("the composite action's shell steps pass shellcheck (actionlint does not check them)", () => {
        requireTool(SHELLCHECK);
        const action = load(PREPARE_ACTION);
        const runs = (action.runs.steps as Step[]).filter((s) => s.run);
        assert.ok(runs.length >= 3);
        for (const s of runs) {
            // ${{ … }} is substituted before bash runs; stand it in with a plain word.
            const script = `#!/usr/bin/env bash\n${String(s.run).replace(/\$\{\{[^}]*\}\}/g, "X")}`;
            const r = spawnSync(SHELLCHECK, ["--shell=bash", "-"], { env: TOOL_ENV, encoding: "utf8", input: script });
            assert.equal(r.status, 0, `${s.name}: ${r.stdout}${r.stderr}`);
        }
    });
});


/** The steps of a job that call `npm run … up`, in order. */
const upSteps = (job: Yaml) => steps(job).filter((s) => /\bnpm run (--silent )?up\b/.test(s.run ?? ""));
const stepById = (job: Yaml, id: string) => steps(job).find((s) => s.id === id);
const reportSteps = (job: Yaml) => steps(job).filter((s) => (s.run ?? "").includes(".github/scripts/fleetReport.ts"));

/** A FAKE npm: records its arguments (one per line), prints the sample summary for --json, exits FAKE_NPM_EXIT. */
const SAMPLE_SUMMARY: FleetSummary = {
    stack: "prod",
    layout: "perStore",
    stores: [
        { name: "bakery", stack: "prod.bakery", action: "unchanged", status: "Ready", reason: "fingerprint unchanged" },
        { name: "books", stack: "prod.books", action: "failed", status: "drifted", reason: "Service books-wordpress: spec.type changed" },
    ],
};
const FAKE_NPM = `#!/usr/bin/env bash
printf '%s\\n' "$@" >"$FAKE_NPM_ARGS"
for arg in "$@"; do [[ $arg == --json ]] && printf '%s\\n' "$FAKE_NPM_SUMMARY"; done
echo "fake npm: progress goes to stderr" >&2
exit "$FAKE_NPM_EXIT"
`;

interface StepRun { status: number | null; args: string[]; output: string; summaryFile: string; stepSummary: string; stderr: string }

/**
 * Runs a step's script the way the runner does (`bash -e`, its env, RUNNER_TEMP and
 * GITHUB_OUTPUT files), with the FAKE npm first on PATH. `priorTemp` shares RUNNER_TEMP with an
 * earlier step, as the steps of one job do.
 */
function runStep(step: Step, env: Record<string, string>, fakeExit: number, priorTemp?: string): StepRun & { temp: string } {
    assert.ok(step.run, `${step.name} has a run script`);
    assert.ok(!/\$\{\{/.test(step.run), `${step.name}: expressions belong in env, not in the script`);
    const temp = priorTemp ?? fs.mkdtempSync(path.join(os.tmpdir(), "wf-step-"));
    const bin = path.join(temp, "fake-bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "npm"), FAKE_NPM, { mode: 0o755 });
    const files = { args: path.join(temp, "npm-args"), output: path.join(temp, "github-output"), stepSummary: path.join(temp, "step-summary.md") };
    fs.rmSync(files.args, { force: true });
    fs.writeFileSync(files.output, "");
    const r = spawnSync("bash", ["-e", "-c", step.run], {
        cwd: ROOT,
        encoding: "utf8",
        env: {
            ...process.env, ...env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`,
            RUNNER_TEMP: temp, GITHUB_OUTPUT: files.output, GITHUB_STEP_SUMMARY: files.stepSummary,
            FAKE_NPM_ARGS: files.args, FAKE_NPM_EXIT: String(fakeExit), FAKE_NPM_SUMMARY: JSON.stringify(SAMPLE_SUMMARY),
        },
    });
    const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");
    return {
        temp, status: r.status, stderr: r.stderr,
        args: read(files.args).split("\n").filter(Boolean), output: read(files.output),
        summaryFile: path.join(temp, "fleet-summary.json"), stepSummary: read(files.stepSummary),
    };
}

/** `npm run --silent up -- ARGS`: ARGS, checked by the real `npm run up` parser. */
function upArgs(npmArgs: string[]) {
    assert.deepEqual(npmArgs.slice(0, 4), ["run", "--silent", "up", "--"], "npm run --silent up -- … (npm's banner would land on stdout, ahead of the JSON)");
    return { args: npmArgs.slice(4), parsed: parseUpArgs(npmArgs.slice(4)) };
}

/** Runs the step that calls npm run up, then the job's report step on its summary file. */
function runUpAndReport(job: Yaml, upStepId: string, env: Record<string, string>, fakeExit: number) {
    const up = runStep(stepById(job, upStepId)!, env, fakeExit);
    try {
        const [report] = reportSteps(job);
        const reportEnv: Record<string, string> = { ...env, EXIT_CODE: String(fakeExit), LOGS_ARTIFACT: "fleet-logs" };
        delete reportEnv.GITHUB_TOKEN;
        const rendered = runStep({ ...report, run: String(report.run).replace(/ --comment$/, "") }, reportEnv, 0, up.temp);
        return { up, report: rendered };
    } finally {
        fs.rmSync(up.temp, { recursive: true, force: true });
    }
}

describe("workflows: structure", () => {
    it("every workflow pins pulumi/actions@v6 and the project's pinned CLI version (PULUMI_CLI_VERSION)", () => {
        for (const f of workflowFiles()) {
            const wf = workflow(f);
            assert.equal(wf.env?.PULUMI_VERSION, PULUMI_CLI_VERSION, f);
            for (const job of Object.values(wf.jobs) as Yaml[]) {
                for (const s of pulumiSteps(job)) {
                    assert.equal(s.uses, "pulumi/actions@v6", f);
                    assert.equal(s.with?.["pulumi-version"], "${{ env.PULUMI_VERSION }}", f);
                }
            }
        }
    });

    it("every job that runs npm run up installs the CLI first (pulumi/actions without a command) and gets the backend secrets", () => {
        for (const f of workflowFiles()) {
            for (const [name, job] of Object.entries(workflow(f).jobs) as [string, Yaml][]) {
                const ups = upSteps(job);
                if (!ups.length) continue;
                const install = steps(job).findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
                assert.ok(install >= 0 && install < steps(job).indexOf(ups[0]), `${f} ${name}: install the CLI before npm run up`);
                assert.equal(steps(job)[install].with?.command, undefined, `${f} ${name}: the action only installs the CLI`);
                for (const secret of ["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "PULUMI_BACKEND_URL"]) {
                    assert.equal(job.env?.[secret], `\${{ secrets.${secret} }}`, `${f} ${name}: ${secret}`);
                }
                assert.ok(steps(job).some((s) => s.uses === "./.github/actions/prepare" && s.with?.["kubeconfig-secret"]), `${f} ${name}: a kubeconfig`);
                for (const s of ups) assert.ok(!("continue-on-error" in s), `${f} ${name}: ${s.name} must fail the job`);
            }
        }
    });

    it("every job that runs npm run up reports per store and keeps the per-store logs, also after a failure", () => {
        for (const f of workflowFiles()) {
            for (const [name, job] of Object.entries(workflow(f).jobs) as [string, Yaml][]) {
                const main = upSteps(job).find((s) => s.id);
                if (!main) continue;
                const [report] = reportSteps(job);
                assert.ok(report, `${f} ${name}: a report step`);
                assert.match(String(report.if), new RegExp(`(always|!cancelled)\\(\\) && steps\\.${main.id}\\.outcome != 'skipped'`), `${f} ${name}`);
                assert.equal(report.env?.EXIT_CODE, `\${{ steps.${main.id}.outputs.exit-code }}`, `${f} ${name}`);
                const logs = steps(job).find((s) => s.uses?.startsWith("actions/upload-artifact@"));
                assert.equal(logs?.with?.path, "${{ env.WOOSTORE_HOME }}/logs", `${f} ${name}`);
                assert.equal(logs?.if, report.if, `${f} ${name}`);
                assert.equal(logs?.with?.name.replace("${{ matrix.stack }}", "S"), String(report.env?.LOGS_ARTIFACT).replace("${{ matrix.stack }}", "S"), `${f} ${name}: the report names the artifact`);
            }
        }
    });

    it("the composite action installs Node 24 (from .nvmrc) with the npm cache, both dependency sets, WOOSTORE_HOME and the kubeconfig", () => {
        const action = load(PREPARE_ACTION);
        const s = action.runs.steps as Step[];
        const node = s.find((x) => x.uses?.startsWith("actions/setup-node@"));
        assert.equal(node?.with?.["node-version-file"], ".nvmrc");
        assert.equal(fs.readFileSync(".nvmrc", "utf8").trim(), "24");
        assert.equal(node?.with?.cache, "npm");
        const runs = s.map((x) => x.run ?? "").join("\n");
        assert.match(runs, /^npm ci --ignore-scripts\b/m);
        assert.match(runs, /npm ci --ignore-scripts .*--prefix policy/);
        assert.match(runs, /KUBECONFIG=\$file" >>"\$GITHUB_ENV"/);
        assert.match(runs, /umask 077/);
        assert.match(runs, /WOOSTORE_HOME=\$RUNNER_TEMP\/woostore" >>"\$GITHUB_ENV"/);
    });

    it("refers only to policy config files that exist", () => {
        for (const f of workflowFiles()) {
            for (const m of fs.readFileSync(path.join(WORKFLOWS_DIR, f), "utf8").matchAll(/policy\/config\/[\w.-]+\.json/g)) {
                assert.ok(fs.existsSync(path.join(ROOT, m[0])), `${f}: ${m[0]}`);
            }
        }
        assert.ok(fs.existsSync(path.join(ROOT, "policy", "PulumiPolicy.yaml")), "policy/ is the policy pack");
    });

    describe("preview.yml", () => {
        const wf = workflow("preview.yml");
        const job = wf.jobs.preview;
        it("runs on pull requests touching the store list, program, chart, setup, fleet and CI scripts", () => {
            const paths = wf.on.pull_request.paths as string[];
            for (const p of ["stores.yaml", "index.ts", "components/**", "charts/**", "setup/**", "automation/**", "fleet/**", "package.json", "package-lock.json", "Pulumi*.yaml", "policy/**", ".github/scripts/**"]) {
                assert.ok(paths.includes(p), p);
            }
            assert.deepEqual(wf.permissions, { contents: "read", "pull-requests": "write" });
        });
        it("validates and runs tier-1 tests before previewing; fork pull requests stop after the checks", () => {
            const runs = steps(wf.jobs.checks).map((s) => s.run ?? "");
            assert.ok(runs.includes("npm run validate"));
            assert.ok(runs.includes("npm test"));
            assert.equal(job.needs, "checks");
            assert.match(job.if, /head\.repo\.full_name == github\.repository/);
            const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
            assert.ok(scripts.validate && scripts.test && scripts.up, "package.json defines the validate, test and up scripts");
        });
        it("has one concurrency group per stack (and pull request)", () => {
            assert.match(job.concurrency.group, /^pulumi-\$\{\{ matrix\.stack \}\}-preview-/);
        });
        for (const stack of ["dev", "prod"]) {
            const matrix = ((job.strategy?.matrix?.include ?? []) as Yaml[]).find((m) => m.stack === stack)!;
            it(`${stack}: npm run up --preview --json with the policy pack${stack === "prod" ? " and policy/config/prod.json" : ""}, the changed stores only (run with a FAKE npm)`, () => {
                assert.ok(matrix, `${stack} is in the matrix`);
                assert.deepEqual(matrixStacks(job), ["dev", "prod"]);
                const step = stepById(job, "preview")!;
                assert.deepEqual(step.env, { STACK: "${{ matrix.stack }}", POLICY_CONFIG: "${{ matrix.policy_config }}" });
                const { up, report } = runUpAndReport(job, "preview", { STACK: stack, POLICY_CONFIG: matrix.policy_config, GITHUB_TOKEN: "x" }, 1);
                const { args, parsed } = upArgs(up.args);
                const config = stack === "prod" ? ["--policy-pack-config", "policy/config/prod.json"] : [];
                assert.deepEqual(args, ["--stack", stack, "--preview", "--json", "--policy-pack", "policy", ...config]);
                assert.equal(parsed.mode, "preview");
                assert.equal(parsed.all, false, "no --all: only stores whose fingerprint changed are previewed");
                assert.equal(up.status, 1, "a failed store fails the step");
                assert.match(up.output, /^exit-code=1$/m);
                assert.match(report.stepSummary, /\| `books` \| ❌ failed \|/);
                assert.ok(report.stepSummary.startsWith("<!-- woostore-fleet-report kind=preview stack="));
            });
        }
        it("comments one per-store table per stack on the pull request, also when the preview failed", () => {
            const [report] = reportSteps(job);
            assert.match(String(report.run), /--kind preview --stack "\$STACK"\s+--summary "\$RUNNER_TEMP\/fleet-summary\.json" --exit-code "\$EXIT_CODE" --comment$/);
            assert.match(String(stepById(job, "preview")!.run), />"\$RUNNER_TEMP\/fleet-summary\.json"/);
            assert.equal(report.if, "${{ !cancelled() && steps.preview.outcome != 'skipped' }}", "a superseded (cancelled) preview does not comment");
            assert.equal(report.env?.GITHUB_TOKEN, "${{ github.token }}");
            assert.equal(report.env?.PR_NUMBER, "${{ github.event.pull_request.number }}");
            assert.equal(report.env?.HEAD_SHA, "${{ github.event.pull_request.head.sha }}");
            assert.equal(report.env?.STACK, "${{ matrix.stack }}");
            assert.equal(pulumiSteps(job).filter((s) => s.with?.["comment-on-pr"]).length, 0, "the table is the only comment per stack");
        });
    });

    describe("deploy.yml", () => {
        const wf = workflow("deploy.yml");
        it("runs on push to main, for the program, the fleet and the CI scripts too", () => {
            assert.deepEqual(wf.on.push.branches, ["main"]);
            for (const p of ["stores.yaml", "components/**", "automation/**", "fleet/**", "policy/**", ".github/scripts/**"]) assert.ok(wf.on.push.paths.includes(p), p);
        });
        it("updates dev, then prod behind the prod environment", () => {
            assert.equal(wf.jobs.dev.environment, "dev");
            assert.equal(wf.jobs.prod.needs, "dev");
            assert.equal(wf.jobs.prod.environment, "prod");
            assert.ok(steps(wf.jobs.dev).some((s) => s.run === "npm run validate"));
        });
        for (const stack of ["dev", "prod"]) {
            const config = stack === "prod" ? ["--policy-pack-config", "policy/config/prod.json"] : [];
            it(`${stack}: concurrency pulumi-${stack}, never cancelled`, () => {
                assert.deepEqual(wf.jobs[stack].concurrency, { group: `pulumi-${stack}`, "cancel-in-progress": false });
            });
            it(`${stack}: npm run up --preview, then npm run up, both with the policy pack; a failed preview stops the update`, () => {
                const [preview, up, ...rest] = upSteps(wf.jobs[stack]);
                assert.equal(rest.length, 0);
                assert.equal(preview.run, ["npm run up -- --stack", stack, "--preview --policy-pack policy", ...config].join(" "));
                const previewArgs = parseUpArgs(String(preview.run).split(" ").slice(4));
                assert.equal(previewArgs.mode, "preview");
                // No `if:` on the update: the default success() skips it when the preview failed.
                assert.equal(up.if, undefined);
                assert.equal(up.id, "up");
                const prepare = steps(wf.jobs[stack]).find((s) => s.uses === "./.github/actions/prepare");
                assert.equal(prepare?.with?.["kubeconfig-secret"], `KUBECONFIG_${stack.toUpperCase()}`);
                assert.equal(prepare?.with?.kubeconfig, `\${{ secrets.KUBECONFIG_${stack.toUpperCase()} }}`);
            });
            it(`${stack}: the update's arguments, exit code and job summary (run with a FAKE npm)`, () => {
                const { up, report } = runUpAndReport(wf.jobs[stack], "up", {}, 1);
                const { args, parsed } = upArgs(up.args);
                assert.deepEqual(args, ["--stack", stack, "--json", "--policy-pack", "policy", ...config]);
                assert.equal(parsed.mode, "up");
                assert.equal(parsed.refresh, false);
                assert.equal(parsed.all, false);
                assert.equal(up.status, 1, "a failed store fails the job (and so prod never starts after a failed dev)");
                assert.match(up.output, /^exit-code=1$/m);
                assert.match(report.stepSummary, new RegExp(`^### Deploy of \`${stack}\``, "m"));
                assert.match(report.stepSummary, /\| `books` \| ❌ failed \|/);
                const ok = runUpAndReport(wf.jobs[stack], "up", {}, 0);
                assert.equal(ok.up.status, 0);
                assert.match(ok.up.output, /^exit-code=0$/m);
            });
        }
        it("no other workflow shares (and so could cancel a pending run of) a deploy group", () => {
            for (const f of ["preview.yml", "drift.yml"]) {
                for (const job of Object.values(workflow(f).jobs) as Yaml[]) {
                    const g = String(job.concurrency?.group ?? "");
                    assert.ok(!/^pulumi-(dev|prod|\$\{\{ matrix\.stack \}\})$/.test(g), `${f}: ${g}`);
                }
            }
        });
    });

    describe("drift.yml", () => {
        const wf = workflow("drift.yml");
        const job = wf.jobs.refresh;
        it("is scheduled and can be started by hand", () => {
            assert.ok(Array.isArray(wf.on.schedule) && wf.on.schedule[0].cron);
            assert.ok("workflow_dispatch" in wf.on);
        });
        it("checks dev and prod separately, in its own concurrency group per stack", () => {
            assert.deepEqual(matrixStacks(job), ["dev", "prod"]);
            assert.equal(job.strategy["fail-fast"], false);
            assert.equal(job.concurrency.group, "pulumi-${{ matrix.stack }}-drift");
        });
        it("runs npm run up --refresh and fails on drift, with the drifted stores in the job summary (run with a FAKE npm)", () => {
            assert.ok(!steps(job).some((s) => "continue-on-error" in s), "a drift must fail the job");
            const { up, report } = runUpAndReport(job, "refresh", { STACK: "prod" }, 1);
            const { args, parsed } = upArgs(up.args);
            assert.deepEqual(args, ["--stack", "prod", "--refresh", "--json"]);
            assert.equal(parsed.refresh, true);
            assert.equal(parsed.mode, "up", "--refresh is the fleet's read-only refresh, not a preview or destroy");
            assert.equal(up.status, 1, "npm run up exits non-zero when a store drifted: the job fails");
            assert.match(report.stepSummary, /❌ 1 store drifted or could not be checked/);
            assert.match(report.stepSummary, /\| `books` \| ❌ failed \| drifted: Service books-wordpress: spec\.type changed \|/);
        });
    });
});
