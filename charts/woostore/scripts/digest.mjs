#!/usr/bin/env node
// Records (default) or checks (--check) the content digest of the woostore chart in
// charts/woostore/.chart-digest, next to the chart version it belongs to.
//
// Pulumi upgrades a local chart only when Chart.yaml's `version` changes, so every change to a
// packaged chart file must come with a version bump. This script refuses to record a new digest
// for an unchanged version, and `--check` (run by tests/unit/chart-version.test.ts) fails when
// the files changed since the digest was recorded.
//
// The digest covers the files Helm packages: everything under charts/woostore except the digest
// file itself and the paths listed in EXCLUDED (kept in line with .helmignore).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join, relative, sep, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const CHART_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIGEST_FILE = join(CHART_DIR, ".chart-digest");
const EXCLUDED = [".chart-digest", "scripts/", "ci/"];
const BUMP_HINT = "bump version in Chart.yaml and run `npm run chart:digest`";

function isExcluded(rel) {
  return EXCLUDED.some((e) => (e.endsWith("/") ? rel.startsWith(e) : rel === e));
}

function listFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const rel = relative(CHART_DIR, full).split(sep).join("/");
    if (isExcluded(entry.isDirectory() ? `${rel}/` : rel)) continue;
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

export function computeDigest() {
  const hash = createHash("sha256");
  for (const rel of listFiles(CHART_DIR).sort()) {
    // Normalise line endings so a CRLF checkout does not look like a change.
    const content = readFileSync(join(CHART_DIR, rel), "utf8").replace(/\r\n/g, "\n");
    hash.update(`${rel}\0${createHash("sha256").update(content).digest("hex")}\n`);
  }
  return hash.digest("hex");
}

export function chartVersion() {
  const m = /^version:\s*["']?([^"'\s#]+)["']?\s*(#.*)?$/m.exec(
    readFileSync(join(CHART_DIR, "Chart.yaml"), "utf8"),
  );
  if (!m) throw new Error("charts/woostore/Chart.yaml has no version");
  return m[1];
}

function readRecorded() {
  if (!existsSync(DIGEST_FILE)) return undefined;
  return JSON.parse(readFileSync(DIGEST_FILE, "utf8"));
}

function main(argv) {
  const check = argv.includes("--check");
  const version = chartVersion();
  const digest = computeDigest();
  const recorded = readRecorded();
  const same = recorded && recorded.sha256 === digest && recorded.version === version;
  if (check) {
    if (same) return 0;
    if (!recorded) {
      console.error(`charts/woostore/.chart-digest is missing: run \`npm run chart:digest\``);
    } else if (recorded.version === version) {
      console.error(
        `files under charts/woostore changed but Chart.yaml's version is still ${version}: ${BUMP_HINT}`,
      );
    } else {
      console.error(
        `Chart.yaml's version is ${version} but .chart-digest records ${recorded.version}: run \`npm run chart:digest\``,
      );
    }
    return 1;
  }
  if (same) {
    console.log(`chart digest already up to date for version ${version}`);
    return 0;
  }
  if (recorded && recorded.version === version && recorded.sha256 !== digest) {
    console.error(`files under charts/woostore changed but the version is still ${version}: ${BUMP_HINT}`);
    return 1;
  }
  writeFileSync(DIGEST_FILE, `${JSON.stringify({ version, sha256: digest }, null, 2)}\n`);
  console.log(`recorded chart digest for version ${version}: ${digest}`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = main(process.argv.slice(2));
}
