/**
 * charts/woostore with the real helm binary: lint, render with the default, dev and prod-like
 * values, and check what a store gets: names, labels, probes, resources, Pod Security
 * "restricted" on every pod, Ingress, credentials only by Secret reference, and that everything a
 * store runs at once (chart pods, the setup Job, a cert-manager solver) fits the namespace quota.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { parse } from "yaml";
import {
    CHART_DIR, REPO_ROOT, getObject, helm, K8sObject, milliCpu, podTemplates, quantity, renderChart, Rendered,
} from "../helpers/helm";

const DEV_VALUES = join(CHART_DIR, "ci", "dev-values.yaml");
const PROD_VALUES = join(CHART_DIR, "ci", "prod-values.yaml");
const dev = parse(readFileSync(DEV_VALUES, "utf8"));
const prod = parse(readFileSync(PROD_VALUES, "utf8"));

/** Credentials: env var → key of the existing Secret (docs/architecture.md). */
const WORDPRESS_SECRET_ENV: Record<string, string> = {
    WORDPRESS_DB_PASSWORD: "mariadb-password",
    WORDPRESS_AUTH_KEY: "auth-key",
    WORDPRESS_SECURE_AUTH_KEY: "secure-auth-key",
    WORDPRESS_LOGGED_IN_KEY: "logged-in-key",
    WORDPRESS_NONCE_KEY: "nonce-key",
    WORDPRESS_AUTH_SALT: "auth-salt",
    WORDPRESS_SECURE_AUTH_SALT: "secure-auth-salt",
    WORDPRESS_LOGGED_IN_SALT: "logged-in-salt",
    WORDPRESS_NONCE_SALT: "nonce-salt",
};
const MARIADB_SECRET_ENV: Record<string, string> = {
    MARIADB_ROOT_PASSWORD: "mariadb-root-password",
    MARIADB_PASSWORD: "mariadb-password",
};
const SENSITIVE_ENV = /PASSWORD|KEY|SALT|SECRET|TOKEN/;

// ---------------------------------------------------------------------------------------------
// Quota numbers: from components/defaults.ts, the program's single source, when it is there.

interface QuotaDefaults {
    quota: { cpu: string; memory: string; storage: string; pods?: number; persistentVolumeClaims?: number };
    /** Per-container LimitRange defaults; the setup Job's container gets these. */
    container: { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };
    /** LimitRange `max` of one container, when there is one. */
    containerMax?: { cpu: string; memory: string };
    source: string;
}

/** Used only while components/defaults.ts does not exist (docs/architecture.md numbers). */
const FALLBACK_DEFAULTS: QuotaDefaults = {
    quota: { cpu: "2", memory: "2Gi", storage: "2Gi" },
    container: { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    source: "tests/unit/chart.test.ts fallback",
};

async function loadQuotaDefaults(): Promise<QuotaDefaults> {
    const file = join(REPO_ROOT, "components", "defaults.ts");
    if (!existsSync(file)) return FALLBACK_DEFAULTS;
    const mod = (await import(file)) as Record<string, unknown>;
    const quota = mod.DEFAULT_QUOTA as QuotaDefaults["quota"] | undefined;
    const container = (mod.DEFAULT_CONTAINER_RESOURCES ?? mod.DEFAULT_LIMITS) as QuotaDefaults["container"] | undefined;
    assert.ok(quota?.cpu && quota.memory && quota.storage, "components/defaults.ts: DEFAULT_QUOTA = { cpu, memory, storage }");
    assert.ok(container?.requests?.cpu && container.limits?.cpu, "components/defaults.ts: DEFAULT_CONTAINER_RESOURCES");
    return {
        quota,
        container,
        containerMax: mod.DEFAULT_CONTAINER_MAX as QuotaDefaults["containerMax"],
        source: "components/defaults.ts",
    };
}

/** cert-manager's HTTP-01 solver pod defaults (controller flags --acme-http01-solver-resource-*). */
const ACME_SOLVER = { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "100m", memory: "64Mi" } };

// ---------------------------------------------------------------------------------------------
// Pod Security Standards "restricted" (kubernetes.io/docs/concepts/security/pod-security-standards)

