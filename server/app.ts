/**
 * The HTTP application, built without listening (tests inject requests; `serve.ts` listens):
 * Fastify 5 with zod schemas, RFC 9457 problems, OpenAPI 3.1, security headers, bearer-token
 * auth and the store routes. All I/O comes in through AppDeps.
 */
import fastifyStatic from "@fastify/static";
import fastifySwagger from "@fastify/swagger";
import Fastify, { FastifyError, FastifyInstance, FastifyReply, FastifyServerOptions } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler } from "fastify-type-provider-zod";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import type { Pool } from "pg";
import type { PgBoss } from "pg-boss";
import type { core } from "zod";
import { trustProxyOption } from "./config";
import { migrationsDone } from "./db/migrate";
import { TokenRow, tokenByHash } from "./db/repository";
import type { StoreOperations } from "./operations";
import { issuesToErrors, Problem, problem, PROBLEM_CONTENT_TYPE, ProblemError, summarize } from "./problems";
import { CREATIONS_PER_MINUTE, RateLimitPolicy } from "./rateLimit";
import { healthRoutes } from "./routes/health";
import { storeRoutes } from "./routes/stores";
import { bearerToken, hashToken } from "./tokens";

export const API_PREFIX = "/api/v1";
export const BODY_LIMIT_BYTES = 64 * 1024;

export interface AppDeps {
    pool: Pool;
    /** The job queue; API instances need it to queue operations. */
    boss: PgBoss;
    operations: StoreOperations;
    trustProxy?: false | number | string[];
    rateLimit?: RateLimitPolicy;
    /** Pino options, or false for no logs (tests). */
    logger?: FastifyServerOptions["logger"];
    /** Built dashboard (dashboard/dist), served at / when present. */
    dashboardDir?: string;
    /** Aborted on shutdown: open event streams end. */
    shutdown?: AbortSignal;
    /** false: health endpoints only (a `--role worker` instance). */
    apiRoutes?: boolean;
    /** The clock for rate limiting (tests move it). */
    now?: () => number;
    /** How often the events stream looks for news. */
    eventsPollMs?: number;
}

export type Caller = Pick<TokenRow, "id" | "name" | "admin" | "max_stores"> & {
    /** The store list's version when the request was authenticated (read with the token). */
    list_version: string;
};

declare module "fastify" {
    interface FastifyRequest { caller: Caller | null }
}

/** A request part that does not match its schema; carries the problems in stores.yaml wording. */
export class RequestValidationError extends Error {
    statusCode: number;
    constructor(readonly part: string, readonly problems: ProblemError[]) {
        super(summarize(problems, part === "body" ? "the request body" : `the request ${part}`));
        // A well-formed JSON body with wrong content is 422; a bad path or query is 400.
        this.statusCode = part === "body" ? 422 : 400;
    }
}

/** Secrets that must never reach the logs. */
export const REDACTED_PATHS = [
    "req.headers.authorization", "req.headers.cookie", "headers.authorization",
    "adminPassword", "*.adminPassword", "password", "*.password", "token", "*.token",
];

