/**
 * Per-store isolation objects as plain specs: namespace labels, ResourceQuota, LimitRange
 * and NetworkPolicies. Pure functions, so tests check them without Pulumi.
 * NetworkPolicy selectors follow ../shared/research/tenancy-anchors.md §3 (k3s/Traefik/CoreDNS).
 */
import type * as k8s from "@pulumi/kubernetes";
import { LABELS } from "./defaults";
import { EGRESS_MODES, EgressMode, EPHEMERAL_STORAGE } from "./runtime";
import type { StackConfig } from "./stackConfig";
import type { ResolvedStore } from "./storeList";

export const MANAGED_BY = "pulumi";
export const PART_OF = "woostore";

/** Labels every object of a store carries. */
export function storeLabels(store: ResolvedStore): Record<string, string> {
    return {
        [LABELS.store]: store.name,
        [LABELS.partOf]: PART_OF,
        [LABELS.managedBy]: MANAGED_BY,
        [LABELS.instance]: store.name,
    };
}

export function namespaceLabels(store: ResolvedStore, config: StackConfig): Record<string, string> {
    const level = config.podSecurity;
    return {
        ...storeLabels(store),
        [LABELS.name]: "woostore",
        // Enforce the configured level; always warn and audit at restricted so drift shows.
        "pod-security.kubernetes.io/enforce": level,
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
    };
}

export function resourceQuotaSpec(store: ResolvedStore) {
    const quota = store.quota;
    return {
        hard: {
            "requests.cpu": quota.cpu,
            "limits.cpu": quota.cpu,
            "requests.memory": quota.memory,
            "limits.memory": quota.memory,
            "requests.storage": quota.storage,
            // Node disk: without it one store can fill a node through /tmp and get others evicted.
            "requests.ephemeral-storage": quota.ephemeralStorage,
            "limits.ephemeral-storage": quota.ephemeralStorage,
            pods: String(quota.pods),
            persistentvolumeclaims: String(quota.persistentVolumeClaims),
            "services.loadbalancers": "0",
            "services.nodeports": "0",
        },
    };
}

export function limitRangeSpec(store: ResolvedStore) {
    const container = store.container;
    return {
        limits: [{
            type: "Container",
            defaultRequest: { ...container.requests, "ephemeral-storage": EPHEMERAL_STORAGE.containerDefault.request },
            default: { ...container.limits, "ephemeral-storage": EPHEMERAL_STORAGE.containerDefault.limit },
            max: { ...container.max, "ephemeral-storage": EPHEMERAL_STORAGE.containerDefault.max },
        }],
    };
}

/** Private and special ranges the "internet" egress rule excludes (cluster, node LAN, metadata). */
export const NON_INTERNET_CIDRS = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "169.254.0.0/16",
    "127.0.0.0/8",
] as const;

const WORDPRESS = { [LABELS.name]: "wordpress" };
/** The WP-Cron CronJob's pods (charts/woostore/templates/wordpress-cron.yaml). */
export const CRON_POD_NAME = "woostore-cron";
const CRON = { [LABELS.name]: CRON_POD_NAME };
/** WordPress and its cron pod run the same PHP code, so they get the same way out. */
const WORDPRESS_AND_CRON = { matchExpressions: [{ key: LABELS.name, operator: "In", values: ["wordpress", CRON_POD_NAME] }] };
const MARIADB = { [LABELS.name]: "mariadb" };
const SETUP = { [LABELS.component]: "setup" };
const KUBE_SYSTEM = { "kubernetes.io/metadata.name": "kube-system" };

export interface NetworkPolicySpec {
    name: string;
    spec: k8s.types.input.networking.v1.NetworkPolicySpec;
}

/** cert-manager's HTTP-01 solver pod runs in the store namespace and listens on 8089. */
export const ACME_SOLVER_PORT = 8089;

