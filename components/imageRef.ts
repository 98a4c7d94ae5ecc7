/**
 * Container image references, parsed in one place (the grammar of the distribution
 * reference: `[registry[:port]/]path[:tag][@sha256:digest]`). A reference must carry a tag
 * other than `latest`: the chart renders `repository:tag[@digest]`, and a tag says which
 * version runs. A digest-only reference (`mariadb@sha256:…`) is refused with a hint.
 */
import { shown } from "./text";

export interface ImageReference {
    /** Registry host (and port) plus path: what the chart calls `repository`. */
    repository: string;
    tag: string;
    /** `sha256:<64 hex>` or "" */
    digest: string;
}

export type ImageReading = ({ ok: true } & ImageReference) | { ok: false; message: string; hint: string };

const REGISTRY = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::[0-9]{1,5})?$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

export function readImage(text: string): ImageReading {
    const bad = (message: string, hint: string): ImageReading => ({ ok: false, message, hint });
    const example = "write repository:tag, e.g. mariadb:11.8.3 or registry.local:5000/library/wordpress:6.8.3-php8.3-apache";
    const at = text.indexOf("@");
    const name = at >= 0 ? text.slice(0, at) : text;
    const digest = at >= 0 ? text.slice(at + 1) : "";
    if (at >= 0 && !DIGEST.test(digest)) {
        return bad(`image ${shown(text)} has an invalid digest`, "a digest is sha256: followed by 64 lowercase hex digits");
    }
    const lastSlash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    const tag = colon > lastSlash ? name.slice(colon + 1) : "";
    const repository = colon > lastSlash ? name.slice(0, colon) : name;
    const components = repository.split("/");
    // The first component is a registry when it looks like a host: a dot, a port, or localhost.
    const hasRegistry = components.length > 1 && (/[.:]/.test(components[0]) || components[0] === "localhost");
    if (hasRegistry && !REGISTRY.test(components[0])) {
        return bad(`image ${shown(text)} has an invalid registry "${components[0]}"`, "write the registry as a lowercase host name with an optional :port");
    }
    const path = hasRegistry ? components.slice(1) : components;
    if (repository === "" || !path.every((component) => PATH_COMPONENT.test(component))) {
        return bad(`${shown(text)} is not an image reference`, example);
    }
    if (tag === "") {
        return digest
            ? bad(`image ${shown(text)} has a digest but no tag`, `add the tag the digest belongs to, e.g. ${repository}:<version>@${digest.slice(0, 14)}…; the chart renders repository:tag@digest`)
            : bad(`image ${shown(text)} has no tag`, "pin a version, e.g. mariadb:11.8.3");
    }
    if (!TAG.test(tag)) {
        return bad(`image ${shown(text)} has an invalid tag`, "a tag is up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'");
    }
    if (tag === "latest") {
        return bad(`image ${shown(text)} uses "latest"`, "pin a version so rollouts happen only on purpose");
    }
    return { ok: true, repository, tag, digest };
}
