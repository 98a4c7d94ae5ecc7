/**
 * The self-service API (issue 11) as the dashboard uses it: every call under /api/v1 on the
 * page's own origin with the bearer token; errors are RFC 9457 problem documents whose
 * `errors` array names the field each problem belongs to.
 */
import type { Snapshot, Store } from "./model";

export const API_BASE = "/api/v1";

export type { Store, StoreStatus } from "./model";
export { FINAL_STATUSES } from "./model";

export interface Credentials {
    user: string;
    password: string;
    url?: string;
}

export interface FieldError {
    path: string;
    message: string;
    hint?: string;
}

/** An answer other than 2xx, with the problem document's parts the page shows. */
export class ApiError extends Error {
    constructor(
        readonly status: number,
        readonly title: string,
        readonly detail: string | undefined,
        readonly fieldErrors: FieldError[],
        /** Seconds from Retry-After (429, 409 on a busy store), when the answer has one. */
        readonly retryAfterSeconds: number | undefined,
    ) {
        super(detail ? `${title}: ${detail}` : title);
        this.name = "ApiError";
    }
}

/** Where the token lives: only for this browser tab's session. */
const TOKEN_KEY = "woostore.token";
export const tokenStore = {
    get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
    set: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
    clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

function joinPath(path: unknown): string {
    if (Array.isArray(path)) return path.map(String).join(".");
    if (typeof path === "string") return path.replace(/^\/+/, "").replace(/\//g, ".");
    return "";
}

function parseRetryAfter(value: string | null): number | undefined {
    if (value === null) return undefined;
    const seconds = Number(value);
    if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

async function toApiError(response: Response): Promise<ApiError> {
    let body: Record<string, unknown> = {};
    try {
        body = (await response.json()) as Record<string, unknown>;
    } catch {
        // Not a problem document (e.g. a proxy's HTML page): the status line is all there is.
    }
    const rawErrors = Array.isArray(body.errors) ? (body.errors as Record<string, unknown>[]) : [];
    const fieldErrors = rawErrors.map((e) => ({
        path: joinPath(e.path ?? e.field ?? e.pointer),
        message: String(e.message ?? e.detail ?? ""),
        hint: typeof e.hint === "string" ? e.hint : undefined,
    }));
    return new ApiError(
        response.status,
        typeof body.title === "string" ? body.title : response.statusText || `HTTP ${response.status}`,
        typeof body.detail === "string" ? body.detail : undefined,
        fieldErrors,
        parseRetryAfter(response.headers.get("Retry-After")),
    );
}

/** Called on any 401: the token is wrong or revoked, so the page signs out. */
let onUnauthorized: () => void = () => undefined;
export function setUnauthorizedHandler(handler: () => void) {
    onUnauthorized = handler;
}

export async function apiFetch(path: string, init: RequestInit = {}, token = tokenStore.get()): Promise<Response> {
    const headers = new Headers(init.headers);
    if (token) headers.set("Authorization", `Bearer ${token}`);
    if (init.body !== undefined) headers.set("Content-Type", "application/json");
    headers.set("Accept", "application/json, application/problem+json, text/event-stream");
    const response = await fetch(`${API_BASE}${path}`, { ...init, headers });
    if (!response.ok) {
        const error = await toApiError(response);
        if (response.status === 401) onUnauthorized();
        throw error;
    }
    return response;
}

async function json<T>(path: string, init?: RequestInit, token?: string): Promise<T> {
    const response = await apiFetch(path, init, token);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
}

const storePath = (name: string) => `/stores/${encodeURIComponent(name)}`;

function unwrapList(body: unknown): Store[] {
    if (Array.isArray(body)) return body as Store[];
    const object = body as { stores?: Store[]; items?: Store[] } | undefined;
    return object?.stores ?? object?.items ?? [];
}

export interface Me {
    name?: string;
    admin?: boolean;
}

export const api = {
    listStores: async (token?: string): Promise<Store[]> => unwrapList(await json<unknown>("/stores", undefined, token)),
    getStore: (name: string) => json<Store>(storePath(name)),
    createStore: (body: Record<string, unknown>) => json<Store>("/stores", { method: "POST", body: JSON.stringify(body) }),
    deleteStore: (name: string) => json<Store | undefined>(storePath(name), { method: "DELETE" }),
    retryStore: (name: string) => json<Store | undefined>(`${storePath(name)}/retry`, { method: "POST" }),
    credentials: async (name: string): Promise<Credentials> => {
        const body = await json<Record<string, unknown>>(`${storePath(name)}/credentials`);
        const admin = (body.admin ?? {}) as Record<string, unknown>;
        return {
            user: String(body.adminUser ?? body.user ?? admin.user ?? ""),
            password: String(body.adminPassword ?? body.password ?? admin.password ?? ""),
            url: typeof body.url === "string" ? body.url : typeof body.adminUrl === "string" ? body.adminUrl : undefined,
        };
    },
    backupStore: (name: string) => json<Store>(`${storePath(name)}/backups`, { method: "POST" }),
    listBackups: async (name: string): Promise<Snapshot[]> => (await json<{ snapshots?: Snapshot[] }>(`${storePath(name)}/backups`)).snapshots ?? [],
    eventsPath: (name: string) => `${storePath(name)}/events`,
};
