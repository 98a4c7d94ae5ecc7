/**
 * Reading resource properties safely, in previews too.
 *
 * During a preview some property values are unknown (they depend on outputs that do not
 * exist yet). @pulumi/policy hands policies a proxy that THROWS `UnknownValueError` when such
 * a value is read, and a throw makes the whole policy "advisory: can't run during preview".
 * One unknown namespace name would then switch off the namespace check for every store.
 * So every read here goes through `get`, which returns the `UNKNOWN` marker instead of
 * throwing, and the pure checks treat `UNKNOWN` as "cannot tell yet": never a violation on
 * its own. The same checks run again, with known values, during `pulumi up`.
 */

/** Marker for a value that is unknown during a preview. */
export const UNKNOWN: unique symbol = Symbol.for("woostore.policy.unknown");
export type Unknown = typeof UNKNOWN;
/** A value that may be absent (`undefined`) or not known yet (`UNKNOWN`). */
export type Maybe<T> = T | Unknown | undefined;

/**
 * The engine's wire sentinels for unknown values (pulumi `rpc` "unknown" GUIDs). @pulumi/policy
 * maps them to the throwing proxy, but a raw props object (or one unwrapped by a library) can
 * still carry them, so they count as unknown too.
 */
const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
    "030794c1-ac77-496b-92df-f27374a8bd58", // asset
    "e48ece36-62e2-4504-bad9-02848725956a", // archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

/** True for @pulumi/policy's `UnknownValueError` (matched by shape: the class is internal). */
export function isUnknownValueError(e: unknown): boolean {
    if (!(e instanceof Error)) return false;
    return e.constructor?.name === "UnknownValueError" || /can't be known during preview/.test(e.message);
}

export function isUnknown(v: unknown): v is Unknown {
    return v === UNKNOWN || (typeof v === "string" && UNKNOWN_SENTINELS.has(v));
}

/**
 * `get(obj, "metadata", "labels", "x")`: the value at the path, `undefined` when any step is
 * absent, `UNKNOWN` when any step is unknown. Never throws.
 */
export function get(obj: unknown, ...path: string[]): unknown {
    let cur: unknown = obj;
    for (const key of path) {
        if (isUnknown(cur)) return UNKNOWN;
        if (cur === null || cur === undefined || typeof cur !== "object") return undefined;
        try {
            cur = (cur as Record<string, unknown>)[key];
        } catch (e) {
            if (isUnknownValueError(e)) return UNKNOWN;
            throw e;
        }
    }
    return isUnknown(cur) ? UNKNOWN : cur;
}

/** Like `get`, narrowed to a string: anything else known is `undefined`. */
export function getString(obj: unknown, ...path: string[]): Maybe<string> {
    const v = get(obj, ...path);
    if (v === UNKNOWN) return UNKNOWN;
    return typeof v === "string" ? v : undefined;
}

/** Like `get`, narrowed to an array; its elements are read with `get` too. */
export function getArray(obj: unknown, ...path: string[]): Maybe<unknown[]> {
    const v = get(obj, ...path);
    if (v === UNKNOWN) return UNKNOWN;
    if (!Array.isArray(v)) return undefined;
    const out: unknown[] = [];
    let n: number;
    try {
        n = v.length;
    } catch (e) {
        if (isUnknownValueError(e)) return UNKNOWN;
        throw e;
    }
    for (let i = 0; i < n; i++) out.push(get(v, String(i)));
    return out;
}

/** The own keys of an object (`[]` when absent, `UNKNOWN` when unknown). */
export function getKeys(obj: unknown, ...path: string[]): Maybe<string[]> {
    const v = get(obj, ...path);
    if (v === UNKNOWN) return UNKNOWN;
    if (v === null || v === undefined || typeof v !== "object") return [];
    try {
        return Object.keys(v as object);
    } catch (e) {
        if (isUnknownValueError(e)) return UNKNOWN;
        throw e;
    }
}

/**
 * The stack name from a URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. Every resource a
 * policy sees carries its URN, so this is the reliable way for a policy pack to know the stack
 * (@pulumi/policy 1.21 does not pass the stack name to policies, and `pulumi.getStack()` in the
 * pack's process works only when the language host forwards the stack to it, which the upstream
 * host does only in recent versions and the testbed's host and the legacy shim do not).
 */
export function stackFromUrn(urn: string): string | undefined {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn);
    return m ? m[1] : undefined;
}

/** A violation found by a pure check: a message and, for stack policies, the URN it is about. */
export interface Violation {
    message: string;
    urn?: string;
}
