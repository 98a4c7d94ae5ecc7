<?php
/**
 * Plugin Name: WooStore mail
 * Description: Sends WordPress and WooCommerce mail through the SMTP relay of the stack (woostore:smtp). Without one, every message fails loudly in the log instead of vanishing. Managed by the woostore chart: this file is replaced on every pod start.
 * Version: 1.0.0
 */

defined('ABSPATH') || exit;

/** A WOOSTORE_SMTP_* environment variable (set by the chart), or '' when unset. */
function woostore_smtp_setting(string $name): string
{
    $value = getenv('WOOSTORE_SMTP_' . $name);
    return $value === false ? '' : trim($value);
}

/** Addresses of a wp_mail() call, for log lines (never the message body). */
function woostore_mail_recipients($to): string
{
    return is_array($to) ? implode(', ', $to) : (string) $to;
}

if (woostore_smtp_setting('HOST') === '') {
    // The images have no MTA: PHP's mail() would fail with a vague error or not at all. Refuse
    // every message, say why in the log (Apache's error log is the container's stderr), and
    // report the failure through wp_mail_failed so WooCommerce and plugins see it.
    add_filter('pre_wp_mail', static function ($short_circuit, array $atts) {
        if ($short_circuit !== null) {
            return $short_circuit;
        }
        $message = sprintf(
            'WooStore: mail to %s (subject "%s") was NOT sent: no SMTP relay is configured. Set woostore:smtp in the stack config (README: "Mail").',
            woostore_mail_recipients($atts['to'] ?? ''),
            (string) ($atts['subject'] ?? '')
        );
        error_log($message);
        do_action('wp_mail_failed', new WP_Error('wp_mail_failed', $message, $atts));
        return false;
    }, 10, 2);
    return;
}

add_action('phpmailer_init', static function ($mailer): void {
    $mailer->isSMTP();
    $mailer->Host = woostore_smtp_setting('HOST');
    $mailer->Port = (int) woostore_smtp_setting('PORT');
    $mailer->Timeout = 20;
    $encryption = woostore_smtp_setting('ENCRYPTION');
    // PHPMailer's names: 'ssl' is TLS from the first byte (port 465), 'tls' is STARTTLS (587).
    $mailer->SMTPSecure = $encryption === 'tls' ? 'ssl' : ($encryption === 'starttls' ? 'tls' : '');
    $mailer->SMTPAutoTLS = $encryption !== 'none';
    $username = woostore_smtp_setting('USERNAME');
    if ($username !== '') {
        $file = woostore_smtp_setting('CREDENTIAL_FILE');
        $password = ($file !== '' && is_readable($file)) ? file_get_contents($file) : false;
        if ($password === false) {
            error_log('WooStore: the SMTP password file ' . $file . ' is not readable; sending without it will fail');
            $password = '';
        }
        $mailer->SMTPAuth = true;
        $mailer->Username = $username;
        $mailer->Password = rtrim($password, "\r\n");
    }
    // Relays accept only verified senders: the envelope sender is always the configured address.
    $mailer->Sender = woostore_smtp_setting('FROM');
});

// The visible From as well (WooCommerce would use its own "from" option, often the admin's
// address, which the relay rejects). Replies still go where WooCommerce sets Reply-To.
add_filter('wp_mail_from', static fn ($from) => woostore_smtp_setting('FROM') ?: $from, PHP_INT_MAX);
add_filter('wp_mail_from_name', static fn ($name) => woostore_smtp_setting('FROM_NAME') ?: $name, PHP_INT_MAX);

add_action('wp_mail_failed', static function (WP_Error $error): void {
    $data = $error->get_error_data();
    error_log(sprintf(
        'WooStore: mail to %s failed through %s:%s: %s',
        woostore_mail_recipients(is_array($data) ? ($data['to'] ?? '') : ''),
        woostore_smtp_setting('HOST'),
        woostore_smtp_setting('PORT'),
        $error->get_error_message()
    ));
});
