/**
 * The validation promise (issue 15), tier 1: every store entry and stack config that
 * `validate` accepts gives Helm values that the chart renders with its values.schema.json,
 * with the real helm binary. Generated with fast-check near the edges of what is accepted.
 *
 * When this fails, fast-check prints a seed and a path: add them to REGRESSION_SEEDS (and the
 * shrunk counterexample to REGRESSION_EXAMPLES) so the case is replayed on every run.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as fc from "fast-check";
import { stringify } from "yaml";
import { helmValues } from "../../components/helmValues";
import { formatProblem } from "../../components/problems";
import { validateStackConfig } from "../../components/stackConfig";
import { validateStoreList } from "../../components/storeList";
import { CHART_DIR, helm, valuesFile } from "../helpers/helm";
import { STACK_LIMITS, stackOverrides, StackOverrides, stackRaw, storeEntry } from "../helpers/storeArbitraries";

const RUNS = Number(process.env.WOOSTORE_PROPERTY_RUNS ?? "60");

/** Seeds of runs that once failed, replayed first (seed and path as fast-check printed them). */
const REGRESSION_SEEDS: { stack: "dev" | "prod"; seed: number; path: string; why: string }[] = [];

const baseOverrides: StackOverrides = {
    storageClass: "local-path",
    clusterIssuer: "letsencrypt-prod",
    images: { wordpress: "wordpress:6.8.3-php8.3-apache", mariadb: "mariadb:11.8.3" },
    persistence: { wordpress: "1Gi", mariadb: "1Gi" },
};
const admin = { email: "owner@example.com" };

/** The examples of values validate accepted and helm refused, kept as fixed cases. */
const REGRESSION_EXAMPLES: [StackOverrides, Record<string, unknown>][] = [
    [baseOverrides, { name: "gib-fraction", admin, container: { limits: { memory: "0.5Gi" } } }],
    [baseOverrides, { name: "plain-bytes", admin, container: { limits: { memory: "536870912" } } }],
    [baseOverrides, { name: "micro-cpu", admin, container: { limits: { cpu: "100000u" }, requests: { cpu: "100000u" } } }],
    [baseOverrides, { name: "one-and-a-half", admin, container: { limits: { memory: "1Gi", cpu: "1" } }, quota: { memory: "3.5Gi", cpu: "4" } }],
    [{ ...baseOverrides, persistence: { wordpress: "1G", mariadb: "600M" } }, { name: "decimal-volumes", admin }],
    [{ ...baseOverrides, images: { wordpress: "registry.local:5000/library/wordpress:6.8.3-php8.3-apache", mariadb: `mariadb:11.8.3@sha256:${"ab".repeat(32)}` } }, { name: "registry-port", admin }],
    [{ ...baseOverrides, storageClass: "fast.ssd-1" }, { name: `${"a".repeat(39)}z`, admin, host: `${"h".repeat(63)}.example.com` }],
];

interface Outcome { accepted: boolean }

async function promiseHolds(stack: "dev" | "prod", overrides: StackOverrides, entry: Record<string, unknown>): Promise<Outcome> {
    const { config, problems: configProblems } = validateStackConfig(stackRaw(stack, overrides), `Pulumi.${stack}.yaml`, undefined, stack);
    if (!config || configProblems.length) {
        return { accepted: false };
    }
    const { stores, problems } = validateStoreList(stringify({ stores: [entry] }), "stores.yaml", config, { stack });
    if (problems.length) {
        return { accepted: false };
    }
    const [store] = stores;
    const values = helmValues(store, config);
    const result = await helm(["template", store.name, CHART_DIR, "--namespace", `store-${store.name}`, "-f", valuesFile(`promise-${stack}`, values)]);
    assert.equal(result.code, 0, `validate accepted it, helm refused it:\n${result.stderr}\nentry: ${JSON.stringify(entry)}\nstack overrides: ${JSON.stringify(overrides)}\nvalues: ${JSON.stringify(values)}`);
    return { accepted: true };
}

describe("the validation promise: what validate accepts, helm template accepts (real helm, chart schema)", () => {
    for (const stack of ["dev", "prod"] as const) {
        it(`${stack}: the issue's regression examples are accepted by validate and render`, async () => {
            for (const [overrides, entry] of REGRESSION_EXAMPLES) {
                const outcome = await promiseHolds(stack, overrides, entry);
                assert.ok(outcome.accepted, `validate refused ${JSON.stringify(entry)} — ${(() => {
                    const { config } = validateStackConfig(stackRaw(stack, overrides), `Pulumi.${stack}.yaml`);
                    return config ? validateStoreList(stringify({ stores: [entry] }), "stores.yaml", config).problems.map(formatProblem).join("; ") : "stack config refused";
                })()}`);
            }
        });

        for (const regression of REGRESSION_SEEDS.filter((candidate) => candidate.stack === stack)) {
            it(`${stack}: replays seed ${regression.seed} (${regression.why})`, async () => {
                await fc.assert(fc.asyncProperty(stackOverrides, storeEntry(STACK_LIMITS[stack]), async (overrides, entry) => {
                    await promiseHolds(stack, overrides, entry);
                }), { seed: regression.seed, path: regression.path, endOnFailure: true });
            });
        }

        it(`${stack}: ${RUNS} generated entries near the edges; every accepted one renders`, { timeout: 600_000 }, async () => {
            let accepted = 0;
            await fc.assert(fc.asyncProperty(stackOverrides, storeEntry(STACK_LIMITS[stack]), async (overrides, entry) => {
                if ((await promiseHolds(stack, overrides, entry)).accepted) accepted++;
            }), { numRuns: RUNS });
            // Most generated entries are meant to be valid: a property that accepts nothing proves nothing.
            assert.ok(accepted >= RUNS / 3, `only ${accepted} of ${RUNS} generated entries were accepted by validate`);
        });
    }
});
