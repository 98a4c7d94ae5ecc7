/**
 * zod types for each kind of value, built on the one parser of that kind (quantity.ts,
 * dnsNames.ts, imageRef.ts, locale.ts). Messages are written "what is wrong — how to fix it";
 * quantities come out in their canonical form (see quantity.ts), so what is checked is what
 * the chart, the quota and the LimitRange receive.
 */
import { z } from "zod";
import { readDnsSubdomain, readHost } from "./dnsNames";
import { readImage } from "./imageRef";
import { readCountry, readCurrency } from "./locale";
import { readBytes, readCpu, Reading } from "./quantity";

type Check = { ok: true } | { ok: false; message: string; hint: string };

/** A string refined by a reader; the reader's message becomes the issue. */
function checked(read: (text: string) => Check) {
    return z.string().check((ctx) => {
        const reading = read(ctx.value);
        if (!reading.ok) {
            ctx.issues.push({ code: "custom", message: `${reading.message} — ${reading.hint}`, input: ctx.value });
        }
    });
}

function quantity(read: (text: string) => Reading, minimum?: { value: string; what: string; why: string }) {
    const floor = minimum ? read(minimum.value) : undefined;
    return z.string().transform((text, ctx) => {
        const reading = read(text);
        if (!reading.ok) {
            ctx.issues.push({ code: "custom", message: `${reading.message} — ${reading.hint}`, input: text });
            return z.NEVER;
        }
        if (minimum && floor?.ok && reading.base < floor.base) {
            ctx.issues.push({ code: "custom", message: `${minimum.what} ${text} is below the minimum ${minimum.value} — ${minimum.why}`, input: text });
            return z.NEVER;
        }
        return reading.canonical;
    });
}

export interface Minimum { value: string; what: string; why: string }

/** CPU ("2", "1.5", "500m"), passed on as whole millicores. */
export const cpuQuantity = (minimum?: Minimum) => quantity(readCpu, minimum);
/** Memory or storage ("512Mi", "1.5Gi", "1G"), passed on as whole mebibytes. */
export const byteQuantity = (minimum?: Minimum) => quantity(readBytes, minimum);

export const hostName = (what: string) => checked((text) => readHost(what, text));
export const dnsSubdomain = (what: string, example: string) => checked((text) => readDnsSubdomain(what, text, example));
/** "" (meaning: none / the cluster default) or a DNS subdomain. */
export const optionalDnsSubdomain = (what: string, example: string) => checked((text) => (text === "" ? { ok: true } : readDnsSubdomain(what, text, example)));
export const imageReference = checked(readImage);
export const country = checked(readCountry);
export const currency = checked(readCurrency);
