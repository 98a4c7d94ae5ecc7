/**
 * Builds the dashboard into dashboard/dist, which the API server serves at `/` (same origin, no
 * CORS). The dev server proxies /api to a running `npm run serve` (WOOSTORE_API, default
 * http://127.0.0.1:8080).
 */
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

export default defineConfig({
    root: import.meta.dirname,
    base: "/",
    plugins: [react()],
    build: { outDir: "dist", emptyOutDir: true, sourcemap: false, target: "es2022" },
    server: {
        proxy: { "/api": { target: process.env.WOOSTORE_API ?? "http://127.0.0.1:8080", changeOrigin: false } },
        fs: { allow: [".."] },
    },
});
