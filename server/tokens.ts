/** API tokens: random, shown once, stored only as a SHA-256 hash. */
import * as crypto from "node:crypto";

export const TOKEN_PREFIX = "wst_";

export function generateToken(): string {
    return `${TOKEN_PREFIX}${crypto.randomBytes(32).toString("base64url")}`;
}

export function hashToken(token: string): string {
    return crypto.createHash("sha256").update(token, "utf8").digest("hex");
}

/** The token of an `Authorization: Bearer …` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
    return match?.[1];
}
