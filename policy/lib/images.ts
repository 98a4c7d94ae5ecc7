/** Container image references: is an image pinned to a version? */

/**
 * Why `image` is not pinned, or `undefined` when it is. Pinned means a digest
 * (`name@sha256:…`) or an explicit tag other than `latest`. `host:5000/name` has no tag: the
 * tag is looked for after the last `/` only.
 */
export function imageRefProblem(image: string): string | undefined {
    const ref = image.trim();
    if (ref === "") return "empty image reference";
    const at = ref.indexOf("@");
    if (at >= 0) {
        const digest = ref.slice(at + 1);
        return /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/.test(digest)
            ? undefined
            : `image "${image}" has a malformed digest`;
    }
    const lastSegment = ref.slice(ref.lastIndexOf("/") + 1);
    const colon = lastSegment.lastIndexOf(":");
    if (colon < 0) return `image "${image}" is untagged (means :latest); pin a version tag or a digest`;
    return tagProblem(lastSegment.slice(colon + 1), `image "${image}"`);
}

/**
 * Why a bare tag (a chart's `image.tag` value) is not pinned, or `undefined`. A tag may carry a
 * digest (`6.8.3@sha256:…`, as components/helmValues.ts writes it), which pins it whatever the tag.
 */
export function tagProblem(tag: string, what = "tag"): string | undefined {
    const t = tag.trim();
    const at = t.indexOf("@");
    if (at >= 0) return imageRefProblem(`x${t.slice(at)}`) === undefined ? undefined : `${what} has a malformed digest`;
    if (t === "") return `${what} is empty (means :latest); pin a version tag or a digest`;
    if (t.toLowerCase() === "latest") return `${what} uses :latest; pin a version tag or a digest`;
    return undefined;
}
