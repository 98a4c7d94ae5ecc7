/**
 * The tier-3 look-alike images reach the chart only through the stack config's `images`: their
 * references (pinned in testbed/lib.sh) must be valid `woostore:images` values, and the Helm
 * values the program derives from them must name exactly those images.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, it } from "node:test";
import { DEFAULT_IMAGES } from "../../components/defaults";
import { splitImage } from "../../components/helmValues";
import { validateStackConfig } from "../../components/stackConfig";
import { PROJECT_DIR } from "../helpers/config";

function libVar(name: string): string {
    return execFileSync("bash", ["-c", `source "${path.join(PROJECT_DIR, "testbed", "lib.sh")}"; printf %s "\${${name}}"`], { encoding: "utf8" });
}

describe("tier-3 look-alike images as a stack-config override", () => {
    const images = {
        wordpress: libVar("LOOKALIKE_WORDPRESS_IMAGE"),
        mariadb: libVar("LOOKALIKE_MARIADB_IMAGE"),
        wpCli: libVar("LOOKALIKE_WPCLI_IMAGE"),
    };

    it("are pinned, honestly named references that woostore:images accepts", () => {
        const { config, problems } = validateStackConfig({ domain: "localhost", images }, "Pulumi.tier3.yaml");
        assert.deepEqual(problems, []);
        assert.deepEqual(config?.images, { ...images, restic: DEFAULT_IMAGES.restic }, "the look-alikes replace wordpress, mariadb and wpCli; restic keeps its default");
        for (const image of Object.values(images)) {
            assert.match(image, /^localhost\/woostore-lookalike\/[a-z-]+:[^:]+$/, "a look-alike never poses as docker.io/library/…");
        }
    });

    it("split into the chart's repository and tag unchanged", () => {
        assert.deepEqual(splitImage(images.wordpress), { repository: "localhost/woostore-lookalike/wordpress", tag: images.wordpress.split(":")[1], digest: "", pullPolicy: "IfNotPresent" });
        assert.deepEqual(splitImage(images.mariadb), { repository: "localhost/woostore-lookalike/mariadb", tag: images.mariadb.split(":")[1], digest: "", pullPolicy: "IfNotPresent" });
    });
});