export interface NetworkPolicyOptions {
    tlsEnabled: boolean;
    /** `web`: WordPress and cron may reach 80/443 on the internet; `none`: nothing beyond the store. */
    egress: EgressMode;
    /** TCP port of the SMTP relay, when mail is configured. */
    smtpPort?: number;
}

export function networkPolicySpecs(options: NetworkPolicyOptions): NetworkPolicySpec[] {
    if (!EGRESS_MODES.includes(options.egress)) {
        throw new Error(`unknown egress mode ${String(options.egress)}`);
    }
    const tcp = (port: number) => ({ protocol: "TCP", port });
    const traefik = { namespaceSelector: { matchLabels: KUBE_SYSTEM }, podSelector: { matchLabels: { [LABELS.name]: "traefik" } } };
    const acmeSolver: NetworkPolicySpec[] = options.tlsEnabled ? [{
        name: "acme-http01-solver-ingress",
        spec: {
            podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
            policyTypes: ["Ingress"],
            ingress: [{ from: [traefik], ports: [tcp(ACME_SOLVER_PORT)] }],
        },
    }] : [];
    const internet = { ipBlock: { cidr: "0.0.0.0/0", except: [...NON_INTERNET_CIDRS] } };
    const web: NetworkPolicySpec[] = options.egress === "web" ? [{
        // Payment gateways, shipping and tax APIs, plugin and translation downloads, WordPress'
        // own update checks: 80/443 to the internet, never to the cluster, the LAN or metadata.
        name: "wordpress-egress-web",
        spec: { podSelector: WORDPRESS_AND_CRON, policyTypes: ["Egress"], egress: [{ to: [internet], ports: [tcp(443), tcp(80)] }] },
    }] : [];
    const smtp: NetworkPolicySpec[] = options.smtpPort !== undefined ? [{
        // The relay is named by host, which a NetworkPolicy cannot express: its port, anywhere
        // (a relay may also run on the LAN).
        name: "wordpress-egress-smtp",
        spec: { podSelector: WORDPRESS_AND_CRON, policyTypes: ["Egress"], egress: [{ ports: [tcp(options.smtpPort)] }] },
    }] : [];
    return [
        { name: "default-deny", spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
        {
            name: "allow-dns-egress",
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [{
                    to: [{ namespaceSelector: { matchLabels: KUBE_SYSTEM }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
                    ports: [{ protocol: "UDP", port: 53 }, tcp(53)],
                }],
            },
        },
        {
            name: "wordpress-ingress",
            spec: {
                podSelector: { matchLabels: WORDPRESS },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [traefik], ports: [tcp(80)] },
                    { from: [{ podSelector: { matchLabels: SETUP } }], ports: [tcp(80)] },
                ],
            },
        },
        {
            name: "wordpress-egress-mariadb",
            spec: { podSelector: WORDPRESS_AND_CRON, policyTypes: ["Egress"], egress: [{ to: [{ podSelector: { matchLabels: MARIADB } }], ports: [tcp(3306)] }] },
        },
        {
            name: "mariadb-ingress",
            spec: {
                podSelector: { matchLabels: MARIADB },
                policyTypes: ["Ingress"],
                // The setup Job and the cron pod run WP-CLI, which talks SQL directly.
                ingress: [{ from: [{ podSelector: { matchLabels: WORDPRESS } }, { podSelector: { matchLabels: SETUP } }, { podSelector: { matchLabels: CRON } }], ports: [tcp(3306)] }],
            },
        },
        {
            name: "setup-egress",
            spec: {
                podSelector: { matchLabels: SETUP },
                policyTypes: ["Egress"],
                egress: [
                    { to: [{ podSelector: { matchLabels: WORDPRESS } }], ports: [tcp(80)] },
                    { to: [{ podSelector: { matchLabels: MARIADB } }], ports: [tcp(3306)] },
                    // The setup Job always reaches the internet: it downloads WooCommerce and WordPress core.
                    { to: [internet], ports: [tcp(443), tcp(80)] },
                ],
            },
        },
        ...web,
        ...smtp,
        ...acmeSolver,
    ];
}
