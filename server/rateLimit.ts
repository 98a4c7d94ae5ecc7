/**
 * Fixed-window rate limiting, the arithmetic alone: which window a moment falls in, and the
 * decision and headers for a request given the window's count (kept in PostgreSQL, so every
 * API instance shares it). Headers follow the IETF RateLimit fields draft.
 */

export interface RateLimitPolicy { limit: number; windowSeconds: number }

export const CREATIONS_PER_MINUTE: RateLimitPolicy = { limit: 5, windowSeconds: 60 };

/** Start of the window holding `nowMs`, and whole seconds until it resets (at least 1). */
export function windowOf(nowMs: number, policy: RateLimitPolicy): { start: Date; resetSeconds: number } {
    const windowMs = policy.windowSeconds * 1000;
    const startMs = Math.floor(nowMs / windowMs) * windowMs;
    return { start: new Date(startMs), resetSeconds: Math.max(1, Math.ceil((startMs + windowMs - nowMs) / 1000)) };
}

/** `count` is this request's position in the window (1 for the first). */
export function decide(count: number, resetSeconds: number, policy: RateLimitPolicy): { allowed: boolean; headers: Record<string, string> } {
    const allowed = count <= policy.limit;
    const headers: Record<string, string> = {
        "RateLimit-Policy": `${policy.limit};w=${policy.windowSeconds}`,
        "RateLimit-Limit": String(policy.limit),
        "RateLimit-Remaining": String(Math.max(0, policy.limit - count)),
        "RateLimit-Reset": String(resetSeconds),
    };
    if (!allowed) headers["Retry-After"] = String(resetSeconds);
    return { allowed, headers };
}
