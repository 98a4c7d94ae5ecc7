/**
 * Issue 13 in the rendered chart (real helm, the program's dev and prod values): the WP-Cron
 * CronJob, PHP .ini and Apache sizing, WORDPRESS_CONFIG_EXTRA flags, the mail plugin and its
 * Secret mount, the HTTP → HTTPS redirect, emptyDirs with size limits, read-only root
 * filesystems and ephemeral-storage on every container.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { helmValues, SMTP_PASSWORD_KEY } from "../../components/helmValues";
import { EPHEMERAL_STORAGE } from "../../components/runtime";
import { resolveStore, storeEntrySchema } from "../../components/storeList";
import { minimalConfig, stackConfig } from "../helpers/config";
import { CHART_DIR, getObject, K8sObject, podTemplates, renderChart, valuesFile } from "../helpers/helm";

const entry = storeEntrySchema.parse({ name: "shop", admin: { email: "a@example.com" } });

async function render(name: string, config: ReturnType<typeof stackConfig>) {
    const store = resolveStore(entry, config);
    const values = helmValues(store, config);
    const { objects } = await renderChart("shop", ["-f", valuesFile(`runtime-${name}`, values)]);
    return { store, values, objects };
}

const envOf = (container: K8sObject): Record<string, K8sObject> => Object.fromEntries((container.env ?? []).map((e: K8sObject) => [e.name, e]));

for (const stack of ["dev", "prod"] as const) {
    describe(`chart runtime with the program's ${stack} values (real helm)`, () => {
        const config = stackConfig(stack);

        it("WP-Cron: a CronJob every 5 minutes with WP-CLI as uid 33, Forbid, history limits, the docroot and the WordPress pod's node", async () => {
            const { values, objects } = await render(`${stack}-cron`, config);
            const cron = getObject(objects, "CronJob", "shop-cron");
            assert.equal(cron.spec.schedule, "*/5 * * * *");
            assert.equal(cron.spec.concurrencyPolicy, "Forbid");
            assert.equal(cron.spec.successfulJobsHistoryLimit, 1);
            assert.equal(cron.spec.failedJobsHistoryLimit, 3);
            assert.ok(cron.spec.startingDeadlineSeconds > 0);
            const job = cron.spec.jobTemplate.spec;
            assert.equal(job.backoffLimit, 0);
            assert.ok(job.activeDeadlineSeconds > 0);
            const pod = job.template.spec;
            assert.equal(job.template.metadata.labels["app.kubernetes.io/name"], "woostore-cron", "the NetworkPolicies select this label");
            assert.deepEqual([pod.securityContext.runAsUser, pod.securityContext.runAsGroup, pod.securityContext.fsGroup], [33, 33, 33]);
            assert.equal(pod.restartPolicy, "Never");
            assert.deepEqual(pod.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution, [{
                labelSelector: { matchLabels: { "app.kubernetes.io/name": "wordpress", "app.kubernetes.io/instance": "shop" } },
                topologyKey: "kubernetes.io/hostname",
            }]);
            assert.equal(pod.volumes.find((v: K8sObject) => v.name === "docroot").persistentVolumeClaim.claimName, "shop-wordpress");
            const container = pod.containers[0];
            assert.equal(container.image, `wordpress:cli-2.12.0-php8.3@${values.cron.image.digest}`);
            const script = container.command.join(" ");
            assert.match(script, /wp core is-installed/);
            assert.ok(script.indexOf("wp cron event run --due-now") < script.indexOf("wp action-scheduler run"), "cron events, then the Action Scheduler queue");
            assert.deepEqual(container.resources, values.cron.resources);
            const env = envOf(container);
            assert.equal(env.WORDPRESS_DB_PASSWORD.valueFrom.secretKeyRef.key, "mariadb-password");
            assert.equal(env.WORDPRESS_CONFIG_EXTRA.value, envOf(getObject(objects, "Deployment", "shop-wordpress").spec.template.spec.containers[0]).WORDPRESS_CONFIG_EXTRA.value,
                "cron runs WordPress with the web pod's configuration");
        });

        it("PHP .ini and Apache: limits from the memory limit, expose_php Off, KeepAliveTimeout 2, both mounted", async () => {
            const { values, objects } = await render(`${stack}-php`, config);
            const data = getObject(objects, "ConfigMap", "shop-wordpress").data;
            const php = values.wordpress.php;
            for (const line of ["expose_php = Off", `memory_limit = ${php.memoryLimit}`, `upload_max_filesize = ${php.uploadMaxFilesize}`, `post_max_size = ${php.postMaxSize}`, `opcache.memory_consumption = ${php.opcacheMemoryConsumption}`]) {
                assert.ok(data["zz-woostore.ini"].split("\n").includes(line), `${line} in:\n${data["zz-woostore.ini"]}`);
            }
            assert.match(data["zz-woostore.conf"], new RegExp(`^\\s*MaxRequestWorkers ${values.wordpress.maxRequestWorkers}$`, "m"));
            assert.match(data["zz-woostore.conf"], /^\s*KeepAliveTimeout 2$/m);
            const container = getObject(objects, "Deployment", "shop-wordpress").spec.template.spec.containers[0];
            const mounts = Object.fromEntries(container.volumeMounts.map((m: K8sObject) => [m.mountPath, m]));
            assert.equal(mounts["/usr/local/etc/php/conf.d/zz-woostore.ini"].subPath, "zz-woostore.ini");
            assert.equal(mounts["/etc/apache2/conf-enabled/zz-woostore.conf"].subPath, "zz-woostore.conf");
            const extra: string = envOf(container).WORDPRESS_CONFIG_EXTRA.value;
            assert.match(extra, new RegExp(`define\\('WP_MAX_MEMORY_LIMIT', '${php.memoryLimit}'\\);`));
            assert.match(extra, /define\('DISABLE_WP_CRON', true\);/);
            assert.doesNotMatch(extra, /WP_HTTP_BLOCK_EXTERNAL/, "egress web: outgoing HTTP allowed");
        });

        it("disk: every container has ephemeral-storage and a read-only root; written paths are size-limited emptyDirs", async () => {
            const { objects } = await render(`${stack}-disk`, config);
            for (const { owner, pod } of podTemplates(objects)) {
                for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
                    const at = `${owner.kind}/${owner.metadata.name}/${c.name}`;
                    assert.ok(c.resources.requests["ephemeral-storage"] && c.resources.limits["ephemeral-storage"], `${at}: ephemeral-storage`);
                    assert.equal(c.securityContext.readOnlyRootFilesystem, true, `${at}: readOnlyRootFilesystem`);
                }
                for (const volume of pod.spec.volumes.filter((v: K8sObject) => v.emptyDir)) {
                    assert.ok(volume.emptyDir.sizeLimit, `${owner.metadata.name}: emptyDir ${volume.name} without sizeLimit`);
                }
            }
            const mountsOf = (pod: K8sObject) => pod.spec.containers[0].volumeMounts.map((m: K8sObject) => m.mountPath);
            const wordpress = getObject(objects, "Deployment", "shop-wordpress").spec.template;
            for (const path of ["/tmp", "/var/run/apache2", "/var/lock/apache2"]) assert.ok(mountsOf(wordpress).includes(path), `wordpress ${path}`);
            const mariadb = getObject(objects, "StatefulSet", "shop-mariadb").spec.template;
            for (const path of ["/tmp", "/run/mysqld"]) assert.ok(mountsOf(mariadb).includes(path), `mariadb ${path}`);
            const tmp = wordpress.spec.volumes.find((v: K8sObject) => v.name === "tmp");
            assert.equal(tmp.emptyDir.sizeLimit, EPHEMERAL_STORAGE.wordpress.tmp);
        });

        it("mail: without a relay the plugin is installed and no SMTP environment or Secret mount exists", async () => {
            const { objects } = await render(`${stack}-nomail`, config);
            const pod = getObject(objects, "Deployment", "shop-wordpress").spec.template.spec;
            const init = pod.initContainers.find((c: K8sObject) => c.name === "install-mu-plugins");
            assert.match(init.command.join(" "), /wp-content\/mu-plugins/);
            assert.equal(envOf(pod.containers[0]).WOOSTORE_SMTP_HOST, undefined);
            assert.equal(pod.volumes.find((v: K8sObject) => v.name === "smtp"), undefined);
            assert.match(getObject(objects, "ConfigMap", "shop-wordpress-mu-plugins").data["woostore-mail.php"], /was NOT sent: no SMTP relay is configured/);
        });

        it(`HTTPS: ${stack === "prod" ? "a RedirectScheme Middleware and an HTTP-only Ingress that uses it" : "no redirect without TLS"}`, async () => {
            const { objects } = await render(`${stack}-https`, config);
            const middlewares = objects.filter((o) => o.kind === "Middleware");
            if (!config.tls.enabled) {
                assert.deepEqual(middlewares, []);
                assert.deepEqual(objects.filter((o) => o.kind === "Ingress").map((o) => o.metadata.name), ["shop"]);
                return;
            }
            assert.equal(middlewares.length, 1);
            assert.equal(middlewares[0].apiVersion, "traefik.io/v1alpha1");
            assert.deepEqual(middlewares[0].spec, { redirectScheme: { scheme: "https", permanent: true } });
            const http = getObject(objects, "Ingress", "shop-http");
            assert.equal(http.spec.tls, undefined);
            assert.equal(http.metadata.annotations["traefik.ingress.kubernetes.io/router.entrypoints"], "web");
            assert.equal(http.metadata.annotations["traefik.ingress.kubernetes.io/router.middlewares"], "store-shop-shop-redirect-https@kubernetescrd");
            assert.equal(http.metadata.annotations["cert-manager.io/cluster-issuer"], undefined, "cert-manager ignores the redirect Ingress");
            assert.equal(http.spec.rules[0].host, "shop.store.example.com");
        });
    });
}

