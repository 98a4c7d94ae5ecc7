/**
 * fast-check generators for the validation promise (issue 15): store entries and stack
 * config overrides near the edges of what `validate` accepts: names of 1 and 40 characters,
 * host labels of 63 and hosts near 253, quantities in every form Kubernetes accepts (cores,
 * millicores, micro- and nanocores; Mi, Gi fractions, decimal M/G, plain bytes) around the
 * minimums and the stack's bounds, image references with registry ports and digests.
 * Used by the tier-1 property test (helm) and the tier-2 dry-run test.
 */
import * as fc from "fast-check";
import * as path from "path";
import { readStackConfigFile } from "../../components/stackConfig";
import { PROJECT_DIR } from "./config";

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const LABEL_CHARS = [...`${LOWER}0123456789-`];
const ALNUM = [...`${LOWER}0123456789`];

/** A DNS-1123 label starting with a letter, `maxLength` characters at most, biased to 1 and max. */
export function dnsLabel(maxLength: number, firstLetter = true): fc.Arbitrary<string> {
    const first = fc.constantFrom(...(firstLetter ? [...LOWER] : ALNUM));
    const middle = (length: number) => fc.string({ unit: fc.constantFrom(...LABEL_CHARS), minLength: length, maxLength: length });
    const last = fc.constantFrom(...ALNUM);
    return fc.oneof(
        first,
        fc.integer({ min: 0, max: maxLength - 2 }).chain((length) => fc.tuple(first, middle(length), last).map((parts) => parts.join(""))),
        fc.tuple(first, middle(maxLength - 2), last).map((parts) => parts.join("")),
    );
}

export const storeName = dnsLabel(40);

/** A host of 1–6 labels (of up to 63 characters), at most 253 characters, never an IP address. */
export const hostName = fc.array(dnsLabel(63, false), { minLength: 1, maxLength: 6 })
    .map((labels) => [...labels, "example", "com"].join("."))
    .filter((host) => host.length <= 253);

/** Millicores as text in one of the forms Kubernetes accepts for the same amount. */
export function cpuText(millicores: number): fc.Arbitrary<string> {
    const forms = [`${millicores}m`, `${millicores * 1000}u`, `${millicores * 1_000_000}n`, String(millicores / 1000)];
    if (millicores % 1000 === 0) forms.push(String(millicores / 1000));
    return fc.constantFrom(...forms);
}

/** Mebibytes as text in one of the forms Kubernetes accepts (some of them a little more: 1G is 954Mi). */
export function bytesText(mebibytes: number): fc.Arbitrary<string> {
    const bytes = mebibytes * 1024 * 1024;
    const forms = [`${mebibytes}Mi`, String(bytes), `${mebibytes * 1024}Ki`, `${mebibytes / 1024}Gi`, `${Math.ceil(bytes / 1e6)}M`, `${bytes / 1e9}G`];
    if (mebibytes % 1024 === 0) forms.push(`${mebibytes / 1024}Gi`);
    return fc.constantFrom(...forms);
}

/** An amount between `min` and `max`, biased to both ends. */
const between = (min: number, max: number) => fc.integer({ min, max: Math.max(min, max) });

export const email = fc.tuple(dnsLabel(30), hostName).map(([local, domain]) => `${local}@${domain}`).filter((address) => address.length <= 100);

export interface Limits { cpuMilli: number; memoryMi: number; quotaCpuMilli: number; quotaMemoryMi: number }

/**
 * A store entry whose resources are drawn around the stack's limits (dev: containers up to
 * 1 CPU / 1Gi, quota up to 4 / 4Gi; prod: 2 / 2Gi and 8 / 8Gi).
 */
