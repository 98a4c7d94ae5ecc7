/** Walks a zod schema along an issue path to list the keys an object there accepts. */
import type { core } from "zod";

type AnySchema = core.$ZodType;

function unwrap(schema: AnySchema): AnySchema {
    let current = schema;
    // optional / default / prefault / nullable / pipe wrappers keep the real type in innerType or in.
    for (let depth = 0; depth < 10; depth++) {
        const def = current._zod.def as { innerType?: AnySchema; in?: AnySchema; type: string };
        if (def.innerType) {
            current = def.innerType;
        } else if (def.type === "pipe" && def.in) {
            current = def.in;
        } else {
            break;
        }
    }
    return current;
}

export function allowedKeysAt(schema: AnySchema, path: readonly PropertyKey[]): string[] {
    let current = unwrap(schema);
    for (const segment of path) {
        const def = current._zod.def as { type: string; shape?: Record<string, AnySchema>; element?: AnySchema };
        if (def.type === "object" && def.shape && typeof segment === "string" && def.shape[segment]) {
            current = unwrap(def.shape[segment]);
        } else if (def.type === "array" && def.element && typeof segment === "number") {
            current = unwrap(def.element);
        } else {
            return [];
        }
    }
    const def = current._zod.def as { type: string; shape?: Record<string, AnySchema> };
    return def.type === "object" && def.shape ? Object.keys(def.shape) : [];
}