describe("chart runtime with a relay and egress none (real helm)", () => {
    const config = minimalConfig({ egress: "none", smtp: { host: "smtp.example.com", port: 465, encryption: "tls", from: "shop@example.com", username: "shop", password: "s3cret-relay-pw" } });

    it("SMTP settings reach WordPress and cron as environment; the password only as a mounted Secret file", async () => {
        const { objects } = await render("smtp", config);
        const pods = [getObject(objects, "Deployment", "shop-wordpress").spec.template.spec, getObject(objects, "CronJob", "shop-cron").spec.jobTemplate.spec.template.spec];
        for (const pod of pods) {
            const env = envOf(pod.containers[0]);
            assert.equal(env.WOOSTORE_SMTP_HOST.value, "smtp.example.com");
            assert.equal(env.WOOSTORE_SMTP_PORT.value, "465");
            assert.equal(env.WOOSTORE_SMTP_ENCRYPTION.value, "tls");
            assert.equal(env.WOOSTORE_SMTP_FROM.value, "shop@example.com");
            assert.equal(env.WOOSTORE_SMTP_USERNAME.value, "shop");
            assert.equal(env.WOOSTORE_SMTP_CREDENTIAL_FILE.value, "/etc/woostore/smtp/password");
            const volume = pod.volumes.find((v: K8sObject) => v.name === "smtp");
            assert.deepEqual(volume.secret.items, [{ key: SMTP_PASSWORD_KEY, path: "password" }]);
            assert.equal(volume.secret.secretName, "woostore-credentials");
            assert.ok(pod.containers[0].volumeMounts.some((m: K8sObject) => m.name === "smtp" && m.mountPath === "/etc/woostore/smtp" && m.readOnly));
        }
        assert.doesNotMatch(JSON.stringify(objects), /s3cret-relay-pw/);
    });

    it("egress none: WP_HTTP_BLOCK_EXTERNAL makes outgoing HTTP fail at once", async () => {
        const { objects } = await render("egress-none", config);
        const extra: string = envOf(getObject(objects, "Deployment", "shop-wordpress").spec.template.spec.containers[0]).WORDPRESS_CONFIG_EXTRA.value;
        assert.match(extra, /define\('WP_HTTP_BLOCK_EXTERNAL', true\);/);
    });

    it("the chart's default password key is the key the program writes", () => {
        const values = parse(readFileSync(join(CHART_DIR, "values.yaml"), "utf8"));
        assert.equal(values.mail.smtp.existingSecretKey, SMTP_PASSWORD_KEY);
    });
});
