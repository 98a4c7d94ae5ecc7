/**
 * One measurement for `npm run bench:program`: evaluates the real program (validation of an
 * N-store list + N WooStore components) under Pulumi mocks and prints JSON with the wall
 * time and this process's peak RSS. Run as its own process so each N starts cold.
 */
import * as pulumi from "@pulumi/pulumi";
import { performance } from "perf_hooks";

async function main(storeCount: number) {
    let resources = 0;
    pulumi.runtime.setMocks({
        newResource(args) {
            resources++;
            const state: Record<string, unknown> = { ...args.inputs };
            if (args.type === "random:index/randomPassword:RandomPassword") state.result = "x".repeat(32);
            if (args.type === "random:index/randomBytes:RandomBytes") state.base64 = "y".repeat(512);
            if (args.type === "kubernetes:batch/v1:Job") state.status = { succeeded: 1, conditions: [{ type: "Complete", status: "True" }] };
            return { id: `${args.name}-id`, state };
        },
        call: (args) => args.inputs,
    }, "woostore", "dev", false);
    // Imported after setMocks so every resource registers against the mocks.
    const { createStores } = await import("../components/program");
    const { loadStackConfig } = await import("../components/stackConfig");
    const { validateStoreList } = await import("../components/storeList");

    const started = performance.now();
    const config = loadStackConfig({ domain: "localhost" }, "bench");
    const yaml = ["stores:", ...Array.from({ length: storeCount }, (_, index) => `  - name: store-${index}\n    admin: {email: owner${index}@example.com}`)].join("\n");
    const { stores, problems } = validateStoreList(yaml, "bench.yaml", config);
    if (problems.length) throw new Error(problems[0].message);
    const validatedMs = performance.now() - started;
    const outputs = createStores({ config, stores });
    await Promise.all(Object.values(outputs).map((store) => new Promise((resolve) => store.status.apply(resolve))));
    const totalMs = performance.now() - started;
    console.log(JSON.stringify({ stores: storeCount, resources, validatedMs, totalMs, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

main(Number(process.argv[2] ?? "10")).catch((error) => { console.error(error); process.exit(1); });
