/**
 * Issue 13, pure logic: PHP/Apache sizing from the memory limit, the WordPress version of the
 * pinned image, the quota arithmetic with the WP-Cron and ACME solver pods (checked for every
 * store of stores.yaml in both stacks against the specs the program really makes), egress and
 * SMTP NetworkPolicies, and the stack config keys `egress`, `smtp`, `tls.httpRedirect`.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { DEFAULT_IMAGES } from "../../components/defaults";
import { helmValues, mailValues, wordpressRuntimeValues } from "../../components/helmValues";
import { formatProblem } from "../../components/problems";
import { parseQuantity } from "../../components/quantity";
import {
    ACME_SOLVER_LIMITS, CRON_CONTAINER_RESOURCES, EPHEMERAL_STORAGE, phpSizing, phpSizingProblem, quotaPods, wordpressVersionOfImage,
} from "../../components/runtime";
import { setupJobSpec } from "../../components/setupJob";
import { loadStoreList, resolveStore, storeEntrySchema, validateStoreList } from "../../components/storeList";
import { NON_INTERNET_CIDRS, networkPolicySpecs, resourceQuotaSpec } from "../../components/tenancy";
import { validateStackConfig } from "../../components/stackConfig";
import { minimalConfig, PROJECT_DIR, stackConfig } from "../helpers/config";

const MI = 2 ** 20;
const entry = storeEntrySchema.parse({ name: "shop", admin: { email: "a@example.com" } });

describe("PHP and Apache sizing from the container memory limit (pure)", () => {
    it("dev (512Mi): PHP 128M, opcache 64M, 3 workers, 64M uploads", () => {
        const dev = resolveStore(entry, stackConfig("dev"));
        assert.equal(dev.container.limits.memory, "512Mi");
        assert.deepEqual(phpSizing(dev.container.limits.memory), { memoryLimitMi: 128, opcacheMi: 64, apacheOverheadMi: 64, maxRequestWorkers: 3, uploadMaxMi: 64 });
        assert.deepEqual(wordpressRuntimeValues(dev), {
            maxRequestWorkers: 3,
            php: { memoryLimit: "128M", uploadMaxFilesize: "64M", postMaxSize: "64M", opcacheMemoryConsumption: 64 },
        });
    });

    it("prod (1Gi): PHP 256M (what WooCommerce and wp-admin ask), opcache 128M, 3 workers — not the 6 a 128M guess gave", () => {
        const prod = resolveStore(entry, stackConfig("prod"));
        assert.equal(prod.container.limits.memory, "1Gi");
        assert.deepEqual(phpSizing(prod.container.limits.memory), { memoryLimitMi: 256, opcacheMi: 128, apacheOverheadMi: 64, maxRequestWorkers: 3, uploadMaxMi: 128 });
        const values = helmValues(prod, stackConfig("prod"));
        assert.equal(values.wordpress.maxRequestWorkers, 3);
        assert.equal(values.wordpress.php.memoryLimit, "256M");
    });

    it("worst case (every worker at memory_limit, plus opcache and Apache) never exceeds the limit, 384Mi to 4Gi", () => {
        for (let limitMi = 384; limitMi <= 4096; limitMi += 64) {
            const sizing = phpSizing(`${limitMi}Mi`);
            const worstMi = sizing.maxRequestWorkers * sizing.memoryLimitMi + sizing.opcacheMi + sizing.apacheOverheadMi;
            assert.ok(worstMi <= limitMi, `${limitMi}Mi: ${worstMi}Mi`);
            // and one more worker would not fit: the count is the largest that does
            assert.ok(worstMi + sizing.memoryLimitMi > limitMi, `${limitMi}Mi: ${sizing.maxRequestWorkers} workers wastes room`);
            assert.ok(sizing.uploadMaxMi * MI <= parseQuantity(EPHEMERAL_STORAGE.wordpress.tmp), "an upload fits /tmp");
        }
        assert.equal(phpSizing("768Mi").maxRequestWorkers, 5);
        assert.equal(phpSizing("2Gi").maxRequestWorkers, 7);
    });

    it("a limit with room for fewer than 2 workers is a validation problem that says how much is needed", () => {
        assert.equal(phpSizingProblem("512Mi"), undefined);
        assert.match(phpSizingProblem("256Mi") ?? "", /leaves room for 1 PHP worker\(s\) of 128M .* raise it to at least 384Mi/);
    });
});

describe("WordPress version of the pinned image (pure)", () => {
    it("reads official tags, with or without a digest or registry", () => {
        assert.equal(wordpressVersionOfImage(DEFAULT_IMAGES.wordpress), "6.8.3");
        assert.equal(wordpressVersionOfImage("wordpress:6.8-php8.3-apache"), "6.8");
        assert.equal(wordpressVersionOfImage("registry.local:5000/library/wordpress:6.9.1@sha256:" + "b".repeat(64)), "6.9.1");
        assert.equal(wordpressVersionOfImage("wordpress:php8.3-apache"), undefined);
        assert.equal(wordpressVersionOfImage("registry.local:5000/wordpress"), undefined);
    });

    it("the stack config refuses a WordPress image whose tag has no version", () => {
        const { problems } = validateStackConfig({ domain: "localhost", images: { wordpress: "wordpress:php8.3-apache" } }, "Pulumi.test.yaml");
        assert.equal(problems.length, 1);
        assert.match(problems[0].message, /has no WordPress version in its tag/);
    });

    it("default images are pinned by tag and sha256 digest (restic, used only with woostore:backup, by tag: its digest could not be read here)", () => {
        for (const image of [DEFAULT_IMAGES.wordpress, DEFAULT_IMAGES.mariadb, DEFAULT_IMAGES.wpCli]) assert.match(image, /^[a-z]+:[\w.-]+@sha256:[a-f0-9]{64}$/);
        assert.match(DEFAULT_IMAGES.restic, /^restic\/restic:\d+\.\d+\.\d+$/);
    });
});

/** Limits of every pod the program and the chart make for a store, read from the real specs. */
function specPods(stack: "dev" | "prod", storeName: string) {
    const config = stackConfig(stack);
    const store = loadStoreList(join(PROJECT_DIR, "stores.yaml"), config).find((s) => s.name === storeName);
    assert.ok(store);
    const values = helmValues(store, config);
    const setup = setupJobSpec(store, config, "x").template.spec.containers[0].resources.limits;
    const pods = [values.wordpress.resources.limits, values.mariadb.resources.limits, setup, values.cron.resources.limits];
    if (config.tls.enabled && config.tls.clusterIssuer) pods.push({ ...ACME_SOLVER_LIMITS, "ephemeral-storage": EPHEMERAL_STORAGE.containerDefault.limit });
    return { store, pods };
}

