/**
 * DNS names as Kubernetes and the Ingress accept them, parsed in one place: store names
 * (DNS-1123 labels), object names such as a StorageClass or ClusterIssuer (DNS-1123
 * subdomains) and public host names (a subdomain that is not an IP address). Each reader
 * returns what is wrong and how to fix it, in words meant for the person who wrote the value.
 */
import { isIP } from "net";
import { shown } from "./text";

export type NameReading = { ok: true } | { ok: false; message: string; hint: string };

const LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const MAX_LABEL_LENGTH = 63;
export const MAX_SUBDOMAIN_LENGTH = 253;

/** The first character outside printable ASCII, named, for the IDN hint. */
function firstNonAscii(text: string): string | undefined {
    for (const character of text) {
        const code = character.codePointAt(0)!;
        if (code > 0x7e || code < 0x20) {
            return `'${character}' (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
        }
    }
    return undefined;
}

/** Why a name with non-ASCII characters is refused: look-alike letters and IDNs both land here. */
export function nonAsciiProblem(what: string, text: string): NameReading | undefined {
    const character = firstNonAscii(text);
    if (character === undefined) {
        return undefined;
    }
    return {
        ok: false,
        message: `${what} ${shown(text)} contains the non-ASCII character ${character}`,
        hint: "write it in plain ASCII (a look-alike letter from another alphabet is a different name); an internationalised domain name goes in its punycode form, xn--…",
    };
}

/** A DNS-1123 subdomain: lowercase labels joined by dots, at most 253 characters. */
export function readDnsSubdomain(what: string, text: string, example: string): NameReading {
    const nonAscii = nonAsciiProblem(what, text);
    if (nonAscii) {
        return nonAscii;
    }
    if (text.length === 0) {
        return { ok: false, message: `${what} is empty`, hint: `write a name, e.g. ${example}` };
    }
    if (text.length > MAX_SUBDOMAIN_LENGTH) {
        return { ok: false, message: `${what} ${shown(text)} is ${text.length} characters long, more than ${MAX_SUBDOMAIN_LENGTH}`, hint: "shorten it" };
    }
    if (text !== text.toLowerCase() && text.toLowerCase().split(".").every((label) => LABEL.test(label))) {
        return { ok: false, message: `${what} ${shown(text)} has capital letters`, hint: `write it in lowercase: ${shown(text.toLowerCase())}` };
    }
    const labels = text.split(".");
    const long = labels.find((label) => label.length > MAX_LABEL_LENGTH);
    if (long !== undefined) {
        return { ok: false, message: `${what} ${shown(text)} has a part of ${long.length} characters, more than ${MAX_LABEL_LENGTH}`, hint: "shorten the part between the dots" };
    }
    if (!labels.every((label) => LABEL.test(label))) {
        return { ok: false, message: `${what} ${shown(text)} is not a valid DNS name`, hint: `use lowercase letters, digits, '-' and '.', each part starting and ending with a letter or digit, e.g. ${example}` };
    }
    return { ok: true };
}

/** A public host name for an Ingress rule: a DNS subdomain, not an IP address, no scheme, port or path. */
export function readHost(what: string, text: string): NameReading {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /[/:]/.test(text)) {
        return { ok: false, message: `${what} ${shown(text)} is not a bare host name`, hint: "write only the host, without scheme, port or path, e.g. shop.example.com" };
    }
    if (isIP(text) !== 0 || /^[0-9.]+$/.test(text)) {
        return { ok: false, message: `${what} ${shown(text)} is an IP address`, hint: "an Ingress rule needs a DNS name: write a host name that resolves to the ingress, e.g. shop.example.com" };
    }
    if (text.startsWith("*")) {
        return { ok: false, message: `${what} ${shown(text)} is a wildcard`, hint: "every store needs a host of its own: write one host name, e.g. shop.example.com" };
    }
    return readDnsSubdomain(what, text, "shop.example.com");
}

/** True when `host` is `domain` or below it. */
export function isWithinDomain(host: string, domain: string): boolean {
    return host === domain || host.endsWith(`.${domain}`);
}