const SAFE_SYSCTLS = new Set([
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
]);
const RESTRICTED_VOLUME_TYPES = new Set([
    "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
]);

/** Asserts a pod template meets "restricted" on its own (no reliance on image USER). */
function assertRestricted(where: string, pod: K8sObject): void {
    const spec = pod.spec;
    const psc = spec.securityContext ?? {};
    for (const field of ["hostNetwork", "hostPID", "hostIPC", "hostUsers"]) {
        if (field === "hostUsers") continue; // hostUsers: false is allowed; true is the default
        assert.notEqual(spec[field], true, `${where}: ${field}`);
    }
    for (const volume of spec.volumes ?? []) {
        const type = Object.keys(volume).find((k) => k !== "name");
        assert.ok(type && RESTRICTED_VOLUME_TYPES.has(type), `${where}: volume ${volume.name} of type ${type}`);
    }
    for (const sysctl of psc.sysctls ?? []) {
        assert.ok(SAFE_SYSCTLS.has(sysctl.name), `${where}: sysctl ${sysctl.name} is not in the safe set`);
    }
    assert.equal(psc.seccompProfile?.type, "RuntimeDefault", `${where}: pod seccompProfile`);
    assert.equal(psc.runAsNonRoot, true, `${where}: pod runAsNonRoot`);
    assert.ok(Number.isInteger(psc.runAsUser) && psc.runAsUser > 0, `${where}: pod runAsUser must be a non-zero uid`);
    assert.ok(Number.isInteger(psc.runAsGroup) && psc.runAsGroup > 0, `${where}: pod runAsGroup must be non-zero`);
    assert.equal(spec.automountServiceAccountToken, false, `${where}: automountServiceAccountToken`);
    assert.equal(spec.enableServiceLinks, false, `${where}: enableServiceLinks`);
    const containers: K8sObject[] = [...(spec.initContainers ?? []), ...spec.containers];
    assert.ok(containers.length > 0, `${where}: no containers`);
    for (const c of containers) {
        const at = `${where}/${c.name}`;
        const sc = c.securityContext;
        assert.ok(sc, `${at}: container securityContext is missing`);
        assert.equal(sc.allowPrivilegeEscalation, false, `${at}: allowPrivilegeEscalation`);
        assert.notEqual(sc.privileged, true, `${at}: privileged`);
        assert.deepEqual(sc.capabilities?.drop, ["ALL"], `${at}: capabilities.drop`);
        assert.ok((sc.capabilities?.add ?? []).every((cap: string) => cap === "NET_BIND_SERVICE"), `${at}: capabilities.add`);
        assert.notEqual(sc.runAsNonRoot, false, `${at}: runAsNonRoot`);
        assert.notEqual(sc.runAsUser, 0, `${at}: runAsUser 0`);
        const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type;
        assert.ok(seccomp === "RuntimeDefault" || seccomp === "Localhost", `${at}: seccompProfile`);
        for (const port of c.ports ?? []) assert.equal(port.hostPort, undefined, `${at}: hostPort`);
    }
}

/** requests and limits for cpu and memory on every container, requests ≤ limits, within LimitRange max. */
function assertResources(where: string, pod: K8sObject, max?: { cpu: string; memory: string }): void {
    for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
        const at = `${where}/${c.name}`;
        const { requests, limits } = c.resources ?? {};
        for (const r of ["cpu", "memory"]) {
            assert.ok(requests?.[r] !== undefined, `${at}: resources.requests.${r} missing`);
            assert.ok(limits?.[r] !== undefined, `${at}: resources.limits.${r} missing`);
            assert.ok(quantity(requests[r]) <= quantity(limits[r]), `${at}: requests.${r} > limits.${r}`);
            if (max) assert.ok(quantity(limits[r]) <= quantity(max[r as "cpu" | "memory"]), `${at}: limits.${r} above the LimitRange max ${max[r as "cpu" | "memory"]}`);
        }
    }
}

function envOf(container: K8sObject): Map<string, K8sObject> {
    return new Map((container.env ?? []).map((e: K8sObject) => [e.name, e]));
}

// ---------------------------------------------------------------------------------------------