describe("quota arithmetic: every store of stores.yaml in both stacks (pure)", () => {
    const storeNames = (readFileSync(join(PROJECT_DIR, "stores.yaml"), "utf8").match(/^\s+- name: (\S+)/gm) ?? []).map((line) => line.trim().slice("- name: ".length));
    it("finds the stores of stores.yaml", () => assert.deepEqual(storeNames, ["demo-shop", "bakery"]));

    for (const stack of ["dev", "prod"] as const) {
        for (const name of storeNames) {
            it(`${stack}/${name}: WordPress, MariaDB, setup Job, WP-Cron Job${stack === "prod" ? " and the ACME solver" : ""} fit the quota at their limits (cpu, memory, ephemeral-storage)`, () => {
                const { store, pods } = specPods(stack, name);
                assert.equal(pods.length, stack === "prod" ? 5 : 4);
                const hard = resourceQuotaSpec(store).hard;
                for (const [resource, quotaKey] of [["cpu", "limits.cpu"], ["memory", "limits.memory"], ["ephemeral-storage", "limits.ephemeral-storage"]] as const) {
                    const sum = pods.reduce((total, pod) => total + parseQuantity(pod[resource]), 0);
                    assert.ok(sum <= parseQuantity(hard[quotaKey]), `${stack}/${name} ${resource}: ${sum} > ${hard[quotaKey]}`);
                }
                // The validation's own list of pods is the same as the specs'.
                const listed = quotaPods(store.container.limits, store.acmeSolver);
                assert.deepEqual(listed.map((pod) => [parseQuantity(pod.cpu), parseQuantity(pod.memory), parseQuantity(pod.ephemeralStorage)]),
                    pods.map((pod) => [parseQuantity(pod.cpu), parseQuantity(pod.memory), parseQuantity(pod["ephemeral-storage"])]));
            });
        }
    }

    it("bakery's old prod quota (3 CPU / 3Gi) is refused: no room for the cron and solver pods", () => {
        const yaml = readFileSync(join(PROJECT_DIR, "stores.yaml"), "utf8").replace(/cpu: "4"\n(\s+)memory: 4Gi/, 'cpu: "3"\n$1memory: 3Gi');
        assert.match(yaml, /cpu: "3"/);
        const { problems } = validateStoreList(yaml, "stores.yaml", stackConfig("prod"));
        const text = problems.map(formatProblem).join("\n");
        assert.equal(problems.length, 2, text);
        assert.match(text, /store "bakery": quota.cpu 3 cannot hold the store's 5 pods at their limits \(WordPress, MariaDB, setup Job, WP-Cron Job, ACME HTTP-01 solver: 3600m\)/);
        assert.match(text, /quota.memory 3Gi .* 3392Mi/);
        // dev has no solver and smaller containers: the same quota is fine there
        assert.deepEqual(validateStoreList(yaml, "stores.yaml", stackConfig("dev")).problems, []);
    });

    it("a too small ephemeral-storage quota is refused, naming the stack key to raise", () => {
        // A stack default: reported once by the stack config, not once per store.
        const { problems } = validateStackConfig({ domain: "localhost", defaults: { quota: { ephemeralStorage: "2Gi" } } }, "Pulumi.test.yaml");
        assert.equal(problems.length, 1);
        assert.match(formatProblem(problems[0]), /quota.ephemeralStorage 2Gi cannot hold .*2816Mi.* raise woostore:defaults.quota.ephemeralStorage/);
    });

    it("the cron pod's resources are what the chart gets", () => {
        const values = helmValues(resolveStore(entry, minimalConfig()), minimalConfig());
        assert.deepEqual(values.cron.resources, { requests: { ...CRON_CONTAINER_RESOURCES.requests }, limits: { ...CRON_CONTAINER_RESOURCES.limits } });
        assert.equal(values.cron.schedule, "*/5 * * * *");
        assert.deepEqual(values.cron.image, { repository: "wordpress", tag: "cli-2.12.0-php8.3", digest: DEFAULT_IMAGES.wpCli.split("@")[1], pullPolicy: "IfNotPresent" });
    });
});

describe("egress and mail NetworkPolicies (pure)", () => {
    // Specs are plain data here; typed loosely to navigate them.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const byName = (options: Parameters<typeof networkPolicySpecs>[0]): Record<string, any> => Object.fromEntries(networkPolicySpecs(options).map((policy) => [policy.name, policy.spec]));
    const wordpressAndCron = { matchExpressions: [{ key: "app.kubernetes.io/name", operator: "In", values: ["wordpress", "woostore-cron"] }] };

    it("web: WordPress and the cron pod may reach 80/443 outside the cluster, private and metadata ranges", () => {
        const web = byName({ tlsEnabled: false, egress: "web" })["wordpress-egress-web"];
        assert.ok(web);
        assert.deepEqual(web.podSelector, wordpressAndCron);
        assert.deepEqual(web.egress, [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...NON_INTERNET_CIDRS] } }], ports: [{ protocol: "TCP", port: 443 }, { protocol: "TCP", port: 80 }] }]);
        for (const cidr of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10"]) assert.ok(NON_INTERNET_CIDRS.includes(cidr as never), cidr);
    });

    it("none: no rule leads out of the store for WordPress or cron", () => {
        const policies = byName({ tlsEnabled: false, egress: "none" });
        assert.equal(policies["wordpress-egress-web"], undefined);
        for (const [name, spec] of Object.entries(policies)) {
            if (name === "setup-egress") continue; // the setup Job downloads WooCommerce and core
            for (const rule of (spec.egress ?? []) as { to?: unknown[] }[]) {
                for (const peer of (rule.to ?? []) as { ipBlock?: unknown }[]) assert.equal(peer.ipBlock, undefined, `${name} reaches an ipBlock`);
            }
        }
    });

    it("SMTP: the relay's port only, for WordPress and cron, whatever the egress mode", () => {
        for (const egress of ["web", "none"] as const) {
            const smtp = byName({ tlsEnabled: false, egress, smtpPort: 2525 })["wordpress-egress-smtp"];
            assert.deepEqual(smtp, { podSelector: wordpressAndCron, policyTypes: ["Egress"], egress: [{ ports: [{ protocol: "TCP", port: 2525 }] }] });
        }
        assert.equal(byName({ tlsEnabled: false, egress: "web" })["wordpress-egress-smtp"], undefined);
    });

    it("the cron pod reaches MariaDB and MariaDB admits it", () => {
        const policies = byName({ tlsEnabled: false, egress: "none" });
        assert.deepEqual(policies["wordpress-egress-mariadb"].podSelector, wordpressAndCron);
        const from: { podSelector?: unknown }[] = policies["mariadb-ingress"].ingress[0].from;
        assert.ok(from.some((peer) => JSON.stringify(peer.podSelector) === JSON.stringify({ matchLabels: { "app.kubernetes.io/name": "woostore-cron" } })));
    });

    it("egress comes from the store, else the stack; the chart gets it too", () => {
        const config = minimalConfig({ egress: "none" });
        const store = resolveStore(entry, config);
        assert.equal(helmValues(store, config).wordpress.egress, "none");
        assert.equal(helmValues(resolveStore(entry, minimalConfig()), minimalConfig()).wordpress.egress, "web");
        assert.match(validateStackConfig({ domain: "localhost", egress: "all" }, "Pulumi.test.yaml").problems[0].message, /must be "web" or "none"/);
    });
});

