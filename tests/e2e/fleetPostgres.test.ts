/**
 * Tier 2: the fleet on a team backend — Pulumi's PostgreSQL DIY backend (`postgres://`, in the
 * CLI since 3.176) on a real PostgreSQL server started here (Debian's package). Per-store stacks,
 * their tags (the fleet's records) and locks all live in the database.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { after, before, describe, it } from "node:test";
import type { FleetSummary } from "../../fleet/run";
import { startPostgres, TestPostgres } from "../helpers/postgres";
import { Fleet } from "./fleetHarness";
import { Cluster, eventually, kubectlJson, loadTestbedEnv, startCluster } from "./testbed";

const STEP = { timeout: 15 * 60 * 1000 };
const step = (name: string, fn: () => Promise<void>) => it(name, STEP, fn);
const actions = (summary: FleetSummary) => summary.stores.map((s) => [s.name, s.action]);

describe("fleet on the PostgreSQL backend (real PostgreSQL, real Pulumi CLI, testbed cluster)", () => {
    let cluster: Cluster;
    let postgres: TestPostgres;
    let fleet: Fleet;
    const storeNamespaces = async () => (await kubectlJson<{ items: { metadata: { name: string } }[] }>(cluster, ["get", "namespaces", "-l", "woostore.io/store"])).items.map((item) => item.metadata.name).sort();

    before(() => {
        loadTestbedEnv();
        postgres = startPostgres(46432, ["pulumi"]);
        cluster = startCluster("fleetpg", 46500);
        fleet = new Fleet(`e2epg${process.pid}`, cluster, postgres.url("pulumi"));
    }, STEP);

    after(async () => {
        try {
            await fleet?.run(["--destroy"]).catch(() => undefined);
        } finally {
            fleet?.dispose();
            cluster?.down();
            postgres?.stop();
        }
    });

    step("creates two stores, each in its own stack stored in PostgreSQL", async () => {
        fleet.writeStores([{ name: "pg-one" }, { name: "pg-two" }]);
        const { result, summary } = await fleet.upJson();
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(actions(summary), [["pg-one", "created"], ["pg-two", "created"]]);
        assert.ok(summary.stores.every((s) => s.status === "Ready"));
        const rows = execFileSync("psql", [postgres.url("pulumi"), "-Atc", "select count(*) from pulumi_state where key like '%stacks%'"], { encoding: "utf8" }).trim();
        assert.ok(Number(rows) >= 2, `state rows in PostgreSQL: ${rows}`);
        assert.deepEqual(fleet.stacks(), [`${fleet.stack}.pg-one`, `${fleet.stack}.pg-two`]);
    });

    step("a rerun touches nothing, one change updates one store, a removal destroys one", async () => {
        assert.deepEqual(actions((await fleet.upJson()).summary), [["pg-one", "unchanged"], ["pg-two", "unchanged"]]);
        fleet.writeStores([{ name: "pg-one", quota: { cpu: "3" } }, { name: "pg-two" }]);
        assert.deepEqual(actions((await fleet.upJson()).summary), [["pg-one", "updated"], ["pg-two", "unchanged"]]);
        fleet.writeStores([{ name: "pg-one", quota: { cpu: "3" } }]);
        const { result, summary } = await fleet.upJson();
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(actions(summary), [["pg-one", "unchanged"], ["pg-two", "deleted"]]);
        await eventually("namespace store-pg-two to be gone", 180, async () => !(await storeNamespaces()).includes("store-pg-two"));
    });

    step("destroy leaves no store and no stack", async () => {
        const result = await fleet.run(["--destroy"]);
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(fleet.stacks(), []);
    });
});
