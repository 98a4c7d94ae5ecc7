/**
 * The chart's woostore-mail must-use plugin (charts/woostore/files/woostore-mail.php) under the
 * real php with a FAKE WordPress (tests/fixtures/mail/fake-wordpress.php: the hook API only).
 * Checks the plugin's own logic: loud refusal without a relay, PHPMailer settings from the
 * environment, the password from the mounted file. Not WordPress, not PHPMailer, no SMTP server.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, it } from "node:test";
import { CHART_DIR, REPO_ROOT } from "../helpers/helm";

const PLUGIN = join(CHART_DIR, "files", "woostore-mail.php");
const FAKE_WORDPRESS = join(REPO_ROOT, "tests", "fixtures", "mail", "fake-wordpress.php");
const PHP = (process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "php")).find((file) => existsSync(file));
const NO_PHP = PHP === undefined ? "php is not installed (the plugin's logic needs a real PHP interpreter)" : false;

function runPlugin(env: Record<string, string>) {
    const result = spawnSync(PHP ?? "php", ["-n", "-d", "error_log=", "-d", "log_errors=1", FAKE_WORDPRESS, PLUGIN], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", ...env },
    });
    assert.equal(result.status, 0, result.stderr);
    return { out: JSON.parse(result.stdout) as Record<string, unknown>, log: result.stderr };
}

describe("woostore-mail must-use plugin (real php, fake WordPress hooks)", { skip: NO_PHP }, () => {
    it("fake WordPress: without a relay every message is refused, logged and reported through wp_mail_failed", () => {
        const { out, log } = runPlugin({});
        assert.equal(out.pre_wp_mail, false, "wp_mail() returns false");
        assert.deepEqual(out.hooks, ["pre_wp_mail"], "no SMTP configuration is registered");
        assert.match(log, /WooStore: mail to buyer@example\.com \(subject "Your order"\) was NOT sent: no SMTP relay is configured/);
    });

    it("fake WordPress: with a relay PHPMailer uses SMTP with the environment's settings and the mounted password file", () => {
        const dir = mkdtempSync(join(tmpdir(), "woostore-mail-"));
        const passwordFile = join(dir, "password");
        writeFileSync(passwordFile, "relay-pw-from-secret\n");
        const { out, log } = runPlugin({
            WOOSTORE_SMTP_HOST: "smtp.example.com",
            WOOSTORE_SMTP_PORT: "587",
            WOOSTORE_SMTP_ENCRYPTION: "starttls",
            WOOSTORE_SMTP_FROM: "shop@example.com",
            WOOSTORE_SMTP_USERNAME: "shop",
            WOOSTORE_SMTP_CREDENTIAL_FILE: passwordFile,
        });
        const mailer = out.mailer as Record<string, unknown>;
        assert.equal(mailer.Mailer, "smtp");
        assert.equal(mailer.Host, "smtp.example.com");
        assert.equal(mailer.Port, 587);
        assert.equal(mailer.SMTPSecure, "tls", "PHPMailer's name for STARTTLS");
        assert.equal(mailer.SMTPAuth, true);
        assert.equal(mailer.Username, "shop");
        assert.equal(mailer.Password, "relay-pw-from-secret", "read from the file, trailing newline dropped");
        assert.equal(mailer.Sender, "shop@example.com");
        assert.equal(out.from, "shop@example.com");
        assert.match(log, /WooStore: mail to buyer@example\.com failed through smtp\.example\.com:587: SMTP connect\(\) failed\./);
        assert.doesNotMatch(log, /relay-pw-from-secret/);
    });

    it("fake WordPress: implicit TLS and no login", () => {
        const { out } = runPlugin({ WOOSTORE_SMTP_HOST: "relay.internal", WOOSTORE_SMTP_PORT: "465", WOOSTORE_SMTP_ENCRYPTION: "tls", WOOSTORE_SMTP_FROM: "shop@example.com" });
        const mailer = out.mailer as Record<string, unknown>;
        assert.equal(mailer.SMTPSecure, "ssl", "PHPMailer's name for TLS from the first byte");
        assert.equal(mailer.SMTPAuth, false);
        assert.equal(mailer.Password, null);
    });
});
