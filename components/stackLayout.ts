/**
 * Stack layouts (`woostore:stackLayout`). `single`: one stack (e.g. `dev`) holds every store of
 * the list. `perStore`: one stack per store, named `<base>.<store>` (e.g. `dev.demo-shop`); the
 * same program runs in each and registers only the store its stack name says it owns, so a
 * plain `pulumi up --stack dev.demo-shop` can never touch another store.
 */

export type StackLayout = "single" | "perStore";
export const STACK_LAYOUTS: readonly StackLayout[] = ["single", "perStore"];

/** Separates the base stack from the store in a per-store stack's name. Store names have no dots. */
export const STORE_STACK_SEPARATOR = ".";

export function storeStackName(baseStack: string, store: string): string {
    return `${baseStack}${STORE_STACK_SEPARATOR}${store}`;
}

/** `dev.demo-shop` → `{ base: "dev", store: "demo-shop" }`; `dev` → `{ base: "dev" }`. */
export function parseStackName(stack: string): { base: string; store?: string } {
    const at = stack.indexOf(STORE_STACK_SEPARATOR);
    return at < 0 ? { base: stack } : { base: stack.slice(0, at), store: stack.slice(at + 1) };
}

/**
 * Why a stack may not run the program under the given layout, or undefined when it may.
 * `storeNames` are the stores of the validated list.
 */
export function ownershipProblem(stack: string, layout: StackLayout, storeNames: readonly string[]): { message: string; hint: string } | undefined {
    const { base, store } = parseStackName(stack);
    if (layout === "perStore" && store === undefined) {
        return {
            message: `stack "${stack}" has woostore:stackLayout perStore: its stores live in one stack each (${storeStackName(stack, "<store>")}), so this stack registers nothing`,
            hint: `run \`npm run up -- --stack ${stack}\`, or the Pulumi CLI on one store's stack (README: "Per-store stacks by hand")`,
        };
    }
    if (layout === "single" && store !== undefined) {
        return {
            message: `stack "${stack}" is a per-store stack, but stack "${base}" has woostore:stackLayout single`,
            hint: `move the store back with \`npm run migrate -- --stack ${base} --to single\`, or set woostore:stackLayout: perStore in Pulumi.${base}.yaml`,
        };
    }
    if (store !== undefined && !storeNames.includes(store)) {
        return {
            message: `stack "${stack}" owns store "${store}", which is not in the store list; it refuses to run so that it never creates, changes or deletes another store`,
            hint: `add the store back, or remove its stack with \`npm run up -- --stack ${base}\` (it destroys the stacks of removed stores)`,
        };
    }
    return undefined;
}
