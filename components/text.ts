/** How values are quoted inside messages: short, so a 1 MB name is not echoed in full. */

export const MAX_SHOWN_LENGTH = 60;

/** A value as it appears in a message: JSON-quoted, and cut to MAX_SHOWN_LENGTH characters. */
export function shown(value: unknown): string {
    const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
    if (text.length <= MAX_SHOWN_LENGTH) {
        return JSON.stringify(text);
    }
    return `${JSON.stringify(text.slice(0, MAX_SHOWN_LENGTH))}… (${text.length} characters)`;
}

/** "a string", "an object": the indefinite article English wants. */
export function withArticle(noun: string): string {
    return `${/^[aeiou]/i.test(noun) ? "an" : "a"} ${noun}`;
}
