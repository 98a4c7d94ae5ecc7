/**
 * Kubernetes resource quantities ("500m", "2", "512Mi", "1.5Gi"): the one place they are
 * parsed. Every quantity the program accepts is read exactly (integers, no floating point) and
 * then passed on in one canonical form, the same to the ResourceQuota, the LimitRange, the
 * setup Job and the chart (whose values.schema.json accepts only these forms):
 *   - CPU in whole millicores: "2", "1500m" (finer than 1m is refused);
 *   - memory and storage in whole mebibytes: "512Mi", "1536Mi", "2Gi"; a value that is not a
 *     whole number of Mi is rounded up to the next Mi (1G → 954Mi), as a volume provisioner
 *     would round a claim up.
 */

const BINARY_SUFFIXES: Record<string, bigint> = {
    Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n,
};
/** Decimal suffixes as a power of ten. */
const DECIMAL_EXPONENTS: Record<string, number> = {
    n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18,
};

/** What this project accepts: no sign, no exponent, an optional fraction, one suffix. */
const QUANTITY = /^([0-9]+)(?:\.([0-9]+))?(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

const MEBIBYTE = 1n << 20n;

/** An exact non-negative rational value: numerator / 10^scale. */
interface Exact { numerator: bigint; scale: number }

function exact(text: string): Exact | undefined {
    const match = QUANTITY.exec(text);
    if (!match) {
        return undefined;
    }
    const [, whole, fraction = "", suffix = ""] = match;
    let numerator = BigInt(whole + fraction);
    let scale = fraction.length;
    const binary = BINARY_SUFFIXES[suffix];
    if (binary !== undefined) {
        numerator *= binary;
    } else {
        scale -= DECIMAL_EXPONENTS[suffix];
    }
    if (scale < 0) {
        numerator *= 10n ** BigInt(-scale);
        scale = 0;
    }
    return { numerator, scale };
}

/** True when `text` is a quantity this project accepts (no exponents, no signs). */
export function isQuantity(text: string): boolean {
    return QUANTITY.test(text);
}

/** The value of a quantity in base units (cores for CPU, bytes for memory and storage). */
export function parseQuantity(text: string): number {
    const value = exact(text);
    if (!value) {
        throw new Error(`"${text}" is not a Kubernetes quantity`);
    }
    return Number(value.numerator) / 10 ** value.scale;
}

export type Reading = { ok: true; canonical: string; base: bigint } | { ok: false; message: string; hint: string };

/**
 * A CPU quantity as whole millicores. `base` is millicores. Refuses binary suffixes and
 * precision below 1m (the API server would round it silently).
 */
export function readCpu(text: string): Reading {
    if (/[KMGTPE]i$/.test(text) || !isQuantity(text)) {
        return { ok: false, message: `"${text}" is not a CPU quantity`, hint: "write cores (\"2\", \"1.5\") or millicores (\"500m\")" };
    }
    const value = exact(text)!;
    const milli = value.numerator * 1000n;
    const divisor = 10n ** BigInt(value.scale);
    if (milli % divisor !== 0n) {
        return { ok: false, message: `CPU "${text}" is finer than a millicore`, hint: `Kubernetes counts CPU in whole millicores: write ${formatMillicores((milli + divisor - 1n) / divisor)}` };
    }
    const millicores = milli / divisor;
    return { ok: true, canonical: formatMillicores(millicores), base: millicores };
}

/**
 * A memory or storage quantity as whole mebibytes (rounded up). `base` is bytes of the
 * canonical value. Refuses the millis suffix ("512m" is half a byte, almost surely meant "Mi").
 */
export function readBytes(text: string): Reading {
    if (!isQuantity(text) || /[num]$/.test(text)) {
        const hint = /^[0-9.]+m$/.test(text) ? `"m" means thousandths, not mega: write "${text.slice(0, -1)}Mi"` : "write e.g. \"512Mi\", \"2Gi\"";
        return { ok: false, message: `"${text}" is not a memory/storage quantity`, hint };
    }
    const value = exact(text)!;
    const divisor = 10n ** BigInt(value.scale) * MEBIBYTE;
    const mebibytes = (value.numerator + divisor - 1n) / divisor;
    return { ok: true, canonical: formatMebibytes(mebibytes), base: mebibytes * MEBIBYTE };
}

function formatMillicores(millicores: bigint): string {
    return millicores % 1000n === 0n ? String(millicores / 1000n) : `${millicores}m`;
}

function formatMebibytes(mebibytes: bigint): string {
    for (const [suffix, shift] of [["Ei", 40n], ["Pi", 30n], ["Ti", 20n], ["Gi", 10n]] as const) {
        const factor = 1n << shift;
        if (mebibytes >= factor && mebibytes % factor === 0n) {
            return `${mebibytes / factor}${suffix}`;
        }
    }
    return `${mebibytes}Mi`;
}

/** Canonical form of a quantity already known to be valid (defaults, test fixtures). */
export function canonicalCpu(text: string): string {
    const reading = readCpu(text);
    if (!reading.ok) throw new Error(`${reading.message} — ${reading.hint}`);
    return reading.canonical;
}

export function canonicalBytes(text: string): string {
    const reading = readBytes(text);
    if (!reading.ok) throw new Error(`${reading.message} — ${reading.hint}`);
    return reading.canonical;
}

/** Sum of quantities, in base units. */
export function sumQuantities(quantities: readonly string[]): number {
    return quantities.reduce((total, quantity) => total + parseQuantity(quantity), 0);
}

/** A base-unit CPU amount printed the way `kubectl` would ("1500m", "2"). */
export function formatCpu(cores: number): string {
    return formatMillicores(BigInt(Math.round(cores * 1000)));
}

/** A byte amount printed with the largest exact binary suffix ("1536Mi", "2Gi"). */
export function formatBytes(bytes: number): string {
    for (const suffix of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) {
        const factor = Number(BINARY_SUFFIXES[suffix]);
        if (bytes >= factor && bytes % factor === 0) {
            return `${bytes / factor}${suffix}`;
        }
    }
    return String(bytes);
}