export function defaultLogger(level = process.env.WOOSTORE_LOG_LEVEL ?? "info"): FastifyServerOptions["logger"] {
    return { level, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } };
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
    const app = Fastify({
        logger: deps.logger ?? false,
        bodyLimit: BODY_LIMIT_BYTES,
        trustProxy: trustProxyOption(deps.trustProxy ?? false),
        // Request ids are ours: a client-supplied id could forge log lines of other requests.
        requestIdHeader: false,
        genReqId: () => crypto.randomUUID(),
        return503OnClosing: true,
        // Long enough for any percent-encoded 63-character name; longer ones get the schema's 400, not a 414.
        routerOptions: { maxParamLength: 4096 },
    });
    app.decorateRequest("caller", null);

    // JSON only: without the text/plain parser, every other media type is answered with 415.
    app.removeContentTypeParser("text/plain");

    app.setValidatorCompiler(({ schema, httpPart }) => (data: unknown) => {
        const zodSchema = schema as unknown as core.$ZodType & { safeParse(data: unknown, params?: object): { success: true; data: unknown } | { success: false; error: { issues: core.$ZodIssue[] } } };
        const result = zodSchema.safeParse(data, { reportInput: true });
        if (result.success) return { value: result.data };
        return { error: new RequestValidationError(httpPart ?? "body", issuesToErrors(result.error.issues, zodSchema)) };
    });
    app.setSerializerCompiler(serializerCompiler);

    app.addHook("onSend", async (request, reply, payload) => {
        reply.header("X-Request-Id", request.id);
        reply.header("X-Content-Type-Options", "nosniff");
        reply.header("X-Frame-Options", "DENY");
        reply.header("Referrer-Policy", "no-referrer");
        reply.header("Cross-Origin-Opener-Policy", "same-origin");
        reply.header("Cross-Origin-Resource-Policy", "same-origin");
        reply.header("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
        if (request.url.startsWith(API_PREFIX)) reply.header("Cache-Control", "no-store");
        return payload;
    });

    app.setErrorHandler((error: FastifyError | RequestValidationError, request, reply) => {
        if (error instanceof RequestValidationError) {
            return sendProblem(reply, problem(error.statusCode, error.message, error.problems));
        }
        const known: Record<string, [number, string]> = {
            FST_ERR_CTP_BODY_TOO_LARGE: [413, `the request body is larger than ${BODY_LIMIT_BYTES / 1024} KiB — send a smaller JSON document`],
            FST_ERR_CTP_INVALID_MEDIA_TYPE: [415, "the API accepts JSON only — send Content-Type: application/json"],
            FST_ERR_CTP_INVALID_CONTENT_LENGTH: [400, "the Content-Length header does not match the body"],
            FST_ERR_CTP_EMPTY_JSON_BODY: [400, "the body is empty — send a JSON document, or no Content-Type header"],
            FST_ERR_CTP_INVALID_JSON_BODY: [400, "the body is not valid JSON"],
        };
        const code = (error as FastifyError).code;
        if (code && known[code]) return sendProblem(reply, problem(known[code][0], known[code][1]));
        const status = (error as FastifyError).statusCode;
        if (error instanceof SyntaxError || (status !== undefined && status >= 400 && status < 500)) {
            return sendProblem(reply, problem(status && status < 500 ? status : 400, status === 400 || error instanceof SyntaxError ? `the request is malformed: ${error.message}` : error.message));
        }
        request.log.error({ err: error }, "request failed");
        return sendProblem(reply, problem(500, `internal error; the server log has the details under request id ${request.id}`));
    });

    await app.register(fastifySwagger, {
        openapi: {
            openapi: "3.1.0",
            info: { title: "WooStore self-service API", version: "1.0.0", description: "Create, watch and delete WooCommerce stores. Every operation under /api/v1 needs `Authorization: Bearer <token>`." },
            components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
            security: [{ bearer: [] }],
        },
        transform: jsonSchemaTransform,
        transformObject: jsonSchemaTransformObject,
    });

    await app.register(healthRoutes, { pool: deps.pool, migrationsDone: () => migrationsDone(deps.pool) });
    if (deps.apiRoutes !== false) await app.register(async (api) => {
        api.addHook("onRequest", async (request, reply) => {
            if (request.routeOptions.url === `${API_PREFIX}/openapi.json`) return;
            const caller = await authenticate(deps.pool, request.headers.authorization);
            if (!caller) {
                reply.header("WWW-Authenticate", "Bearer");
                sendProblem(reply, problem(401, "a valid API token is required — send Authorization: Bearer <token> (npm run token -- create --name NAME)"));
                return reply;
            }
            request.caller = caller;
        });
        api.get("/openapi.json", { schema: { hide: true } }, async (_request, reply) => reply.type("application/json").send(openApiDocument(app)));
        await api.register(storeRoutes, {
            pool: deps.pool, boss: deps.boss, operations: deps.operations,
            rateLimit: deps.rateLimit ?? CREATIONS_PER_MINUTE, now: deps.now ?? Date.now,
            shutdown: deps.shutdown ?? new AbortController().signal, eventsPollMs: deps.eventsPollMs ?? 500,
        });
    }, { prefix: API_PREFIX });

    const dashboard = deps.dashboardDir && fs.existsSync(deps.dashboardDir) ? deps.dashboardDir : undefined;
    if (dashboard) {
        await app.register(fastifyStatic, { root: dashboard, prefix: "/", wildcard: false, index: "index.html" });
    }
    app.setNotFoundHandler(async (request, reply) => {
        // The dashboard routes in the browser: unknown non-API paths get its page.
        if (dashboard && request.method === "GET" && !request.url.startsWith("/api/")) return reply.sendFile("index.html");
        return sendProblem(reply, problem(404, `no route ${request.method} ${request.url.split("?")[0]}`));
    });
    return app;
}

async function authenticate(pool: Pool, header: string | undefined): Promise<Caller | undefined> {
    const token = bearerToken(header);
    if (!token || token.length > 200) return undefined;
    return tokenByHash(pool, hashToken(token));
}

/** Sends a problem on any route's reply (whatever its typed success payload). */
export function sendProblem(reply: { raw: unknown }, body: Problem): void {
    const untyped = reply as unknown as FastifyReply;
    untyped.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

/** One event of the stream: `status` and `step` carry {text, at}; the last, `end`, carries {status}. */
const SSE_EVENT_SCHEMA = {
    type: "object",
    properties: {
        id: { type: "string", description: "Resume after it with the Last-Event-ID header" },
        event: { type: "string", enum: ["status", "step", "end"] },
        data: { type: "string", contentMediaType: "application/json" },
    },
    required: ["event", "data"],
};

let cachedDocument: { app: FastifyInstance; document: object } | undefined;

/**
 * The OpenAPI 3.1 document generated from the routes, with error responses declared as
 * application/problem+json and the events stream as text/event-stream.
 */
export function openApiDocument(app: FastifyInstance): object {
    if (cachedDocument?.app === app) return cachedDocument.document;
    const document = structuredClone(app.swagger()) as { paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>> };
    for (const [route, methods] of Object.entries(document.paths ?? {})) {
        for (const operation of Object.values(methods)) {
            for (const [status, response] of Object.entries(operation.responses ?? {})) {
                const json = response.content?.["application/json"];
                if (!json) continue;
                if (Number(status) >= 400) response.content = { [PROBLEM_CONTENT_TYPE]: json };
                else if (route.endsWith("/events")) response.content = { "text/event-stream": { schema: SSE_EVENT_SCHEMA } };
            }
        }
    }
    cachedDocument = { app, document };
    return document;
}

