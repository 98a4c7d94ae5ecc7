/** GET /healthz (the process answers) and GET /readyz (database reachable, migrations done). */
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import type { Pool } from "pg";
import { healthSchema, readySchema } from "../schemas";

export const healthRoutes: FastifyPluginAsyncZod<{ pool: Pool; migrationsDone: () => Promise<boolean> }> = async (app, options) => {
    app.get("/healthz", { schema: { hide: true, response: { 200: healthSchema } } }, async () => ({ status: "ok" }));
    app.get("/readyz", { schema: { hide: true, response: { 200: readySchema, 503: readySchema } } }, async (_request, reply) => {
        let database = false;
        let migrations = false;
        try {
            await options.pool.query("SELECT 1");
            database = true;
            migrations = await options.migrationsDone();
        } catch {
            // Not ready: the answer says which part is missing.
        }
        const ready = database && migrations;
        return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not ready", database, migrations });
    });
};
