/** Stack configs for tests: the real dev/prod stack files, and a minimal one. */
import * as path from "path";
import { loadStackConfig, readStackConfigFile, StackConfig } from "../../components/stackConfig";

export const PROJECT_DIR = path.resolve(__dirname, "..", "..");

export function stackConfig(stack: "dev" | "prod"): StackConfig {
    const file = path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`);
    const { raw, text } = readStackConfigFile(file);
    return loadStackConfig(raw, path.basename(file), text);
}

export function minimalConfig(overrides: Record<string, unknown> = {}): StackConfig {
    return loadStackConfig({ domain: "localhost", ...overrides }, "Pulumi.test.yaml");
}