describe("stack config woostore:smtp (pure)", () => {
    const smtp = { host: "smtp.example.com", from: "shop@example.com", username: "shop", password: "s3cret-relay-pw" };

    it("defaults port 587 and STARTTLS; values carry host, port, sender and login but never the password", () => {
        const config = minimalConfig({ smtp });
        assert.equal(config.smtp?.port, 587);
        assert.equal(config.smtp?.encryption, "starttls");
        const values = helmValues(resolveStore(entry, config), config);
        assert.deepEqual(values.mail, { smtp: { host: "smtp.example.com", port: 587, encryption: "starttls", from: "shop@example.com", fromName: "", username: "shop" } });
        assert.doesNotMatch(JSON.stringify(values), /s3cret-relay-pw/);
        assert.deepEqual(mailValues(minimalConfig()), { smtp: { host: "" } });
    });

    it("a plain-text password in the stack file is refused with its position and the command that fixes it", () => {
        const text = "config:\n  woostore:domain: localhost\n  woostore:smtp:\n    host: smtp.example.com\n    from: shop@example.com\n    username: shop\n    password: s3cret-relay-pw\n";
        const { config, problems } = validateStackConfig({ domain: "localhost", smtp }, "Pulumi.dev.yaml", text);
        assert.equal(config, undefined);
        assert.equal(problems.length, 1);
        assert.equal(problems[0].line, 7);
        assert.match(formatProblem(problems[0]), /woostore:smtp.password is stored in plain text .*pulumi config set --secret --path 'woostore:smtp.password'/);
    });

    it("a secure password in the stack file is accepted (npm run validate sees { secure: … })", () => {
        const text = "config:\n  woostore:domain: localhost\n  woostore:smtp:\n    host: smtp.example.com\n    from: shop@example.com\n    username: shop\n    password:\n      secure: v1:abc\n";
        const { config, problems } = validateStackConfig({ domain: "localhost", smtp: { ...smtp, password: { secure: "v1:abc" } } }, "Pulumi.dev.yaml", text);
        assert.deepEqual(problems, []);
        assert.ok(config);
        // at run time the engine hands the program the decrypted text, with the same file
        assert.deepEqual(validateStackConfig({ domain: "localhost", smtp }, "Pulumi.dev.yaml", text).problems, []);
    });

    it("username without password, a bad sender and a bad encryption are refused", () => {
        const messages = (value: Record<string, unknown>) => validateStackConfig({ domain: "localhost", smtp: value }, "Pulumi.test.yaml").problems.map((problem) => problem.message).join("\n");
        assert.match(messages({ host: "smtp.example.com", from: "shop@example.com", username: "shop" }), /username and password go together/);
        assert.match(messages({ host: "smtp.example.com", from: "shop" }), /"shop" is not an e-mail address/);
        assert.match(messages({ host: "smtp.example.com", from: "shop@example.com", encryption: "ssl" }), /must be starttls \(port 587\), tls \(port 465\) or none/);
    });
});

describe("HTTPS redirect setting (pure)", () => {
    it("on with TLS by default, off without TLS or when the stack turns it off", () => {
        const prod = stackConfig("prod");
        assert.equal(helmValues(resolveStore(entry, prod), prod).ingress.tls.httpRedirect, true);
        const dev = stackConfig("dev");
        assert.equal(helmValues(resolveStore(entry, dev), dev).ingress.tls.httpRedirect, false);
        const off = { ...prod, tls: { ...prod.tls, httpRedirect: false } };
        assert.equal(helmValues(resolveStore(entry, off), off).ingress.tls.httpRedirect, false);
    });
});
