/**
 * The GitHub workflows (.github/workflows) and the local composite action: actionlint (with
 * its shellcheck integration) passes with no output, and the structural promises of issue 6
 * hold: per-stack concurrency, never-cancelled deploys behind the policy pack, a PR preview
 * comment, a drift check that fails on drift. actionlint comes from scripts/install-tools.sh;
 * a missing binary FAILS this test (it is part of tier 1).
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { PULUMI_CLI_VERSION } from "../../automation/pulumiCli";

const ROOT = path.resolve(__dirname, "../..");
const TOOLS_BIN = path.join(process.env.WOOSTORE_TOOLS_DIR ?? "/var/cache/woostore-tools", "bin");
const ACTIONLINT = path.join(TOOLS_BIN, "actionlint");
const SHELLCHECK = path.join(TOOLS_BIN, "shellcheck");
const WORKFLOWS_DIR = path.join(ROOT, ".github/workflows");
const PREPARE_ACTION = path.join(ROOT, ".github/actions/prepare/action.yml");
// The tools dir first, so actionlint finds the same shellcheck the rest of tier 1 uses.
const TOOL_ENV = { ...process.env, PATH: `${TOOLS_BIN}${path.delimiter}${process.env.PATH ?? ""}`, NO_COLOR: "1" };

type Yaml = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
type Step = { name?: string; uses?: string; run?: string; with?: Yaml; env?: Yaml; if?: string };

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
        const broken = fs.readFileSync(path.join(WORKFLOWS_DIR, "deploy.yml"), "utf8").replace(/policyPacks:/g, "policyPack:");
        const r = spawnSync(ACTIONLINT, ["-"], { cwd: ROOT, env: TOOL_ENV, encoding: "utf8", input: broken });
        assert.equal(r.status, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /input "policyPack" is not defined in action "pulumi\/actions@v6"/);
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

    it("the composite action installs Node 24 (from .nvmrc) with the npm cache, both dependency sets and the kubeconfig", () => {
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
    });

    describe("preview.yml", () => {
        const wf = workflow("preview.yml");
        it("runs on pull requests touching the store list, program, chart and setup", () => {
            const paths = wf.on.pull_request.paths as string[];
            for (const p of ["stores.yaml", "index.ts", "components/**", "charts/**", "setup/**", "package.json", "package-lock.json", "Pulumi*.yaml", "policy/**"]) {
                assert.ok(paths.includes(p), p);
            }
            assert.deepEqual(wf.permissions, { contents: "read", "pull-requests": "write" });
        });
        it("validates and runs tier-1 tests before previewing", () => {
            const runs = steps(wf.jobs.checks).map((s) => s.run ?? "");
            assert.ok(runs.includes("npm run validate"));
            assert.ok(runs.includes("npm test"));
            assert.equal(wf.jobs.preview.needs, "checks");
            const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
            assert.ok(scripts.validate && scripts.test, "package.json defines the validate and test scripts");
        });
        it("refers only to policy config files that exist", () => {
            for (const f of workflowFiles()) {
                for (const m of fs.readFileSync(path.join(WORKFLOWS_DIR, f), "utf8").matchAll(/policy\/config\/[\w.-]+\.json/g)) {
                    assert.ok(fs.existsSync(path.join(ROOT, m[0])), `${f}: ${m[0]}`);
                }
            }
        });
        it("previews dev and prod with the policy pack and comments on the pull request", () => {
            const job = wf.jobs.preview;
            assert.deepEqual(matrixStacks(job), ["dev", "prod"]);
            const [p] = pulumiSteps(job);
            assert.equal(p.with?.command, "preview");
            assert.equal(p.with?.["stack-name"], "${{ matrix.stack }}");
            assert.equal(p.with?.["comment-on-pr"], true);
            assert.equal(p.with?.["always-include-summary"], true);
            assert.equal(p.with?.policyPacks, "policy");
            assert.match(job.if, /head\.repo\.full_name == github\.repository/);
        });
        it("has one concurrency group per stack (and pull request)", () => {
            const c = wf.jobs.preview.concurrency;
            assert.match(c.group, /^pulumi-\$\{\{ matrix\.stack \}\}-preview-/);
        });
    });

    describe("deploy.yml", () => {
        const wf = workflow("deploy.yml");
        it("runs on push to main", () => {
            assert.deepEqual(wf.on.push.branches, ["main"]);
        });
        it("updates dev, then prod behind the prod environment", () => {
            assert.equal(wf.jobs.prod.needs, "dev");
            assert.equal(wf.jobs.prod.environment, "prod");
        });
        for (const stack of ["dev", "prod"]) {
            it(`${stack}: concurrency pulumi-${stack}, never cancelled`, () => {
                assert.deepEqual(wf.jobs[stack].concurrency, { group: `pulumi-${stack}`, "cancel-in-progress": false });
            });
            it(`${stack}: preview then up, both with the policy pack`, () => {
                const ps = pulumiSteps(wf.jobs[stack]);
                assert.deepEqual(ps.map((s) => s.with?.command), ["preview", "up"]);
                for (const s of ps) {
                    assert.equal(s.with?.["stack-name"], stack);
                    assert.equal(s.with?.policyPacks, "policy");
                    if (stack === "prod") assert.equal(s.with?.policyPackConfigs, "policy/config/prod.json");
                }
                const prepare = steps(wf.jobs[stack]).find((s) => s.uses === "./.github/actions/prepare");
                assert.equal(prepare?.with?.["kubeconfig-secret"], `KUBECONFIG_${stack.toUpperCase()}`);
                assert.equal(prepare?.with?.kubeconfig, `\${{ secrets.KUBECONFIG_${stack.toUpperCase()} }}`);
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
        it("is scheduled and can be started by hand", () => {
            assert.ok(Array.isArray(wf.on.schedule) && wf.on.schedule[0].cron);
            assert.ok("workflow_dispatch" in wf.on);
        });
        it("refreshes each stack with --expect-no-changes, read-only, and fails on drift", () => {
            const job = wf.jobs.refresh;
            assert.deepEqual(matrixStacks(job), ["dev", "prod"]);
            assert.equal(job.strategy["fail-fast"], false);
            const run = steps(job).map((s) => s.run ?? "").join("\n");
            assert.match(run, /pulumi refresh --stack "\$STACK" .*--expect-no-changes/);
            assert.match(run, /--preview-only/);
            assert.ok(!steps(job).some((s) => "continue-on-error" in s), "a drift must fail the job");
            assert.equal(job.concurrency.group, "pulumi-${{ matrix.stack }}-drift");
        });
    });
});
