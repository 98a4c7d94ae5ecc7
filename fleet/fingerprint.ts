/**
 * A store's fingerprint: what its per-store stack was last deployed from. When nothing in it
 * changed, `npm run up` leaves the store's stack alone (no lock, no preview, no CLI process).
 * It hashes the resolved store entry, the stack config, the chart's content digest, the setup
 * script's checksum and the program's version (package version plus a digest of the program's
 * sources and the lock file, so a code or dependency change reaches every store).
 */
import * as crypto from "crypto";

/** A stack config value as the Automation API returns it. */
export interface ConfigEntry { value: string; secret?: boolean }

export interface FingerprintParts {
    store: unknown;
    stackConfig: Record<string, ConfigEntry>;
    chartDigest: string;
    setupChecksum: string;
    programVersion: string;
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>)
            .filter(([, inner]) => inner !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(",")}}`;
    }
    return JSON.stringify(value) ?? "null";
}

export const sha256 = (text: string | Buffer): string => crypto.createHash("sha256").update(text).digest("hex");

/**
 * Secret config values enter the fingerprint only as their own digest, so the fingerprint
 * (kept in a stack tag and a local cache) never carries a secret.
 */
export function fingerprint(parts: FingerprintParts): string {
    const config = Object.fromEntries(Object.entries(parts.stackConfig).map(([key, entry]) =>
        [key, entry.secret ? { secretDigest: sha256(`woostore-secret\0${entry.value}`) } : entry.value]));
    return sha256(canonicalJson({ ...parts, stackConfig: config })).slice(0, 32);
}
