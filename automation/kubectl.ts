/**
 * kubectl against a stack's cluster, for what the Pulumi program does not do itself: backup
 * and restore Jobs (automation/backups.ts) and the recovery of interrupted Helm releases
 * (automation/helmRecords.ts).
 */
import { spawn } from "child_process";
import type { StackConfig } from "../components/stackConfig";

/**
 * Which cluster kubectl talks to: extra environment (KUBECONFIG) and the stack's
 * `woostore:kubeContext`. Passed to every call, so one process (the API's workers) can serve
 * several stacks and concurrent operations without sharing state.
 */
export interface KubeTarget { env: Record<string, string>; contextArgs: string[] }

export function kubeTarget(config: Pick<StackConfig, "kubeContext">, env: Record<string, string> = {}): KubeTarget {
    return { env, contextArgs: config.kubeContext ? ["--context", config.kubeContext] : [] };
}

/** Runs kubectl with `input` on stdin; resolves with stdout, rejects with stderr's last line. */
export function kubectl(kube: KubeTarget, args: string[], input?: string): Promise<string> {
    return new Promise((resolve, reject) => {
        const child = spawn("kubectl", [...kube.contextArgs, ...args], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...kube.env } });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
        child.stderr.on("data", (chunk: Buffer) => { stderr += chunk.toString(); });
        child.on("error", (error) => reject(new Error(`kubectl could not be started (${error.message}) — install kubectl and point KUBECONFIG at the stack's cluster`)));
        child.on("close", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`kubectl ${args.slice(0, 3).join(" ")} failed: ${stderr.trim().split("\n").pop() ?? code}`))));
        child.stdin.end(input ?? "");
    });
}
