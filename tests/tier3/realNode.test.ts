/**
 * Tier 3: real pods. `npm run up` (the real program, Pulumi engine and providers of the
 * testbed) against a testbed cluster with one REAL node on this host (`cluster.sh up
 * --real-node`: containerd, kubelet, kube-proxy, kube-router's NetworkPolicy firewall, CoreDNS,
 * local-path-provisioner) running the chart with the look-alike images of testbed/images,
 * chosen through the stack config's `images` only. Every assertion is on what the running
 * containers do. Needs root and the tier-3 pieces of the testbed cache (testbed/README.md).
 */
import assert from "node:assert/strict";
import { execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { stringify } from "yaml";
import { PROJECT_DIR } from "../../automation/workspace";
import { E2E_STORE_LIST_DIR, loadTestbedEnv } from "../e2e/testbed";

const run = promisify(execFile);
const TESTBED = path.join(PROJECT_DIR, "testbed");
const CLUSTER_ENV = {
    ...process.env,
    CLUSTER_NAME: process.env.WOOSTORE_TIER3_CLUSTER ?? "tier3",
    PORT_BASE: process.env.WOOSTORE_TIER3_PORT_BASE ?? "43000",
};
const STEP = { timeout: 20 * 60 * 1000 };
const step = (name: string, fn: () => Promise<void>) => it(name, STEP, fn);

const STORES = [
    { name: "alpha", title: "Alpha Tier3 Shop" },
    { name: "beta", title: "Beta Tier3 Shop" },
] as const;
const ns = (store: string) => `store-${store}`;
const host = (store: string) => `${store}.localhost`;
const svc = (store: string, component: "wordpress" | "mariadb") => `${store}-${component}.${ns(store)}.svc.cluster.local`;

/** A variable of testbed/lib.sh (image references, versions). */
function testbedVar(name: string): string {
    return execFileSync("bash", ["-c", `source "${TESTBED}/lib.sh"; printf %s "\${${name}}"`], { encoding: "utf8" });
}

function clusterSh(args: string[]): { status: number; output: string } {
    const result = spawnSync("bash", [`${TESTBED}/cluster.sh`, ...args], { env: CLUSTER_ENV, encoding: "utf8", maxBuffer: 16 << 20 });
    return { status: result.status ?? 1, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

/** Runs `npm run up -- ARGS` like a user would, with KUBECONFIG set; streams and returns its output. */
function npmRunUp(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn("npm", ["run", "--silent", "up", "--", ...args], { cwd: PROJECT_DIR, env: { ...process.env, ...env } });
        let output = "";
        const collect = (chunk: Buffer) => {
            output += chunk.toString();
            process.stdout.write(chunk);
        };
        child.stdout.on("data", collect);
        child.stderr.on("data", collect);
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, output }));
    });
}

