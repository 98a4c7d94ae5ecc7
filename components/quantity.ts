/**
 * Kubernetes resource quantities ("500m", "2", "512Mi", "1.5Gi") as numbers, so that
 * overrides can be compared with their bounds and quota sums checked before anything is
 * sent to a cluster.
 */

const BINARY_SUFFIXES: Record<string, number> = {
    Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};
const DECIMAL_SUFFIXES: Record<string, number> = {
    n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

const QUANTITY = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;

/** True when `text` is a quantity this project accepts (no exponents, no signs). */
export function isQuantity(text: string): boolean {
    return QUANTITY.test(text);
}

/** The value of a quantity in base units (cores for CPU, bytes for memory and storage). */
export function parseQuantity(text: string): number {
    const match = QUANTITY.exec(text);
    if (!match) {
        throw new Error(`"${text}" is not a Kubernetes quantity`);
    }
    const [, digits, suffix = ""] = match;
    const factor = BINARY_SUFFIXES[suffix] ?? DECIMAL_SUFFIXES[suffix];
    return Number(digits) * factor;
}

/** Sum of quantities, in base units. */
export function sumQuantities(quantities: readonly string[]): number {
    return quantities.reduce((total, quantity) => total + parseQuantity(quantity), 0);
}

/** A base-unit CPU amount printed the way `kubectl` would ("1500m", "2"). */
export function formatCpu(cores: number): string {
    const millicores = Math.round(cores * 1000);
    return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}

/** A byte amount printed with the largest exact binary suffix ("1536Mi", "2Gi"). */
export function formatBytes(bytes: number): string {
    for (const suffix of ["Ei", "Pi", "Ti", "Gi", "Mi", "Ki"]) {
        const factor = BINARY_SUFFIXES[suffix];
        if (bytes >= factor && bytes % factor === 0) {
            return `${bytes / factor}${suffix}`;
        }
    }
    return String(bytes);
}