const renders: Record<"defaults" | "dev" | "prod", Rendered | undefined> = { defaults: undefined, dev: undefined, prod: undefined };
let quotaDefaults: QuotaDefaults;

before(async () => {
    // One helm invocation per values set, in parallel; every test below reads these.
    const [d, v, p] = await Promise.all([
        renderChart("demo"),
        renderChart("shop", ["-f", DEV_VALUES]),
        renderChart("shop", ["-f", PROD_VALUES]),
    ]);
    renders.defaults = d;
    renders.dev = v;
    renders.prod = p;
    quotaDefaults = await loadQuotaDefaults();
});

function rendered(name: keyof typeof renders): Rendered {
    const r = renders[name];
    assert.ok(r, `render ${name} did not run`);
    return r;
}

describe("helm lint --strict", () => {
    for (const [name, args] of [
        ["default values", []],
        ["dev values", ["-f", DEV_VALUES]],
        ["prod values", ["-f", PROD_VALUES]],
    ] as const) {
        test(name, async () => {
            const result = await helm(["lint", "--strict", CHART_DIR, ...args]);
            assert.equal(result.code, 0, `helm lint --strict (${name}) failed:\n${result.stdout}\n${result.stderr}`);
            assert.match(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
        });
    }
});

describe("chart metadata", () => {
    test("Chart.yaml: version 0.1.x line, appVersion = WordPress version of the default image", () => {
        const chart = parse(readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8"));
        const values = parse(readFileSync(join(CHART_DIR, "values.yaml"), "utf8"));
        assert.equal(chart.apiVersion, "v2");
        assert.equal(chart.name, "woostore");
        assert.match(chart.version, /^\d+\.\d+\.\d+$/);
        assert.equal(values.wordpress.image.tag.split("-")[0], chart.appVersion);
    });

    test("templates are deterministic and carry no secret material", () => {
        const dir = join(CHART_DIR, "templates");
        for (const file of readdirSync(dir)) {
            const text = readFileSync(join(dir, file), "utf8");
            const call = /\{\{[^}]*\b(rand\w*|uuidv4|lookup|now|date\w*|genCA|genPrivateKey|genSelfSignedCert\w*|genSignedCert\w*|htpasswd|encryptAES|derivePassword)\b/.exec(text);
            assert.equal(call, null, `templates/${file} calls ${call?.[1]} (non-deterministic or secret-generating)`);
            assert.doesNotMatch(text, /^kind:\s*Secret\b/m, `templates/${file} renders a Secret`);
        }
        const values = readFileSync(join(CHART_DIR, "values.yaml"), "utf8");
        // No key that holds a credential (existingSecret only names the Secret).
        assert.doesNotMatch(values, /^\s*[\w-]*(password|salt|token|auth-?key)[\w-]*\s*:\s*\S/im);
    });

    test("README documents every value and states the Pod Security level of each pod", () => {
        const readme = readFileSync(join(CHART_DIR, "README.md"), "utf8");
        const values = parse(readFileSync(join(CHART_DIR, "values.yaml"), "utf8"));
        const leaves: string[] = [];
        const walk = (obj: Record<string, unknown>, prefix: string) => {
            for (const [k, v] of Object.entries(obj)) {
                const path = prefix ? `${prefix}.${k}` : k;
                if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 0 && k !== "resources") walk(v as Record<string, unknown>, path);
                else leaves.push(path);
            }
        };
        walk(values, "");
        for (const leaf of leaves) assert.ok(readme.includes(`\`${leaf}\``), `README.md does not document \`${leaf}\``);
        assert.match(readme, /restricted/);
    });
});

describe("renders with the default values alone", () => {
    test("objects and names follow docs/architecture.md", () => {
        const { objects } = rendered("defaults");
        const names = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
        assert.deepEqual(names, [
            "ConfigMap/demo-wordpress",
            "ConfigMap/demo-wordpress-mu-plugins",
            "CronJob/demo-cron",
            "Deployment/demo-wordpress",
            "Ingress/demo",
            "PersistentVolumeClaim/demo-wordpress",
            "Service/demo-mariadb",
            "Service/demo-mariadb-headless",
            "Service/demo-wordpress",
            "StatefulSet/demo-mariadb",
        ]);
        const sts = getObject(objects, "StatefulSet", "demo-mariadb");
        assert.equal(sts.spec.serviceName, "demo-mariadb-headless");
        assert.deepEqual(sts.spec.volumeClaimTemplates.map((t: K8sObject) => t.metadata.name), ["data"]);
        const wp = getObject(objects, "Deployment", "demo-wordpress");
        assert.equal(envOf(wp.spec.template.spec.containers[0]).get("WORDPRESS_CONFIG_EXTRA")?.value,
            "define('WP_HOME', 'http://demo.localhost');\ndefine('WP_SITEURL', 'http://demo.localhost');\n" +
            "define('WP_MEMORY_LIMIT', '128M');\ndefine('WP_MAX_MEMORY_LIMIT', '128M');\ndefine('DISABLE_WP_CRON', true);");
        assert.equal(wp.spec.template.spec.containers[0].env.find((e: K8sObject) => e.name === "WORDPRESS_DB_PASSWORD").valueFrom.secretKeyRef.name, "woostore-credentials");
    });

    test("rendering is deterministic", async () => {
        const again = await renderChart("demo");
        assert.equal(again.text, rendered("defaults").text);
    });
});

for (const [name, values] of [["dev", dev], ["prod", prod]] as const) {
    describe(`helm template with ${name} values`, () => {
        const release = "shop";
        const objs = () => rendered(name).objects;
        const wordpress = () => getObject(objs(), "Deployment", `${release}-wordpress`);
        const mariadb = () => getObject(objs(), "StatefulSet", `${release}-mariadb`);

        test("labels on every object and pod", () => {
            for (const o of objs()) {
                const at = `${o.kind}/${o.metadata.name}`;
                const labels = o.metadata.labels ?? {};
                assert.ok(["wordpress", "mariadb", "woostore-cron"].includes(labels["app.kubernetes.io/name"]), `${at}: app.kubernetes.io/name`);
                assert.equal(labels["app.kubernetes.io/instance"], release, `${at}: instance`);
                assert.equal(labels["app.kubernetes.io/managed-by"], "Helm", `${at}: managed-by`);
                assert.equal(labels["app.kubernetes.io/part-of"], "woostore", `${at}: part-of`);
                assert.equal(labels["woostore.io/store"], values.store.name, `${at}: woostore.io/store`);
            }
            const wpPod = wordpress().spec.template.metadata.labels;
            assert.equal(wpPod["app.kubernetes.io/name"], "wordpress");
            assert.equal(wpPod["app.kubernetes.io/component"], "web");
            assert.equal(wpPod["woostore.io/store"], values.store.name);
            const dbPod = mariadb().spec.template.metadata.labels;
            assert.equal(dbPod["app.kubernetes.io/name"], "mariadb");
            assert.equal(dbPod["app.kubernetes.io/component"], "database");
            // Pod templates and volumeClaimTemplates carry no version labels: a chart version bump
            // must not restart pods, and volumeClaimTemplates are immutable.
            for (const labels of [wpPod, dbPod, mariadb().spec.volumeClaimTemplates[0].metadata.labels]) {
                assert.equal(labels["helm.sh/chart"], undefined);
                assert.equal(labels["app.kubernetes.io/version"], undefined);
            }
            // Services select exactly the pods of their workload.
            for (const [svc, pod] of [[`${release}-wordpress`, wpPod], [`${release}-mariadb`, dbPod], [`${release}-mariadb-headless`, dbPod]] as const) {
                const selector = getObject(objs(), "Service", svc).spec.selector;
                for (const [k, v] of Object.entries(selector)) assert.equal(pod[k], v, `Service ${svc} selector ${k}`);
            }
        });

        test("every pod meets Pod Security restricted", () => {
            const pods = podTemplates(objs());
            assert.equal(pods.length, 3);
            for (const { owner, pod } of pods) assertRestricted(`${owner.kind}/${owner.metadata.name}`, pod);
        });

        test("WordPress: uid 33 with the unprivileged-port sysctl, Recreate, one replica, pinned image", () => {
            const d = wordpress();
            assert.equal(d.spec.replicas, 1);
            assert.equal(d.spec.strategy.type, "Recreate");
            const pod = d.spec.template.spec;
            assert.equal(pod.securityContext.runAsUser, 33);
            assert.equal(pod.securityContext.runAsGroup, 33);
            assert.equal(pod.securityContext.fsGroup, 33);
            assert.deepEqual(pod.securityContext.sysctls, [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }]);
            const c = pod.containers[0];
            assert.equal(pod.containers.length, 1);
            assert.equal(c.image, `${values.wordpress.image.repository}:${values.wordpress.image.tag}@${values.wordpress.image.digest}`);
            assert.equal(c.ports[0].containerPort, 80);
            const docroot = pod.volumes.find((v: K8sObject) => v.persistentVolumeClaim);
            assert.equal(docroot.persistentVolumeClaim.claimName, `${release}-wordpress`);
            assert.equal(c.volumeMounts.find((m: K8sObject) => m.name === docroot.name).mountPath, "/var/www/html");
            // Apache prefork bounded to the memory limit; a config change rolls the pod.
            const apache = getObject(objs(), "ConfigMap", `${release}-wordpress`).data["zz-woostore.conf"];
            assert.match(apache, new RegExp(`^\\s*MaxRequestWorkers ${values.wordpress.maxRequestWorkers}$`, "m"));
            assert.match(d.spec.template.metadata.annotations["checksum/apache-config"], /^[0-9a-f]{64}$/);
        });

        test("WordPress: probes do not depend on the database or the setup Job", () => {
            const c = wordpress().spec.template.spec.containers[0];
            assert.equal(c.startupProbe.tcpSocket.port, "http");
            assert.ok(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold >= 120, "startup probe allows >= 2 min");
            assert.equal(c.livenessProbe.tcpSocket.port, "http");
            // A static core file: served by Apache before WordPress is installed, whatever MariaDB does.
            assert.equal(c.readinessProbe.httpGet.path, "/wp-includes/images/blank.gif");
            assert.equal(c.readinessProbe.httpGet.port, "http");
            for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
                assert.equal(probe.exec, undefined);
                assert.doesNotMatch(probe.httpGet?.path ?? "", /\.php|wp-json|wp-admin/);
            }
        });

        test("WordPress: database settings, URL and credentials from the existing Secret", () => {
            const env = envOf(wordpress().spec.template.spec.containers[0]);
            assert.equal(env.get("WORDPRESS_DB_HOST")?.value, `${release}-mariadb`);
            assert.equal(env.get("WORDPRESS_DB_NAME")?.value, values.mariadb.database);
            assert.equal(env.get("WORDPRESS_DB_USER")?.value, values.mariadb.user);
            const url = `${values.store.scheme}://${values.store.host}`;
            const extra: string = env.get("WORDPRESS_CONFIG_EXTRA")?.value;
            assert.ok(extra.includes(`define('WP_HOME', '${url}');`), extra);
            assert.ok(extra.includes(`define('WP_SITEURL', '${url}');`), extra);
            for (const [envName, key] of Object.entries(WORDPRESS_SECRET_ENV)) {
                assert.deepEqual(env.get(envName)?.valueFrom, { secretKeyRef: { name: values.existingSecret, key } }, envName);
                assert.equal(env.get(envName)?.value, undefined, `${envName} has a literal value`);
            }
        });

        test("MariaDB: uid/gid/fsGroup 999, probes, credentials, volumeClaimTemplate", () => {
            const sts = mariadb();
            assert.equal(sts.spec.replicas, 1);
            const pod = sts.spec.template.spec;
            assert.equal(pod.securityContext.runAsUser, 999);
            assert.equal(pod.securityContext.runAsGroup, 999);
            assert.equal(pod.securityContext.fsGroup, 999);
            const c = pod.containers[0];
            assert.equal(c.image, `${values.mariadb.image.repository}:${values.mariadb.image.tag}@${values.mariadb.image.digest}`);
            assert.deepEqual(c.readinessProbe.exec.command, ["healthcheck.sh", "--connect", "--innodb_initialized"]);
            assert.deepEqual(c.livenessProbe.exec.command, ["healthcheck.sh", "--connect"]);
            assert.deepEqual(c.startupProbe.exec.command, ["healthcheck.sh", "--connect", "--innodb_initialized"]);
            assert.ok(c.startupProbe.periodSeconds * c.startupProbe.failureThreshold >= 180, "startup probe allows >= 3 min for first init");
            const env = envOf(c);
            assert.equal(env.get("MARIADB_DATABASE")?.value, values.mariadb.database);
            assert.equal(env.get("MARIADB_USER")?.value, values.mariadb.user);
            assert.equal(env.get("MARIADB_AUTO_UPGRADE")?.value, "1");
            for (const [envName, key] of Object.entries(MARIADB_SECRET_ENV)) {
                assert.deepEqual(env.get(envName)?.valueFrom, { secretKeyRef: { name: values.existingSecret, key } }, envName);
            }
            assert.equal(c.volumeMounts.find((m: K8sObject) => m.name === "data").mountPath, "/var/lib/mysql");
            const vct = sts.spec.volumeClaimTemplates[0];
            assert.deepEqual(vct.spec.accessModes, ["ReadWriteOnce"]);
            assert.equal(vct.spec.resources.requests.storage, values.mariadb.persistence.size);
            assert.equal(vct.spec.storageClassName, values.storageClass || undefined);
        });

        test("WordPress PVC: ReadWriteOnce, size and storage class from values", () => {
            const pvc = getObject(objs(), "PersistentVolumeClaim", `${release}-wordpress`);
            assert.deepEqual(pvc.spec.accessModes, ["ReadWriteOnce"]);
            assert.equal(pvc.spec.resources.requests.storage, values.wordpress.persistence.size);
            if (values.storageClass) assert.equal(pvc.spec.storageClassName, values.storageClass);
            else assert.ok(!("storageClassName" in pvc.spec), "storageClassName must be omitted for the cluster default");
        });

        test("Services are ClusterIP", () => {
            for (const svc of objs().filter((o) => o.kind === "Service")) {
                assert.equal(svc.spec.type, "ClusterIP", svc.metadata.name);
            }
            assert.equal(getObject(objs(), "Service", `${release}-mariadb-headless`).spec.clusterIP, "None");
        });

        test("Ingress: class, host, TLS and cert-manager annotation", () => {
            const ing = getObject(objs(), "Ingress", release);
            assert.equal(ing.spec.ingressClassName, values.ingress.className);
            assert.equal(ing.spec.rules.length, 1);
            assert.equal(ing.spec.rules[0].host, values.store.host);
            const backend = ing.spec.rules[0].http.paths[0].backend.service;
            assert.deepEqual(backend, { name: `${release}-wordpress`, port: { name: "http" } });
            const annotations = ing.metadata.annotations ?? {};
            if (values.ingress.tls.enabled) {
                assert.deepEqual(ing.spec.tls, [{ hosts: [values.store.host], secretName: values.ingress.tls.secretName || `${release}-tls` }]);
                assert.equal(annotations["cert-manager.io/cluster-issuer"], values.ingress.tls.clusterIssuer);
                for (const [k, v] of Object.entries(values.ingress.annotations ?? {})) assert.equal(annotations[k], v);
            } else {
                assert.equal(ing.spec.tls, undefined);
                assert.equal(annotations["cert-manager.io/cluster-issuer"], undefined);
            }
        });

        test("no literal credential in any rendered object", () => {
            assert.equal(objs().filter((o) => o.kind === "Secret").length, 0, "the chart must not render Secrets");
            for (const { owner, pod } of podTemplates(objs())) {
                for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
                    for (const e of c.env ?? []) {
                        if (SENSITIVE_ENV.test(e.name)) {
                            assert.equal(e.value, undefined, `${owner.metadata.name}/${c.name}: ${e.name} has a literal value`);
                            assert.equal(e.valueFrom?.secretKeyRef?.name, values.existingSecret, `${owner.metadata.name}/${c.name}: ${e.name}`);
                        }
                    }
                    assert.equal(c.envFrom, undefined);
                }
            }
            // The mail plugin's PHP assigns $mailer->Password from the mounted file: checked on its own.
            const plugin = getObject(objs(), "ConfigMap", `${release}-wordpress-mu-plugins`).data["woostore-mail.php"];
            assert.match(plugin, /file_get_contents\(\$file\)/);
            const others = objs().filter((o) => !(o.kind === "ConfigMap" && o.metadata.name === `${release}-wordpress-mu-plugins`));
            assert.doesNotMatch(JSON.stringify(others), /password\s*[:=]\s*['"]?[^\s'"]/i);
        });

        test("resources on every container, within the LimitRange", () => {
            for (const { owner, pod } of podTemplates(objs())) {
                assertResources(`${owner.kind}/${owner.metadata.name}`, pod, quotaDefaults.containerMax);
            }
            const c = wordpress().spec.template.spec.containers[0];
            assert.deepEqual(c.resources, values.wordpress.resources);
            assert.deepEqual(mariadb().spec.template.spec.containers[0].resources, values.mariadb.resources);
        });

        test("everything a store runs at once fits the namespace quota", (t) => {
            const { quota, container: setupJob } = quotaDefaults;
            t.diagnostic(`quota ${JSON.stringify(quota)} and setup Job resources from ${quotaDefaults.source}`);
            const sum = { reqCpu: 0, reqMem: 0, limCpu: 0, limMem: 0, pods: 0 };
            const add = (r: { requests: K8sObject; limits: K8sObject }, times = 1) => {
                sum.reqCpu += milliCpu(r.requests.cpu) * times;
                sum.reqMem += quantity(r.requests.memory) * times;
                sum.limCpu += milliCpu(r.limits.cpu) * times;
                sum.limMem += quantity(r.limits.memory) * times;
            };
            for (const { pod, maxPods } of podTemplates(objs())) {
                // A pod's footprint is max(largest init container, sum of containers): the chart's
                // one init container asks exactly what its pod's main container asks.
                for (const init of pod.spec.initContainers ?? []) assert.deepEqual(init.resources, pod.spec.containers[0].resources);
                for (const c of pod.spec.containers) add(c.resources, maxPods);
                sum.pods += maxPods;
            }
            add(setupJob); // the setup Job's one container (created by the program, not the chart)
            sum.pods += 1;
            if (values.ingress.tls.enabled && values.ingress.tls.clusterIssuer) {
                add(ACME_SOLVER); // cert-manager's HTTP-01 solver pod runs in the store namespace
                sum.pods += 1;
            }
            const GiB = 2 ** 30, MiB = 2 ** 20;
            const report = `requests ${sum.reqCpu}m/${sum.reqMem / MiB}Mi, limits ${sum.limCpu}m/${sum.limMem / MiB}Mi over ${sum.pods} pods; quota ${quota.cpu} CPU/${quota.memory}`;
            t.diagnostic(report);
            assert.ok(sum.reqCpu <= milliCpu(quota.cpu), `requests.cpu: ${report}`);
            assert.ok(sum.limCpu <= milliCpu(quota.cpu), `limits.cpu: ${report}`);
            assert.ok(sum.reqMem <= quantity(quota.memory), `requests.memory: ${report}`);
            assert.ok(sum.limMem <= quantity(quota.memory), `limits.memory: ${report}`);
            if (quota.pods !== undefined) assert.ok(sum.pods <= quota.pods, `pods: ${report}`);

            let storage = 0;
            let claims = 0;
            for (const o of objs()) {
                if (o.kind === "PersistentVolumeClaim") { storage += quantity(o.spec.resources.requests.storage); claims += 1; }
                if (o.kind === "StatefulSet") {
                    for (const vct of o.spec.volumeClaimTemplates ?? []) {
                        storage += quantity(vct.spec.resources.requests.storage) * (o.spec.replicas ?? 1);
                        claims += o.spec.replicas ?? 1;
                    }
                }
            }
            assert.ok(storage <= quantity(quota.storage), `requests.storage ${storage / GiB}Gi > quota ${quota.storage}`);
            if (quota.persistentVolumeClaims !== undefined) assert.ok(claims <= quota.persistentVolumeClaims, `persistentvolumeclaims ${claims}`);
        });
    });
}