export function storeEntry(limits: Limits): fc.Arbitrary<Record<string, unknown>> {
    const resources = fc.record({
        limitCpu: between(100, limits.cpuMilli),
        // From 384Mi WordPress has room for two PHP workers (runtime.ts phpSizing).
        limitMemory: between(384, limits.memoryMi),
    }).chain(({ limitCpu, limitMemory }) => fc.record({
        limits: fc.record({ cpu: cpuText(limitCpu), memory: bytesText(limitMemory) }),
        requests: fc.record({ cpu: between(1, limitCpu).chain(cpuText), memory: between(1, limitMemory).chain(bytesText) }, { requiredKeys: [] }),
        quota: fc.record({
            // WordPress, MariaDB and the setup Job at the drawn limits, plus the WP-Cron Job
            // (500m/256Mi) and cert-manager's solver with TLS (100m/64Mi): runtime.ts quotaPods.
            cpu: between(3 * limitCpu + 600, limits.quotaCpuMilli).chain(cpuText),
            memory: between(3 * limitMemory + 320, limits.quotaMemoryMi).chain(bytesText),
        }),
    }));
    return fc.record({
        name: storeName,
        host: fc.option(hostName, { nil: undefined }),
        title: fc.option(fc.string({ minLength: 1, maxLength: 100 }).filter((title) => title.trim() !== ""), { nil: undefined }),
        admin: fc.record({ email, user: fc.option(fc.constantFrom("admin", "baker", "shop.owner", "a-b_c"), { nil: undefined }) }, { requiredKeys: ["email"] }),
        woocommerce: fc.record({ currency: fc.constantFrom("USD", "EUR", "GBP", "JPY", "CHF", "BRL"), country: fc.constantFrom("US:CA", "DE", "GB", "JP:JP13", "BR:SP", "FR") }),
        resources,
        protect: fc.option(fc.boolean(), { nil: undefined }),
    }).map(({ resources: drawn, host, title, protect, ...rest }) => ({
        ...rest,
        ...(host !== undefined ? { host } : {}),
        ...(title !== undefined ? { title } : {}),
        ...(protect !== undefined ? { protect } : {}),
        quota: drawn.quota,
        container: { limits: drawn.limits, ...(Object.keys(drawn.requests).length ? { requests: drawn.requests } : {}) },
    }));
}

const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

/** Stack config overrides within what the chart must render: storage class, TLS issuer, images, volume sizes. */
export const stackOverrides = fc.record({
    storageClass: fc.oneof(fc.constant(""), fc.constant("local-path"), dnsLabel(63, false), fc.tuple(dnsLabel(20, false), dnsLabel(20, false)).map((parts) => parts.join("."))),
    clusterIssuer: fc.oneof(fc.constant("letsencrypt-prod"), dnsLabel(63, false)),
    images: fc.record({
        wordpress: fc.constantFrom("wordpress:6.8.3-php8.3-apache", "registry.local:5000/library/wordpress:6.8.3-php8.3-apache", `wordpress:6.8.3-php8.3-apache@${DIGEST}`, "localhost/wp:6.8.3-apache"),
        mariadb: fc.constantFrom("mariadb:11.8.3", "registry.local:5000/mariadb:11.8.3", `mariadb:11.8.3@${DIGEST}`, "docker.io/library/mariadb:11.8"),
    }),
    persistence: fc.record({ wordpress: between(512, 1024).chain(bytesText), mariadb: between(512, 1024).chain(bytesText) }),
});

export type StackOverrides = typeof stackOverrides extends fc.Arbitrary<infer T> ? T : never;

/** The raw `woostore:*` config of a checked-in stack with the overrides applied. */
export function stackRaw(stack: "dev" | "prod", overrides: StackOverrides): Record<string, unknown> {
    const raw = readStackConfigFile(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`)).raw as Record<string, Record<string, unknown>>;
    const tls = raw.tls as { enabled?: boolean } | undefined;
    return {
        ...raw,
        storageClass: overrides.storageClass,
        tls: tls?.enabled ? { ...tls, clusterIssuer: overrides.clusterIssuer } : tls,
        images: overrides.images,
        defaults: { ...raw.defaults, persistence: overrides.persistence },
    };
}

export const STACK_LIMITS: Record<"dev" | "prod", Limits> = {
    dev: { cpuMilli: 1000, memoryMi: 1024, quotaCpuMilli: 4000, quotaMemoryMi: 4096 },
    prod: { cpuMilli: 2000, memoryMi: 2048, quotaCpuMilli: 8000, quotaMemoryMi: 8192 },
};