async function eventually(what: string, seconds: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + seconds * 1000;
    let last: unknown;
    for (;;) {
        try {
            if (await check()) return;
        } catch (error) {
            last = error;
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${seconds}s waiting for ${what}${last ? `: ${String(last)}` : ""}`);
        await new Promise((resolve) => setTimeout(resolve, 2000));
    }
}

interface Pod {
    metadata: { name: string; namespace: string; deletionTimestamp?: string; labels?: Record<string, string> };
    spec: { containers: { name: string; resources?: { requests?: Record<string, string>; limits?: Record<string, string> } }[] };
    status: {
        phase: string;
        podIP?: string;
        conditions?: { type: string; status: string }[];
        containerStatuses?: { name: string; ready: boolean; restartCount: number; state?: { terminated?: { reason?: string; exitCode?: number; message?: string } } }[];
    };
}

describe("tier 3: two stores on a real node (containerd + kubelet), through npm run up", () => {
    let kubeconfig = "";
    let stateDir = "";
    let clusterUp = false;
    let destroyed = false;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "woostore-tier3-"));
    const stackName = `tier3${process.pid}`;
    const configFile = path.join(PROJECT_DIR, `Pulumi.${stackName}.yaml`);
    const storeListFile = path.join(PROJECT_DIR, E2E_STORE_LIST_DIR, `${stackName}.yaml`);
    const snapshotBefore = path.join(work, "host-before");
    let upEnv: Record<string, string> = {};
    let firstUp: { code: number; output: string } = { code: -1, output: "" };

    const kubectl = async (args: string[], input?: string): Promise<string> => {
        const child = run("kubectl", ["--kubeconfig", kubeconfig, ...args], { maxBuffer: 64 << 20 });
        if (input !== undefined) child.child.stdin?.end(input);
        return (await child).stdout;
    };
    const pods = async (namespace: string, selector: string): Promise<Pod[]> =>
        (JSON.parse(await kubectl(["-n", namespace, "get", "pods", "-l", selector, "-o", "json"])) as { items: Pod[] }).items.filter((pod) => !pod.metadata.deletionTimestamp);
    const readyPod = async (namespace: string, selector: string): Promise<Pod> => {
        let found: Pod | undefined;
        await eventually(`a Ready pod ${selector} in ${namespace}`, 300, async () => {
            found = (await pods(namespace, selector)).find((pod) => pod.status.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
            return found !== undefined;
        });
        return found!;
    };
    const exec = async (pod: Pod, command: string[]): Promise<string> => kubectl(["-n", pod.metadata.namespace, "exec", pod.metadata.name, "--", ...command]);
    /** "open" when a TCP connection from inside POD to HOST:PORT succeeds, else why not. */
    const tcpFrom = async (pod: Pod, target: string, port: number): Promise<string> =>
        (await exec(pod, ["bash", "-c", 'timeout 5 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null; rc=$?; if [ $rc = 0 ]; then echo open; elif [ $rc = 124 ]; then echo timeout; else echo refused; fi', "_", target, String(port)])).trim();
    const http = async (client: Pod, store: string, urlPath: string, extra: string[] = []): Promise<{ status: string; body: string }> => {
        const out = await exec(client, ["curl", "-sS", "--max-time", "60", "-H", `Host: ${host(store)}`, "-o", "/tmp/body", "-w", "%{http_code}", ...extra, `http://${svc(store, "wordpress")}${urlPath}`]);
        return { status: out.trim(), body: await exec(client, ["cat", "/tmp/body"]) };
    };
    const wordpressPod = (store: string) => readyPod(ns(store), `app.kubernetes.io/name=wordpress,app.kubernetes.io/instance=${store}`);
    const mariadbPod = (store: string) => readyPod(ns(store), `app.kubernetes.io/name=mariadb,app.kubernetes.io/instance=${store}`);

    // Client pods outside the stores: one with the label the stores' policies admit Traefik by
    // (there is no Traefik here), one without it.
    const clientPod = (name: string, namespace: string, labels: Record<string, string>) => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace, labels },
        spec: {
            terminationGracePeriodSeconds: 0,
            containers: [{ name: "client", image: testbedVar("LOOKALIKE_WPCLI_IMAGE"), imagePullPolicy: "Never", command: ["sleep", "infinity"], resources: { requests: { cpu: "10m", memory: "16Mi" } } }],
        },
    });

    before(async () => {
        loadTestbedEnv();
        // The host as it is before the node exists: compared with the host after `down`.
        const snap = clusterSh(["host-snapshot", snapshotBefore]);
        assert.equal(snap.status, 0, snap.output);
        const upResult = clusterSh(["up", "--real-node"]);
        process.stdout.write(upResult.output);
        assert.equal(upResult.status, 0, `cluster.sh up --real-node failed:\n${upResult.output}`);
        clusterUp = true;
        kubeconfig = clusterSh(["kubeconfig"]).output.trim();
        stateDir = path.dirname(kubeconfig);
        // The store list must be inside the project (validation refuses one outside it); gitignored.
        fs.mkdirSync(path.dirname(storeListFile), { recursive: true });
        fs.writeFileSync(storeListFile, stringify({
            stores: STORES.map((store) => ({ name: store.name, title: store.title, admin: { email: `owner@${store.name}.example.com` } })),
        }));
        // The look-alike images come in through the stack config only; the setup Job is bounded
        // so its (expected) failure is reported within minutes.
        fs.writeFileSync(configFile, stringify({
            config: {
                "woostore:domain": "localhost",
                "woostore:storeList": path.relative(PROJECT_DIR, storeListFile),
                "woostore:storageClass": "local-path",
                "woostore:podSecurity": "restricted",
                "woostore:images": {
                    wordpress: testbedVar("LOOKALIKE_WORDPRESS_IMAGE"),
                    mariadb: testbedVar("LOOKALIKE_MARIADB_IMAGE"),
                    wpCli: testbedVar("LOOKALIKE_WPCLI_IMAGE"),
                },
                "woostore:setup": { timeoutSeconds: 60, backoffLimit: 0 },
            },
        }));
        upEnv = {
            KUBECONFIG: kubeconfig,
            PULUMI_BACKEND_URL: `file://${work}`,
            PULUMI_CONFIG_PASSPHRASE: "tier3-passphrase",
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        };
        await kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: [
            clientPod("tier3-traefik-client", "kube-system", { "app.kubernetes.io/name": "traefik" }),
            clientPod("tier3-other-client", "default", { app: "tier3-other-client" }),
        ] }));
    }, STEP);

    after(async () => {
        try {
            if (clusterUp && !destroyed) {
                await npmRunUp(["--stack", stackName, "--destroy"], upEnv).catch(() => undefined);
            }
        } finally {
            fs.rmSync(configFile, { force: true });
            fs.rmSync(storeListFile, { force: true });
            if (clusterUp) clusterSh(["down"]);
            fs.rmSync(work, { recursive: true, force: true });
        }
    });

    step("npm run up deploys both stores and reports each setup Job's failure at its named step", async () => {
        // --continue-on-error: the second store's Job runs even after the first one failed.
        firstUp = await npmRunUp(["--stack", stackName, "--continue-on-error"], upEnv);
        // WP-CLI (a GitHub download) is not in the look-alike wordpress-cli image, so the real
        // setup script fails at the step that first runs `wp` — read from the real pod.
        assert.equal(firstUp.code, 1, "npm run up exits non-zero when a store failed");
        for (const store of STORES) {
            const line = firstUp.output.split("\n").find((text) => text.trimStart().startsWith(store.name) && text.includes("http://"));
            assert.ok(line, `npm run up prints a status line for ${store.name}`);
            assert.match(line, /Failed: .*setup failed at step wait-for-database \(3\/10\): database not reachable/);
            assert.match(line, /wp: command not found/);
            const jobPods = await pods(ns(store.name), "app.kubernetes.io/component=setup");
            const terminated = jobPods.flatMap((pod) => pod.status.containerStatuses ?? []).map((status) => status.state?.terminated).find(Boolean);
            assert.ok(terminated, "the setup pod really ran and terminated");
            assert.notEqual(terminated.exitCode, 0);
            assert.match(terminated.message ?? "", /setup failed at step wait-for-database/);
        }
    });

    step("WordPress and MariaDB pods are Running and Ready under Pod Security restricted, as the chart's users", async () => {
        for (const store of STORES) {
            const namespace = JSON.parse(await kubectl(["get", "namespace", ns(store.name), "-o", "json"])) as { metadata: { labels: Record<string, string> } };
            assert.equal(namespace.metadata.labels["pod-security.kubernetes.io/enforce"], "restricted");
            const wordpress = await wordpressPod(store.name);
            const mariadb = await mariadbPod(store.name);
            assert.equal(wordpress.status.phase, "Running");
            assert.equal(mariadb.status.phase, "Running");
            assert.equal((await exec(wordpress, ["id", "-u"])).trim(), "33");
            assert.equal((await exec(mariadb, ["id", "-u"])).trim(), "999");
            // The chart's probes pass: MariaDB's healthcheck.sh and Apache serving the docroot.
            assert.equal((await exec(mariadb, ["healthcheck.sh", "--connect", "--innodb_initialized"])).trim(), "");
            // The chart's resources are the container's real cgroup limits.
            assert.equal((await exec(wordpress, ["cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"])).trim(), String(512 * 1024 * 1024));
            assert.equal((await exec(mariadb, ["cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes"])).trim(), String(512 * 1024 * 1024));
        }
    });

    step("WordPress is installed through its own installer over HTTP via the Service; the front page shows the title", async () => {
        const client = await readyPod("kube-system", "app.kubernetes.io/name=traefik");
        for (const store of STORES) {
            const form = await http(client, store.name, "/wp-admin/install.php");
            assert.equal(form.status, "200", form.body.slice(0, 500));
            assert.match(form.body, /weblog_title/);
            const install = await http(client, store.name, "/wp-admin/install.php?step=2", [
                "--data-urlencode", `weblog_title=${store.title}`, "--data-urlencode", "user_name=tier3admin",
                "--data-urlencode", "admin_password=Tier3-Install-Pass-0", "--data-urlencode", "admin_password2=Tier3-Install-Pass-0",
                "--data-urlencode", "pw_weak=1", "--data-urlencode", `admin_email=owner@${store.name}.example.com`,
                "--data-urlencode", "blog_public=0", "--data-urlencode", "Submit=Install WordPress",
            ]);
            assert.equal(install.status, "200", install.body.slice(0, 500));
            assert.match(install.body, /Success!/);
            const front = await http(client, store.name, "/");
            assert.equal(front.status, "200");
            assert.match(front.body, new RegExp(`<title>${store.title}`));
        }
    });

    step("isolation: a store's WordPress reaches its own MariaDB, never the other store's pods; DNS works", async () => {
        for (const [own, other] of [["alpha", "beta"], ["beta", "alpha"]] as const) {
            const wordpress = await wordpressPod(own);
            const otherMariadb = await mariadbPod(other);
            assert.equal(await tcpFrom(wordpress, `${own}-mariadb`, 3306), "open", `${own} WordPress -> own MariaDB`);
            // Cluster DNS answers for the other store's names (resolution is not the barrier)...
            assert.match(await exec(wordpress, ["getent", "hosts", svc(other, "mariadb")]), /^\d+\.\d+\.\d+\.\d+\s/);
            assert.match(await exec(wordpress, ["getent", "hosts", "kubernetes.default.svc.cluster.local"]), /^10\.96\.0\.1\s/);
            // ...but the policies are: by Service and by pod IP, MariaDB and WordPress.
            assert.notEqual(await tcpFrom(wordpress, svc(other, "mariadb"), 3306), "open", `${own} WordPress -> ${other} MariaDB Service`);
            assert.notEqual(await tcpFrom(wordpress, otherMariadb.status.podIP!, 3306), "open", `${own} WordPress -> ${other} MariaDB pod IP`);
            assert.notEqual(await tcpFrom(wordpress, svc(other, "wordpress"), 80), "open", `${own} WordPress -> ${other} WordPress`);
            // Egress: WordPress may talk to MariaDB and DNS only, not e.g. the API server.
            assert.notEqual(await tcpFrom(wordpress, "kubernetes.default.svc.cluster.local", 443), "open", `${own} WordPress -> API server`);
        }
        // Ingress to WordPress is Traefik's (by label) and the setup Job's only.
        const traefikClient = await readyPod("kube-system", "app.kubernetes.io/name=traefik");
        const otherClient = await readyPod("default", "app=tier3-other-client");
        assert.equal(await tcpFrom(traefikClient, svc("alpha", "wordpress"), 80), "open");
        assert.notEqual(await tcpFrom(otherClient, svc("alpha", "wordpress"), 80), "open");
        assert.notEqual(await tcpFrom(otherClient, svc("alpha", "mariadb"), 3306), "open");
    });

    step("persistence: a database row and an upload survive deleting the MariaDB and WordPress pods", async () => {
        const store = "alpha";
        const sql = (statement: string) => ["bash", "-c", 'MYSQL_PWD="$MARIADB_ROOT_PASSWORD" mariadb -uroot --batch --skip-column-names wordpress -e "$1"', "_", statement];
        let mariadb = await mariadbPod(store);
        let wordpress = await wordpressPod(store);
        await exec(mariadb, sql("CREATE TABLE tier3_probe (v VARCHAR(64)); INSERT INTO tier3_probe VALUES ('kept across restarts');"));
        await exec(wordpress, ["bash", "-c", "mkdir -p wp-content/uploads && echo 'uploaded before restart' > wp-content/uploads/tier3-probe.txt"]);
        const oldNames = [mariadb.metadata.name, wordpress.metadata.name];
        const oldUids = await Promise.all([mariadb, wordpress].map(async (pod) => (await kubectl(["-n", ns(store), "get", "pod", pod.metadata.name, "-o", "jsonpath={.metadata.uid}"])).trim()));
        await kubectl(["-n", ns(store), "delete", "pod", ...oldNames, "--wait=true"]);
        await eventually("new MariaDB and WordPress pods", 300, async () => {
            mariadb = await mariadbPod(store);
            wordpress = await wordpressPod(store);
            const uids = await Promise.all([mariadb, wordpress].map(async (pod) => (await kubectl(["-n", ns(store), "get", "pod", pod.metadata.name, "-o", "jsonpath={.metadata.uid}"])).trim()));
            return uids.every((uid) => !oldUids.includes(uid));
        });
        assert.equal((await exec(mariadb, sql("SELECT v FROM tier3_probe;"))).trim(), "kept across restarts");
        assert.equal((await exec(wordpress, ["cat", "wp-content/uploads/tier3-probe.txt"])).trim(), "uploaded before restart");
        const client = await readyPod("kube-system", "app.kubernetes.io/name=traefik");
        const upload = await http(client, store, "/wp-content/uploads/tier3-probe.txt");
        assert.equal(upload.body.trim(), "uploaded before restart");
        const front = await http(client, store, "/");
        assert.match(front.body, /<title>Alpha Tier3 Shop/, "WordPress is still installed");
    });

    step("limits are real: LimitRange defaults land on a running container, and exceeding memory is OOMKilled", async () => {
        const namespace = ns("beta");
        // A container with no resources of its own, restricted-compliant, in a store namespace.
        const probe = {
            apiVersion: "v1",
            kind: "Pod",
            metadata: { name: "tier3-limits-probe", namespace, labels: { app: "tier3-limits-probe" } },
            spec: {
                restartPolicy: "Never",
                securityContext: { runAsNonRoot: true, runAsUser: 33, runAsGroup: 33, seccompProfile: { type: "RuntimeDefault" } },
                containers: [{
                    name: "probe",
                    image: testbedVar("LOOKALIKE_WPCLI_IMAGE"),
                    imagePullPolicy: "Never",
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                    command: ["bash", "-c", 'echo "memory.limit_in_bytes=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes) cpu.cfs_quota_us=$(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)"; sleep 3; exec php -d memory_limit=-1 -r \'$a = []; for ($i = 0; ; $i++) { $a[] = str_repeat(chr(65 + $i % 26), 16 << 20); }\''],
                }],
            },
        };
        await kubectl(["apply", "-f", "-"], JSON.stringify(probe));
        let pod: Pod | undefined;
        await eventually("the probe container to terminate", 180, async () => {
            pod = (await pods(namespace, "app=tier3-limits-probe"))[0];
            return Boolean(pod?.status.containerStatuses?.[0]?.state?.terminated);
        });
        const resources = pod!.spec.containers[0].resources;
        // cpu and memory from the store's container defaults; ephemeral-storage from the LimitRange's node-disk budget.
        assert.deepEqual(resources?.limits, { cpu: "500m", memory: "512Mi", "ephemeral-storage": "256Mi" }, "LimitRange default limits");
        assert.deepEqual(resources?.requests, { cpu: "250m", memory: "256Mi", "ephemeral-storage": "64Mi" }, "LimitRange default requests");
        const logs = await kubectl(["-n", namespace, "logs", "tier3-limits-probe"]);
        assert.match(logs, new RegExp(`memory.limit_in_bytes=${512 * 1024 * 1024} cpu.cfs_quota_us=50000`), "the defaults are the running container's cgroup limits");
        const terminated = pod!.status.containerStatuses![0].state!.terminated!;
        assert.equal(terminated.reason, "OOMKilled");
        assert.equal(terminated.exitCode, 137);
        await kubectl(["-n", namespace, "delete", "pod", "tier3-limits-probe", "--wait=true"]);
    });

    step("npm run up --destroy leaves no store namespace, PV, volume directory or container behind", async () => {
        const result = await npmRunUp(["--stack", stackName, "--destroy"], upEnv);
        assert.equal(result.code, 0, "destroy succeeds");
        destroyed = true;
        const storeNamespaces = async () => (JSON.parse(await kubectl(["get", "namespaces", "-l", "woostore.io/store", "-o", "json"])) as { items: unknown[] }).items.length;
        await eventually("store namespaces to be gone", 180, async () => (await storeNamespaces()) === 0);
        await eventually("store PVs to be gone", 180, async () => (JSON.parse(await kubectl(["get", "pv", "-o", "json"])) as { items: unknown[] }).items.length === 0);
        await eventually("volume directories to be removed", 120, async () => fs.readdirSync(path.join(stateDir, "local-path")).length === 0);
        const ctr = ["--address", path.join(stateDir, "containerd", "containerd.sock"), "--namespace", "k8s.io"];
        await eventually("store containers to be gone", 120, async () => {
            const lists = await Promise.all(STORES.map(async (store) =>
                (await run("ctr", [...ctr, "containers", "ls", "-q", `labels."io.kubernetes.pod.namespace"==${ns(store.name)}`])).stdout.trim()));
            return lists.every((list) => list === "");
        });
    });

    step("cluster.sh down stops the node and leaves the host as it was (links, rules, mounts, sysctls, cgroups)", async () => {
        const down = clusterSh(["down"]);
        process.stdout.write(down.output);
        clusterUp = false;
        assert.equal(down.status, 0, down.output);
        const after = path.join(work, "host-after");
        const snap = clusterSh(["host-snapshot", after]);
        assert.equal(snap.status, 0, snap.output);
        for (const file of fs.readdirSync(snapshotBefore)) {
            assert.equal(fs.readFileSync(path.join(after, file), "utf8"), fs.readFileSync(path.join(snapshotBefore, file), "utf8"), `host state "${file}" after down`);
        }
    });
});
