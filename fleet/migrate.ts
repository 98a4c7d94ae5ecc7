/**
 * `npm run migrate -- --stack dev --to perStore|single`: moves every store's resources between
 * the single stack and the per-store stacks with `pulumi state move` (state only: nothing is
 * recreated, UIDs stay), switches `woostore:stackLayout` in the base stack's config, then
 * checks each destination with a preview that must find no changes, and records the
 * fingerprints so the next `npm run up` leaves the stores alone.
 */
import { PulumiCommand, Stack } from "@pulumi/pulumi/automation";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { ProgramInputs } from "../components/program";
import { StackLayout, storeStackName } from "../components/stackLayout";
import { ConfigEntry, fingerprint } from "./fingerprint";
import { encodeRecord, RECORD_TAG } from "./plan";
import { openFleet } from "./run";
import { chartDigest, programVersion, setupChecksum, stackConfigFile } from "./workspace";

const exec = promisify(execFile);

export const STORE_COMPONENT_TYPE = "woostore:index:WooStore";

export interface MigrateOptions {
    projectDir: string;
    woostoreHome: string;
    baseStack: string;
    to: StackLayout;
    envVars: Record<string, string>;
    pulumiCommand?: PulumiCommand;
    log: (line: string) => void;
}

export interface MigratedStore { store: string; from: string; to: string; resources: number }

/** The URNs of the WooStore components in a deployment (each is moved with its children). */
export function storeComponents(resources: readonly { urn: string; type: string }[]): { store: string; urn: string }[] {
    return resources.filter((r) => r.type === STORE_COMPONENT_TYPE).map((r) => ({ store: r.urn.slice(r.urn.lastIndexOf("::") + 2), urn: r.urn }));
}

/** How many resources a component URN carries (itself and its descendants). */
export function countWithChildren(resources: readonly { urn: string; parent?: string }[], root: string): number {
    const children = new Map<string, string[]>();
    for (const r of resources) if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
    let count = 0;
    const walk = (urn: string) => { count++; (children.get(urn) ?? []).forEach(walk); };
    walk(root);
    return count;
}

export async function migrate(inputs: ProgramInputs, options: MigrateOptions): Promise<MigratedStore[]> {
    const { dir, base, fleet } = await openFleet(options);
    const cli = options.pulumiCommand?.command ?? "pulumi";
    // `state move` runs in the fleet directory, where the per-store stacks' config files (and
    // their encryption salts) are; the base stack's file is copied in for the duration.
    const baseFileCopy = stackConfigFile(dir, options.baseStack);
    fs.copyFileSync(path.join(options.projectDir, `Pulumi.${options.baseStack}.yaml`), baseFileCopy);
    const stateMove = async (source: string, dest: string, urns: string[]) => {
        await exec(cli, ["state", "move", "--source", source, "--dest", dest, "--yes", "--non-interactive", "--color", "never", ...urns],
            { cwd: dir, env: { ...process.env, ...options.envVars }, maxBuffer: 64 << 20 });
    };
    const moved: MigratedStore[] = [];
    try {
        await base.setConfig("woostore:stackLayout", { value: options.to });
        // Read again: the layout just changed.
        const baseConfig = Object.fromEntries(Object.entries(await base.getAllConfig()).filter(([key]) => key.startsWith("woostore:"))) as Record<string, ConfigEntry>;
        // The copy in the fleet directory must carry the switched layout too.
        fs.copyFileSync(path.join(options.projectDir, `Pulumi.${options.baseStack}.yaml`), baseFileCopy);
        const parts = { stackConfig: baseConfig, chartDigest: chartDigest(options.projectDir), setupChecksum: setupChecksum(options.projectDir), programVersion: programVersion(options.projectDir) };

        if (options.to === "perStore") {
            const resources = (await base.exportStack()).deployment?.resources ?? [];
            for (const { store, urn } of storeComponents(resources)) {
                const dest = storeStackName(options.baseStack, store);
                options.log(`moving store ${store}: ${options.baseStack} → ${dest}`);
                const stack = await Stack.createOrSelect(dest, fleet);
                await stack.setAllConfig(baseConfig);
                await stateMove(options.baseStack, dest, [urn]);
                moved.push({ store, from: options.baseStack, to: dest, resources: countWithChildren(resources, urn) });
            }
            for (const entry of moved) {
                options.log(`checking ${entry.to}: preview must find no changes`);
                await (await Stack.select(entry.to, fleet)).preview({ expectNoChanges: true, color: "never" });
                const store = inputs.stores.find((s) => s.name === entry.store);
                if (store) {
                    await fleet.setTag(entry.to, RECORD_TAG, encodeRecord({ fingerprint: fingerprint({ ...parts, store }), result: "succeeded", source: "stores.yaml", protect: store.protect }));
                }
            }
        } else {
            const stacks = (await fleet.listStacks()).filter((s) => s.name.startsWith(`${options.baseStack}.`));
            for (const summary of stacks) {
                const resources = (await fleet.exportStack(summary.name)).deployment?.resources ?? [];
                for (const { store, urn } of storeComponents(resources)) {
                    options.log(`moving store ${store}: ${summary.name} → ${options.baseStack}`);
                    await stateMove(summary.name, options.baseStack, [urn]);
                    moved.push({ store, from: summary.name, to: options.baseStack, resources: countWithChildren(resources, urn) });
                }
                // What is left is the stack's copy of the provider: nothing to destroy.
                await fleet.removeStack(summary.name, { force: true });
            }
            options.log(`checking ${options.baseStack}: preview must find no changes`);
            await base.preview({ expectNoChanges: true, color: "never" });
        }
    } finally {
        fs.rmSync(baseFileCopy, { force: true });
    }
    return moved;
}
