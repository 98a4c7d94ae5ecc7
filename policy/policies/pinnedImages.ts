/**
 * images-pinned (resource policy): every container image is pinned (a version tag that is not
 * `latest`, or a digest) in Pods, Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and
 * CronJobs, and in the WooStore Helm Release's values.
 *
 * Policies cannot see the objects a `helm.sh/v3:Release` renders, so for a Release the check
 * reads its `values`: `wordpress.image.tag`, `mariadb.image.tag` and `cron.image.tag` (the WP-Cron
 * CronJob's WP-CLI image) must be set (the chart's defaults are out of the policy's sight) and
 * pinned: a version tag, `tag@sha256:…` in the tag, or a `sha256:…` in `image.digest` (the form
 * components/helmValues.ts writes). An image (or tag) that is unknown during
 * a preview is not judged; it is judged in `up`, before the resource is created.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { imageRefProblem, tagProblem } from "../lib/images";
import { get, getArray, getString, UNKNOWN } from "../lib/values";

export const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** Where the pod spec sits in each workload type's inputs. */
export const POD_SPEC_PATHS: Record<string, string[]> = {
    "kubernetes:core/v1:Pod": ["spec"],
    "kubernetes:apps/v1:Deployment": ["spec", "template", "spec"],
    "kubernetes:apps/v1:StatefulSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:DaemonSet": ["spec", "template", "spec"],
    "kubernetes:apps/v1:ReplicaSet": ["spec", "template", "spec"],
    "kubernetes:batch/v1:Job": ["spec", "template", "spec"],
    "kubernetes:batch/v1:CronJob": ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** Release values keys whose `image.tag` must be set and pinned (the WooStore chart's images). */
export const DEFAULT_RELEASE_IMAGE_KEYS = ["wordpress", "mariadb", "cron"];

/** The pure check for a pod spec: one message per unpinned container image. */
export function podSpecImageProblems(podSpec: unknown): string[] {
    const problems: string[] = [];
    for (const list of ["initContainers", "containers", "ephemeralContainers"]) {
        const containers = getArray(podSpec, list);
        if (containers === UNKNOWN || containers === undefined) continue;
        for (const c of containers) {
            const name = getString(c, "name");
            const image = getString(c, "image");
            const who = typeof name === "string" ? `container "${name}"` : "a container";
            if (image === UNKNOWN) continue; // judged at `up`
            if (image === undefined) {
                problems.push(`${who} has no image`);
                continue;
            }
            const p = imageRefProblem(image);
            if (p) problems.push(`${who}: ${p}`);
        }
    }
    return problems;
}

/** True when a Release's `chart` is the WooStore chart (`charts/woostore`, `./charts/woostore`, …). */
export function isWooStoreChart(chart: unknown): boolean {
    if (chart === UNKNOWN) return true; // cannot tell: hold it to the stricter rule
    return typeof chart === "string" && /(^|\/)woostore\/?$/.test(chart.trim());
}

/**
 * The pure check for a Release's values. With `required` (the WooStore chart) each listed key
 * must have a pinned `image.tag` (or `image.digest`); otherwise only the tags present are checked.
 */
export function releaseValuesProblems(
    values: unknown,
    keys: string[] = DEFAULT_RELEASE_IMAGE_KEYS,
    required = true,
): string[] {
    if (values === UNKNOWN) return [];
    const problems: string[] = [];
    for (const key of keys) {
        const tag = get(values, key, "image", "tag");
        const digest = get(values, key, "image", "digest");
        if (tag === UNKNOWN || digest === UNKNOWN) continue; // judged at `up`
        if (typeof digest === "string" && digest !== "") {
            if (imageRefProblem(`x@${digest}`) === undefined) continue; // pinned by digest, whatever the tag
            problems.push(`values.${key}.image.digest "${digest}" is malformed; write sha256:<64 hex digits> or leave it empty`);
            continue;
        }
        if (tag === undefined || tag === null) {
            if (!required) continue;
            problems.push(`values.${key}.image.tag is not set; set it explicitly (the policy cannot see the chart's defaults)`);
            continue;
        }
        if (typeof tag !== "string") {
            problems.push(`values.${key}.image.tag must be a string, got ${typeof tag}`);
            continue;
        }
        const p = tagProblem(tag, `values.${key}.image.tag "${tag}"`);
        if (p) problems.push(p);
    }
    return problems;
}

export interface PinnedImagesConfig {
    releaseImageKeys?: string[];
}

export const pinnedImages: ResourceValidationPolicy = {
    name: "images-pinned",
    description:
        "Container images are pinned (a version tag other than latest, or a digest) in workloads and in the " +
        "WooStore Helm Release's values (wordpress, mariadb and cron image.tag or image.digest).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            releaseImageKeys: { type: "array", items: { type: "string" }, default: DEFAULT_RELEASE_IMAGE_KEYS },
        },
    },
    validateResource: (args, reportViolation) => {
        const podSpecPath = POD_SPEC_PATHS[args.type];
        if (podSpecPath) {
            for (const p of podSpecImageProblems(get(args.props, ...podSpecPath))) reportViolation(p);
            return;
        }
        if (args.type === RELEASE_TYPE) {
            const keys = args.getConfig<PinnedImagesConfig>().releaseImageKeys ?? DEFAULT_RELEASE_IMAGE_KEYS;
            const required = isWooStoreChart(get(args.props, "chart"));
            for (const p of releaseValuesProblems(get(args.props, "values"), keys, required)) {
                reportViolation(`Helm release: ${p}`);
            }
        }
    },
};
