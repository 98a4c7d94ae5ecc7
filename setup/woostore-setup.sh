#!/usr/bin/env bash
# WooStore setup Job: turns a fresh WordPress into a working WooCommerce shop and proves it by
# placing a real Cash-on-Delivery order through the Store API. Runs in wordpress:cli (Alpine,
# bash + curl + php, no jq) as uid 33 with the WordPress PVC at /var/www/html.
#
# Contract: docs/architecture.md ("Setup Job environment"). Step-by-step description, failure
# messages, idempotency and limits: setup/README.md.
#
# Output: on success exactly one JSON line on stdout, also written to $TERMINATION_LOG.
# On failure: non-zero exit and, as the LAST log line,
#   setup failed at step <name> (<n>/<total>): <reason>
# Secrets (admin/DB passwords, salts) are never echoed: no `set -x`, every logged string is masked.
set -Eeuo pipefail

readonly STEPS_TOTAL=10
readonly WC_PLUGIN=woocommerce
readonly PERMALINK_STRUCTURE='/%postname%/'
readonly ONBOARDING_PROFILE='{"skipped":true,"completed":true}'
readonly HIDDEN_TASK_LISTS='["setup","extended"]'
readonly BUYER_EMAIL='setup-check@example.com'

# JSON reader used everywhere (the image has no jq). Usage: php -n -r "$JSON_PHP" -- FILE PATH...
# (-n: no php.ini, so no extension loading or display_errors setting can interfere; JSON is core.)
# Prints one line per dotted PATH (e.g. payment_result.payment_status): booleans as true/false,
# arrays/objects re-encoded as JSON, null or missing as an empty line. Exit 2 if FILE is not a
# JSON object/array.
# shellcheck disable=SC2016 # PHP code: the dollars are PHP's, not the shell's.
readonly JSON_PHP='$raw = @file_get_contents($argv[1]);
$d = json_decode($raw === false ? "" : $raw, true);
if (!is_array($d)) { fwrite(STDERR, "not a JSON object\n"); exit(2); }
for ($i = 2; $i < $argc; $i++) {
  $v = $d;
  foreach (explode(".", $argv[$i]) as $k) {
    if (is_array($v) && array_key_exists($k, $v)) { $v = $v[$k]; } else { $v = null; break; }
  }
  if (is_bool($v)) { echo $v ? "true" : "false"; }
  elseif (is_array($v)) { echo json_encode($v); }
  elseif ($v !== null) { echo str_replace(array("\r", "\n"), " ", (string) $v); }
  echo "\n";
}'

WAIT_DEADLINE=0
CURRENT_STEP="start"
CURRENT_STEP_NO=0
FAIL_REASON=""
LAST_ERR=""
WORK_DIR=""
SECRETS=()
MASKED=""
JSON_VALUES=()

# ---------------------------------------------------------------------------------------------
# logging, masking, failure handling
# ---------------------------------------------------------------------------------------------

# mask STRING: sets MASKED to STRING with every known secret replaced by *** (no subshell).
mask() {
  local secret
  MASKED=$1
  for secret in "${SECRETS[@]}"; do
    if [[ -n $secret ]]; then
      MASKED=${MASKED//"$secret"/***}
    fi
  done
}

# log MESSAGE...: one timestamped, masked line on stderr (stdout is reserved for the result).
log() {
  local now
  printf -v now '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  mask "$*"
  printf '%s [woostore-setup] %s\n' "$now" "$MASKED" >&2
}

# log_file PREFIX FILE: copies FILE to the log (masked), one prefixed line per line.
log_file() {
  local prefix=$1 file=$2 line
  [[ -s $file ]] || return 0
  while IFS= read -r line || [[ -n $line ]]; do
    line=${line%$'\r'}
    if [[ -n $line ]]; then
      log "$prefix $line"
    fi
  done <"$file"
}

# last_line FILE...: last non-empty line of the first non-empty FILE, trimmed to 300 chars.
last_line() {
  local file line last=""
  for file in "$@"; do
    [[ -s $file ]] || continue
    while IFS= read -r line || [[ -n $line ]]; do
      line=${line%$'\r'}
      if [[ -n $line ]]; then
        last=$line
      fi
    done <"$file"
    [[ -z $last ]] || break
  done
  printf '%s' "${last:0:300}"
}

# slurp VAR FILE: VAR = content of FILE without trailing newlines (no subshell).
slurp() {
  local __content=""
  IFS= read -r -d '' __content <"$2" || true
  while [[ $__content == *$'\n' ]]; do
    __content=${__content%$'\n'}
  done
  printf -v "$1" '%s' "$__content"
}

step() {
  CURRENT_STEP_NO=$1
  CURRENT_STEP=$2
  log "step ${CURRENT_STEP_NO}/${STEPS_TOTAL} ${CURRENT_STEP}"
}

# fail REASON: ends the script; the EXIT trap prints the step and the (masked) reason last.
fail() {
  FAIL_REASON=$*
  exit 1
}

on_err() {
  local rc=$1 line=$2 cmd=$3
  if [[ -z $LAST_ERR ]]; then
    LAST_ERR="command '${cmd}' failed with exit ${rc} (line ${line})"
  fi
}

on_exit() {
  local rc=$? reason
  trap - EXIT ERR
  if [[ -n $WORK_DIR && -d $WORK_DIR ]]; then
    rm -rf -- "$WORK_DIR"
  fi
  if ((rc != 0)); then
    reason=${FAIL_REASON:-${LAST_ERR:-unexpected exit with status ${rc} (see the previous log lines)}}
    # Must stay the last line of the log (terminationMessagePolicy: FallbackToLogsOnError).
    log "setup failed at step ${CURRENT_STEP} (${CURRENT_STEP_NO}/${STEPS_TOTAL}): ${reason}"
  fi
  exit "$rc"
}

on_signal() {
  FAIL_REASON="received SIG$1 (activeDeadlineSeconds exceeded or pod deleted)"
  exit 143
}

# describe ARGS...: a printable, secret-free rendering of a command line.
describe() {
  local out="" arg
  for arg in "$@"; do
    case $arg in
      --*password*=*) arg="${arg%%=*}=***" ;;
    esac
    if ((${#arg} > 80)); then
      arg="${arg:0:77}..."
    fi
    out+="${out:+ }${arg}"
  done
  printf '%s' "$out"
}

# ---------------------------------------------------------------------------------------------
# wp / json / http helpers (never called inside $(...) so that fail() ends the main shell)
# ---------------------------------------------------------------------------------------------

# wp_run ARGS...: runs wp, logs its output, fails the step if wp fails.
wp_run() {
  local rc=0
  wp "$@" >"$WORK_DIR/wp.out" 2>"$WORK_DIR/wp.err" || rc=$?
  log_file "  wp>" "$WORK_DIR/wp.out"
  log_file "  wp!" "$WORK_DIR/wp.err"
  if ((rc != 0)); then
    fail "'$(describe wp "$@")' exited ${rc}: $(last_line "$WORK_DIR/wp.err" "$WORK_DIR/wp.out")"
  fi
}

# wp_get VAR ARGS...: runs wp, stores its stdout (trailing newlines stripped) in VAR; fails the
# step if wp fails.
wp_get() {
  local var=$1 rc=0
  shift
  wp "$@" >"$WORK_DIR/wp.out" 2>"$WORK_DIR/wp.err" || rc=$?
  log_file "  wp!" "$WORK_DIR/wp.err"
  if ((rc != 0)); then
    log_file "  wp>" "$WORK_DIR/wp.out"
    fail "'$(describe wp "$@")' exited ${rc}: $(last_line "$WORK_DIR/wp.err" "$WORK_DIR/wp.out")"
  fi
  slurp "$var" "$WORK_DIR/wp.out"
}

# wp_try_get VAR ARGS...: like wp_get but returns wp's status instead of failing (VAR is empty
# on failure). Use for predicates and optional values.
wp_try_get() {
  local var=$1 rc=0
  shift
  wp "$@" >"$WORK_DIR/wp.out" 2>"$WORK_DIR/wp.err" || rc=$?
  if ((rc != 0)); then
    printf -v "$var" '%s' ""
    return "$rc"
  fi
  log_file "  wp!" "$WORK_DIR/wp.err"
  slurp "$var" "$WORK_DIR/wp.out"
}

# wp_ok ARGS...: exit status of wp (for predicates such as `core is-installed`), output dropped.
wp_ok() {
  wp "$@" >/dev/null 2>&1
}

# json_query FILE PATH...: prints one line per PATH (see JSON_PHP). Safe to call from tests.
json_query() {
  local file=$1
  shift
  php -n -r "$JSON_PHP" -- "$file" "$@"
}

# json_fields WHAT FILE PATH...: reads PATHs from FILE into JSON_VALUES; fails if not JSON.
json_fields() {
  local what=$1 file=$2 rc=0
  shift 2
  json_query "$file" "$@" >"$WORK_DIR/json.out" 2>"$WORK_DIR/json.err" || rc=$?
  if ((rc != 0)); then
    fail "${what} is not valid JSON: $(head -c 200 "$file" | tr '\r\n' '  ')"
  fi
  JSON_VALUES=()
  mapfile -t JSON_VALUES <"$WORK_DIR/json.out"
  while ((${#JSON_VALUES[@]} < $#)); do
    JSON_VALUES+=("")
  done
}

# json_str STRING: STRING as a JSON string literal.
json_str() {
  local s=$1
  s=${s//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}
  s=${s//$'\r'/\\r}
  s=${s//$'\t'/\\t}
  printf '"%s"' "$s"
}

# header_value VAR FILE NAME: VAR = last value of response header NAME (case-insensitive) in a
# curl -D dump, empty if absent.
header_value() {
  local __hv_line __hv_value=""
  shopt -s nocasematch
  while IFS= read -r __hv_line || [[ -n $__hv_line ]]; do
    __hv_line=${__hv_line%$'\r'}
    if [[ $__hv_line == "${3}:"* ]]; then
      __hv_value=${__hv_line#*:}
      __hv_value=${__hv_value#"${__hv_value%%[![:space:]]*}"}
    fi
  done <"$2"
  shopt -u nocasematch
  printf -v "$1" '%s' "$__hv_value"
}

HTTP_CODE=""
STORE_NONCE=""
STORE_CART_TOKEN=""

# store_api METHOD PATH [BODY_JSON]: one Store API request against the in-cluster Service with
# the store's Host header. Sets HTTP_CODE; body in $WORK_DIR/body.json, headers in
# $WORK_DIR/headers.txt; refreshes STORE_NONCE / STORE_CART_TOKEN from the response.
store_api() {
  local method=$1 path=$2 body=${3:-} rc=0 value
  local url="${WP_INTERNAL_URL%/}/wp-json/wc/store/v1${path}"
  local args=(
    --silent --show-error
    --connect-timeout 10 --max-time "$HTTP_MAX_TIME"
    --cookie "$WORK_DIR/cookies.txt" --cookie-jar "$WORK_DIR/cookies.txt"
    --dump-header "$WORK_DIR/headers.txt" --output "$WORK_DIR/body.json"
    --write-out '%{http_code}'
    --header "Host: ${STORE_HOST}"
    --header 'Accept: application/json'
    --header 'User-Agent: woostore-setup'
  )
  if [[ $STORE_URL == https://* ]]; then
    args+=(--header 'X-Forwarded-Proto: https')
  fi
  if [[ -n $STORE_NONCE ]]; then
    args+=(--header "Nonce: ${STORE_NONCE}")
  fi
  if [[ -n $STORE_CART_TOKEN ]]; then
    args+=(--header "Cart-Token: ${STORE_CART_TOKEN}")
  fi
  if [[ $method == GET ]]; then
    # Reads are safe to retry (WordPress may still be warming up behind the Service).
    args+=(--retry 5 --retry-delay 3 --retry-max-time 90 --retry-connrefused)
  else
    # Writes are not retried: a repeated checkout would place a second order.
    printf '%s' "$body" >"$WORK_DIR/request.json"
    args+=(--request "$method" --header 'Content-Type: application/json'
      --data-binary "@$WORK_DIR/request.json")
  fi
  : >"$WORK_DIR/headers.txt"
  : >"$WORK_DIR/body.json"
  HTTP_CODE=$(curl "${args[@]}" "$url" 2>"$WORK_DIR/curl.err") || rc=$?
  if ((rc != 0)); then
    fail "curl ${method} ${url} (Host: ${STORE_HOST}) failed with exit ${rc}: $(last_line "$WORK_DIR/curl.err")"
  fi
  log "  http> ${method} /wp-json/wc/store/v1${path} -> ${HTTP_CODE}"
  header_value value "$WORK_DIR/headers.txt" Nonce
  if [[ -n $value ]]; then
    STORE_NONCE=$value
  fi
  header_value value "$WORK_DIR/headers.txt" Cart-Token
  if [[ -n $value ]]; then
    STORE_CART_TOKEN=$value
  fi
}

# api_error: "code: message" of a WP REST error body, or the start of the body.
api_error() {
  local out
  if out=$(json_query "$WORK_DIR/body.json" code message 2>/dev/null) && [[ -n ${out//$'\n'/} ]]; then
    printf '%s' "${out//$'\n'/: }"
  else
    head -c 200 "$WORK_DIR/body.json" | tr '\r\n' '  '
  fi
}

# ---------------------------------------------------------------------------------------------
# steps
# ---------------------------------------------------------------------------------------------

require_env() {
  local name
  for name in "$@"; do
    if [[ -z ${!name:-} ]]; then
      fail "required environment variable ${name} is not set"
    fi
  done
}

require_match() {
  local name=$1 pattern=$2 hint=$3
  if ! [[ ${!name} =~ $pattern ]]; then
    fail "${name}='${!name}' is invalid: expected ${hint}"
  fi
}

check_environment() {
  step 1 check-environment
  require_env STORE_NAME STORE_URL STORE_HOST WP_INTERNAL_URL WP_ADMIN_USER WP_ADMIN_EMAIL \
    WP_ADMIN_PASSWORD STORE_TITLE WC_VERSION WC_CURRENCY WC_COUNTRY DEMO_PRODUCT_SKU \
    WP_CORE_TARGET_VERSION
  TEST_ORDER_POLICY=${TEST_ORDER_POLICY:-trash}
  SETUP_WAIT_SECONDS=${SETUP_WAIT_SECONDS:-300}
  SETUP_POLL_SECONDS=${SETUP_POLL_SECONDS:-5}
  HTTP_MAX_TIME=${HTTP_MAX_TIME:-60}
  WP_DOCROOT=${WP_DOCROOT:-/var/www/html}
  TERMINATION_LOG=${TERMINATION_LOG:-/dev/termination-log}
  DEMO_PRODUCT_NAME=${DEMO_PRODUCT_NAME:-WooStore demo product}
  DEMO_PRODUCT_PRICE=${DEMO_PRODUCT_PRICE:-10.00}
  STORE_URL=${STORE_URL%/}

  require_match STORE_URL '^https?://[^/[:space:]]+$' 'http(s)://host[:port] without a path'
  require_match STORE_HOST '^[A-Za-z0-9.-]+(:[0-9]+)?$' 'a host name (no scheme, no path)'
  require_match WP_INTERNAL_URL '^https?://[^/[:space:]]+/?$' 'http(s)://service-host[:port]'
  require_match WP_ADMIN_USER '^[A-Za-z0-9 ._@-]+$' 'a WordPress login name'
  require_match WP_ADMIN_EMAIL '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' 'an e-mail address'
  require_match WC_VERSION '^[0-9]+\.[0-9]+(\.[0-9]+)*(-[A-Za-z0-9.]+)?$' 'a pinned version such as 10.3.5'
  require_match WP_CORE_TARGET_VERSION '^[0-9]+\.[0-9]+(\.[0-9]+)?$' 'a WordPress version such as 6.8.3'
  require_match WC_CURRENCY '^[A-Z]{3}$' 'an ISO 4217 code such as USD'
  require_match WC_COUNTRY '^[A-Z]{2}(:[A-Z0-9-]{1,10})?$' 'CC or CC:STATE, e.g. US:CA'
  require_match DEMO_PRODUCT_SKU '^[A-Za-z0-9._-]{1,64}$' 'letters, digits, dot, dash, underscore'
  require_match DEMO_PRODUCT_PRICE '^[0-9]+(\.[0-9]{1,2})?$' 'a positive price such as 10.00'
  require_match TEST_ORDER_POLICY '^(trash|delete|keep)$' 'trash, delete or keep'
  require_match SETUP_WAIT_SECONDS '^[0-9]+$' 'whole seconds'
  require_match SETUP_POLL_SECONDS '^[0-9]+(\.[0-9]+)?$' 'seconds'
  require_match HTTP_MAX_TIME '^[1-9][0-9]*$' 'whole seconds'
  if [[ $DEMO_PRODUCT_PRICE =~ ^0+(\.0+)?$ ]]; then
    fail "DEMO_PRODUCT_PRICE must be above zero (a free order would be 'completed', not 'processing')"
  fi
  log "store ${STORE_NAME}: url=${STORE_URL} host=${STORE_HOST} service=${WP_INTERNAL_URL}" \
    "wordpress=${WP_CORE_TARGET_VERSION} woocommerce=${WC_VERSION} currency=${WC_CURRENCY} country=${WC_COUNTRY}" \
    "sku=${DEMO_PRODUCT_SKU} test-order-policy=${TEST_ORDER_POLICY} wait=${SETUP_WAIT_SECONDS}s"
}

wait_for_wordpress_files() {
  step 2 wait-for-wordpress-files
  # One budget for both waits (files, then database), so the script gives up with a precise
  # message well before the Job's activeDeadlineSeconds kills it.
  WAIT_DEADLINE=$((SECONDS + SETUP_WAIT_SECONDS))
  local attempt=0
  while :; do
    attempt=$((attempt + 1))
    if [[ -f $WP_DOCROOT/wp-includes/version.php ]] &&
      [[ -f $WP_DOCROOT/wp-config.php || -f $WP_DOCROOT/../wp-config.php ]]; then
      break
    fi
    if ((SECONDS >= WAIT_DEADLINE)); then
      fail "WordPress files not found in ${WP_DOCROOT} after ${SETUP_WAIT_SECONDS}s" \
        "(need wp-includes/version.php and wp-config.php; the WordPress container copies them on first start)"
    fi
    log "waiting for wp-includes/version.php and wp-config.php in ${WP_DOCROOT} (attempt ${attempt})"
    sleep "$SETUP_POLL_SECONDS"
  done
  cd "$WP_DOCROOT"
  log "WordPress files present in ${WP_DOCROOT}"
}

wait_for_database() {
  step 3 wait-for-database
  local attempt=0 reason output stdout_text extra=()
  while :; do
    attempt=$((attempt + 1))
    if wp db check "${extra[@]}" >"$WORK_DIR/wp.out" 2>"$WORK_DIR/wp.err"; then
      break
    fi
    reason=$(last_line "$WORK_DIR/wp.err" "$WORK_DIR/wp.out")
    slurp output "$WORK_DIR/wp.err"
    slurp stdout_text "$WORK_DIR/wp.out"
    output+=" ${stdout_text}"
    # MariaDB >= 11.4 clients verify the server certificate by default, WP-CLI 2.12 does not opt
    # out (wp-cli/db-command#288, fixed later by #334), WordPress (mysqli) never verifies. The
    # mysqlcheck behind `wp db check` may therefore reject the server's self-signed certificate
    # although WordPress can connect: retry once, at once, without certificate verification.
    if ((${#extra[@]} == 0)) && [[ $output == *TLS/SSL* || $output == *ssl-verify-server-cert* ]]; then
      log "wp db check failed on TLS certificate verification (${reason}); retrying with --skip-ssl-verify-server-cert"
      extra=(--skip-ssl-verify-server-cert)
      continue
    fi
    if ((SECONDS >= WAIT_DEADLINE)); then
      fail "database not reachable within SETUP_WAIT_SECONDS=${SETUP_WAIT_SECONDS}s (${attempt} attempts of 'wp db check'): ${reason}"
    fi
    log "database not reachable yet (attempt ${attempt}): ${reason}"
    sleep "$SETUP_POLL_SECONDS"
  done
  log "database reachable after ${attempt} attempt(s)"
}

install_wordpress() {
  step 4 install-wordpress
  local value
  if wp_ok core is-installed; then
    log "WordPress is already installed"
  else
    log "installing WordPress for ${STORE_URL} (admin ${WP_ADMIN_USER})"
    wp_run core install --url="$STORE_URL" --title="$STORE_TITLE" --admin_user="$WP_ADMIN_USER" \
      --admin_password="$WP_ADMIN_PASSWORD" --admin_email="$WP_ADMIN_EMAIL" --skip-email
    if ! wp_ok core is-installed; then
      fail "'wp core install' succeeded but 'wp core is-installed' still fails"
    fi
  fi
  # Converge the site URL (e.g. when TLS was switched on after the first install).
  for value in home siteurl; do
    local current=""
    wp_try_get current option get "$value" || true
    if [[ ${current%/} != "$STORE_URL" ]]; then
      log "option ${value} is '${current}', setting ${STORE_URL}"
      wp_run option update "$value" "$STORE_URL"
    fi
  done
  wp_get WP_CORE_VERSION core version
  update_wordpress_core
  log "WordPress ${WP_CORE_VERSION} installed"
}

# version_lt A B: true when the dotted version A is lower than B (numeric parts, missing ones 0).
version_lt() {
  local IFS=. i x y
  local -a a b
  read -r -a a <<<"$1"
  read -r -a b <<<"$2"
  for ((i = 0; i < ${#a[@]} || i < ${#b[@]}; i++)); do
    x=${a[i]:-0}
    y=${b[i]:-0}
    x=${x%%[!0-9]*}
    y=${y%%[!0-9]*}
    if ((10#${x:-0} != 10#${y:-0})); then
      ((10#${x:-0} < 10#${y:-0}))
      return
    fi
  done
  return 1
}

# The docroot lives on the volume and the image's entrypoint copies core only into an empty
# one, so a new image brings new PHP and Apache but never new WordPress: bring core to the
# image's version here. Never downgrade (WordPress may have applied a security release in the
# background), then migrate the database schema (a no-op when it is current).
update_wordpress_core() {
  if [[ $WP_CORE_VERSION == "$WP_CORE_TARGET_VERSION" ]]; then
    log "WordPress core already at the image's version ${WP_CORE_TARGET_VERSION}"
  elif version_lt "$WP_CORE_TARGET_VERSION" "$WP_CORE_VERSION"; then
    log "WordPress core ${WP_CORE_VERSION} is newer than the image's ${WP_CORE_TARGET_VERSION}: not downgrading"
  else
    log "updating WordPress core ${WP_CORE_VERSION} -> ${WP_CORE_TARGET_VERSION}"
    wp_run core update --version="$WP_CORE_TARGET_VERSION"
    wp_get WP_CORE_VERSION core version
    if [[ $WP_CORE_VERSION != "$WP_CORE_TARGET_VERSION" ]]; then
      fail "WordPress core reads back as ${WP_CORE_VERSION} after 'wp core update', expected ${WP_CORE_TARGET_VERSION}"
    fi
  fi
  wp_run core update-db
}

install_woocommerce() {
  step 5 install-woocommerce
  local installed="" db_version=""
  if wp_ok plugin is-installed "$WC_PLUGIN"; then
    wp_get installed plugin get "$WC_PLUGIN" --field=version
  fi
  if [[ $installed == "$WC_VERSION" ]]; then
    log "WooCommerce ${WC_VERSION} already installed"
  elif [[ -n $installed ]]; then
    # A changed woocommerceVersion in the stack config upgrades (or rolls back) every store.
    log "WooCommerce ${installed} installed, bringing it to the pinned ${WC_VERSION}"
    wp_run plugin update "$WC_PLUGIN" --version="$WC_VERSION"
  else
    log "installing WooCommerce ${WC_VERSION}"
    wp_run plugin install "$WC_PLUGIN" --version="$WC_VERSION" --force
  fi
  if wp_ok plugin is-active "$WC_PLUGIN"; then
    log "WooCommerce already active"
  else
    wp_run plugin activate "$WC_PLUGIN"
  fi
  # Read back: the files on the shared volume must now be the pinned version, and active.
  wp_get installed plugin get "$WC_PLUGIN" --field=version
  if [[ $installed != "$WC_VERSION" ]]; then
    fail "WooCommerce reads back as version '${installed}', expected ${WC_VERSION}"
  fi
  if ! wp_ok plugin is-active "$WC_PLUGIN"; then
    fail "WooCommerce is not active after 'wp plugin activate'"
  fi
  # WooCommerce records the schema version its data is at; run its migrations now, not from a
  # page view or cron, whenever that is not the installed version.
  wp_try_get db_version option get woocommerce_db_version || true
  if [[ $db_version == "$WC_VERSION" ]]; then
    log "WooCommerce database already at ${WC_VERSION}"
  else
    log "WooCommerce database at '${db_version}', running its updates to ${WC_VERSION}"
    wp_run wc update --user="$WP_ADMIN_USER"
  fi
  WC_INSTALLED_VERSION=$installed
  log "WooCommerce ${WC_INSTALLED_VERSION} active"
}

# ensure_option NAME VALUE [--format=json]: sets the option only if it differs, then reads it back.
ensure_option() {
  local name=$1 value=$2 current=""
  shift 2
  if wp_try_get current option get "$name" "$@" && [[ $current == "$value" ]]; then
    log "option ${name} already ${value}"
    return 0
  fi
  log "option ${name}: '${current}' -> '${value}'"
  wp_run option update "$name" "$value" "$@"
  wp_get current option get "$name" "$@"
  if [[ $current != "$value" ]]; then
    fail "option ${name} reads back as '${current}', expected '${value}'"
  fi
}

configure_store() {
  step 6 configure-store
  local page value
  ensure_option woocommerce_onboarding_profile "$ONBOARDING_PROFILE" --format=json
  ensure_option woocommerce_task_list_hidden_lists "$HIDDEN_TASK_LISTS" --format=json
  # Missing transient only gives a warning (exit 0).
  wp_run transient delete _wc_activation_redirect
  ensure_option woocommerce_coming_soon no
  ensure_option woocommerce_store_pages_only no
  ensure_option woocommerce_currency "$WC_CURRENCY"
  ensure_option woocommerce_default_country "$WC_COUNTRY"
  ensure_option woocommerce_enable_guest_checkout yes
  # Creates only the missing WooCommerce pages; existing ones are left alone.
  wp_run wc tool run install_pages --user="$WP_ADMIN_USER"
  for page in shop cart checkout myaccount; do
    wp_get value option get "woocommerce_${page}_page_id"
    if ! [[ $value =~ ^[1-9][0-9]*$ ]]; then
      fail "WooCommerce ${page} page missing after install_pages (woocommerce_${page}_page_id='${value}')"
    fi
  done
  value=""
  wp_try_get value option get permalink_structure || true
  if [[ $value != "$PERMALINK_STRUCTURE" ]]; then
    log "permalink structure '${value}' -> '${PERMALINK_STRUCTURE}'"
    wp_run rewrite structure "$PERMALINK_STRUCTURE"
  fi
  # Soft flush: regenerates the rules (including WooCommerce endpoints); same rules on re-runs.
  wp_run rewrite flush
  wp_get value option get permalink_structure
  if [[ $value != "$PERMALINK_STRUCTURE" ]]; then
    fail "permalink_structure reads back as '${value}', expected '${PERMALINK_STRUCTURE}'"
  fi
}

# read_product ID: JSON_VALUES = status virtual purchasable price sku
read_product() {
  wp_get WP_LAST_OUT wc product get "$1" --user="$WP_ADMIN_USER" --format=json
  json_fields "product ${1}" "$WORK_DIR/wp.out" status virtual purchasable price sku
}

product_ok() {
  [[ ${JSON_VALUES[0]} == publish && ${JSON_VALUES[1]} == true && ${JSON_VALUES[2]} == true &&
    ${JSON_VALUES[3]} =~ ^[0-9]+(\.[0-9]+)?$ && ! ${JSON_VALUES[3]} =~ ^0+(\.0+)?$ ]]
}

demo_product() {
  step 7 demo-product
  local ids="" id ids_array=()
  wp_get ids wc product list --sku="$DEMO_PRODUCT_SKU" --user="$WP_ADMIN_USER" --format=ids
  read -r -a ids_array <<<"$ids"
  if ((${#ids_array[@]} == 0)); then
    log "creating demo product '${DEMO_PRODUCT_NAME}' (SKU ${DEMO_PRODUCT_SKU}, ${DEMO_PRODUCT_PRICE} ${WC_CURRENCY})"
    wp_get id wc product create --name="$DEMO_PRODUCT_NAME" --type=simple --sku="$DEMO_PRODUCT_SKU" \
      --regular_price="$DEMO_PRODUCT_PRICE" --virtual=true --status=publish \
      --catalog_visibility=visible --user="$WP_ADMIN_USER" --porcelain
    if ! [[ $id =~ ^[1-9][0-9]*$ ]]; then
      fail "'wp wc product create --porcelain' returned '${id}', expected a product id"
    fi
  else
    id=${ids_array[0]}
    if ! [[ $id =~ ^[1-9][0-9]*$ ]]; then
      fail "'wp wc product list --format=ids' returned '${ids}', expected product ids"
    fi
    if ((${#ids_array[@]} > 1)); then
      log "warning: ${#ids_array[@]} products have SKU ${DEMO_PRODUCT_SKU} (${ids}); using ${id}"
    fi
    log "demo product ${id} (SKU ${DEMO_PRODUCT_SKU}) already exists"
  fi
  read_product "$id"
  if [[ ${JSON_VALUES[4]} != "$DEMO_PRODUCT_SKU" ]]; then
    fail "product ${id} has SKU '${JSON_VALUES[4]}', expected ${DEMO_PRODUCT_SKU}"
  fi
  if ! product_ok; then
    log "demo product ${id} is not a published, virtual, priced product" \
      "(status=${JSON_VALUES[0]} virtual=${JSON_VALUES[1]} purchasable=${JSON_VALUES[2]} price=${JSON_VALUES[3]}); repairing"
    wp_run wc product update "$id" --status=publish --virtual=true \
      --regular_price="$DEMO_PRODUCT_PRICE" --user="$WP_ADMIN_USER"
    read_product "$id"
    if ! product_ok; then
      fail "demo product ${id} still not purchasable after update" \
        "(status=${JSON_VALUES[0]} virtual=${JSON_VALUES[1]} purchasable=${JSON_VALUES[2]} price=${JSON_VALUES[3]})"
    fi
  fi
  PRODUCT_ID=$id
  log "demo product ${PRODUCT_ID}: published, virtual, price ${JSON_VALUES[3]}"
}

# read_cod: JSON_VALUES = enabled settings.enable_for_virtual.value
read_cod() {
  wp_get WP_LAST_OUT wc payment_gateway get cod --user="$WP_ADMIN_USER" --format=json
  json_fields "payment gateway cod" "$WORK_DIR/wp.out" enabled settings.enable_for_virtual.value
}

enable_cod() {
  step 8 enable-cod
  read_cod
  if [[ ${JSON_VALUES[0]} == true ]]; then
    log "Cash on Delivery already enabled"
  else
    wp_run wc payment_gateway update cod --enabled=true --user="$WP_ADMIN_USER"
    read_cod
    if [[ ${JSON_VALUES[0]} != true ]]; then
      fail "payment gateway cod reads back enabled='${JSON_VALUES[0]}' after update, expected true"
    fi
  fi
  # The demo product is virtual: COD is only offered for virtual carts if enable_for_virtual=yes.
  if [[ ${JSON_VALUES[1]} == no ]]; then
    log "COD enable_for_virtual is 'no', setting 'yes' (the demo product is virtual)"
    wp_run option patch update woocommerce_cod_settings enable_for_virtual yes
    read_cod
    if [[ ${JSON_VALUES[1]} == no ]]; then
      fail "COD setting enable_for_virtual still 'no' after update"
    fi
  fi
  log "Cash on Delivery enabled"
}

# billing_address: JSON billing address for the verification order (country from WC_COUNTRY).
billing_address() {
  local country=${WC_COUNTRY%%:*} state="" city="Demo City" postcode="12345"
  case $country in
    US) state=CA city="San Francisco" postcode=94103 ;;
    CA) state=ON city=Toronto postcode="M5V 3L9" ;;
    GB) city=London postcode="SW1A 1AA" ;;
    IE) state=D city=Dublin postcode="D02 X285" ;;
    DE) city=Berlin postcode=10115 ;;
    AT) city=Wien postcode=1010 ;;
    CH) state=ZH city=Zurich postcode=8001 ;;
    FR) city=Paris postcode=75001 ;;
    NL) city=Amsterdam postcode="1012 AB" ;;
    BE) city=Brussels postcode=1000 ;;
    ES) state=M city=Madrid postcode=28001 ;;
    IT) state=RM city=Roma postcode=00184 ;;
    PL) city=Warszawa postcode=00-001 ;;
    AU) state=NSW city=Sydney postcode=2000 ;;
    NZ) city=Auckland postcode=1010 ;;
    IN) state=MH city=Mumbai postcode=400001 ;;
    JP) state=JP13 city=Tokyo postcode=100-0001 ;;
    BR) state=SP city="Sao Paulo" postcode=01310-100 ;;
    MX) state=DF city="Ciudad de Mexico" postcode=06000 ;;
  esac
  if [[ $WC_COUNTRY == *:* ]]; then
    state=${WC_COUNTRY#*:}
  fi
  printf '{"first_name":"WooStore","last_name":"Setup Check","company":"","address_1":"1 Test Street",'
  printf '"address_2":"","city":%s,"state":%s,"postcode":%s,"country":%s,' \
    "$(json_str "$city")" "$(json_str "$state")" "$(json_str "$postcode")" "$(json_str "$country")"
  printf '"email":%s,"phone":"555-0100"}' "$(json_str "$BUYER_EMAIL")"
}

verify_checkout() {
  step 9 verify-checkout
  local body order_id status payment_status payment_method

  : >"$WORK_DIR/cookies.txt"
  store_api GET /cart
  if [[ $HTTP_CODE != 200 ]]; then
    fail "GET /wp-json/wc/store/v1/cart returned HTTP ${HTTP_CODE}: $(api_error)"
  fi
  if [[ -z $STORE_NONCE && -z $STORE_CART_TOKEN ]]; then
    fail "GET /wp-json/wc/store/v1/cart returned neither a Nonce nor a Cart-Token header"
  fi
  # Nonce and Cart-Token are session credentials: log only whether they came.
  log "Store API session: Nonce header $([[ -n $STORE_NONCE ]] && echo received || echo missing)," \
    "Cart-Token header $([[ -n $STORE_CART_TOKEN ]] && echo received || echo missing)"

  store_api POST /cart/add-item "{\"id\":${PRODUCT_ID},\"quantity\":1}"
  if [[ $HTTP_CODE != 200 && $HTTP_CODE != 201 ]]; then
    fail "POST /wp-json/wc/store/v1/cart/add-item (product ${PRODUCT_ID}) returned HTTP ${HTTP_CODE}: $(api_error)"
  fi
  json_fields "add-item response" "$WORK_DIR/body.json" items_count
  if ! [[ ${JSON_VALUES[0]} =~ ^[1-9][0-9]*$ ]]; then
    fail "cart is empty after add-item (items_count='${JSON_VALUES[0]}')"
  fi

  body="{\"billing_address\":$(billing_address),\"payment_method\":\"cod\","
  body+="\"customer_note\":\"WooStore setup verification order (TEST_ORDER_POLICY=${TEST_ORDER_POLICY})\"}"
  store_api POST /checkout "$body"
  if [[ $HTTP_CODE != 200 ]]; then
    fail "POST /wp-json/wc/store/v1/checkout returned HTTP ${HTTP_CODE}: $(api_error)"
  fi
  json_fields "checkout response" "$WORK_DIR/body.json" \
    order_id status payment_result.payment_status payment_method
  order_id=${JSON_VALUES[0]} status=${JSON_VALUES[1]}
  payment_status=${JSON_VALUES[2]} payment_method=${JSON_VALUES[3]}
  if ! [[ $order_id =~ ^[1-9][0-9]*$ ]]; then
    fail "checkout response has no numeric order_id (order_id='${order_id}'): $(head -c 200 "$WORK_DIR/body.json" | tr '\r\n' '  ')"
  fi
  if [[ $status != processing ]]; then
    fail "order ${order_id} has status '${status}', expected 'processing'"
  fi
  if [[ $payment_status != success ]]; then
    fail "order ${order_id}: payment_result.payment_status is '${payment_status}', expected 'success'"
  fi
  if [[ -n $payment_method && $payment_method != cod ]]; then
    fail "order ${order_id}: payment_method is '${payment_method}', expected 'cod'"
  fi
  log "checkout placed order ${order_id} (status ${status}, payment ${payment_status})"

  # Server-side confirmation through WooCommerce's own API (works with HPOS and posts storage).
  wp_get WP_LAST_OUT wc shop_order get "$order_id" --user="$WP_ADMIN_USER" --format=json
  json_fields "order ${order_id}" "$WORK_DIR/wp.out" id status payment_method
  if [[ ${JSON_VALUES[0]} != "$order_id" || ${JSON_VALUES[1]} != processing || ${JSON_VALUES[2]} != cod ]]; then
    fail "wp wc shop_order get ${order_id} reads back id='${JSON_VALUES[0]}' status='${JSON_VALUES[1]}'" \
      "payment_method='${JSON_VALUES[2]}', expected processing/cod"
  fi
  ORDER_ID=$order_id
  log "order ${ORDER_ID} confirmed by WooCommerce: processing, cod"
  apply_test_order_policy
}

apply_test_order_policy() {
  local value=""
  case $TEST_ORDER_POLICY in
    trash)
      wp_run wc shop_order delete "$ORDER_ID" --user="$WP_ADMIN_USER"
      wp_get WP_LAST_OUT wc shop_order get "$ORDER_ID" --user="$WP_ADMIN_USER" --format=json
      json_fields "order ${ORDER_ID}" "$WORK_DIR/wp.out" status
      if [[ ${JSON_VALUES[0]} != trash ]]; then
        fail "verification order ${ORDER_ID} reads back status '${JSON_VALUES[0]}' after trashing, expected 'trash'"
      fi
      ORDER_FINAL_STATUS=trash
      ;;
    delete)
      wp_run wc shop_order delete "$ORDER_ID" --force=true --user="$WP_ADMIN_USER"
      if wp_try_get value wc shop_order get "$ORDER_ID" --user="$WP_ADMIN_USER" --format=json; then
        fail "verification order ${ORDER_ID} still exists after 'wp wc shop_order delete --force=true'"
      fi
      ORDER_FINAL_STATUS=deleted
      ;;
    keep)
      wp_run wc order_note create "$ORDER_ID" \
        --note="WooStore setup verification order, kept (TEST_ORDER_POLICY=keep)." --user="$WP_ADMIN_USER"
      ORDER_FINAL_STATUS=processing
      ;;
  esac
  log "verification order ${ORDER_ID}: policy ${TEST_ORDER_POLICY} -> ${ORDER_FINAL_STATUS}"
}

write_result() {
  step 10 write-result
  local line
  line="{\"woocommerce\":$(json_str "$WC_INSTALLED_VERSION"),\"productId\":${PRODUCT_ID},\"orderId\":${ORDER_ID}"
  line+=",\"orderStatus\":\"processing\",\"testOrderPolicy\":$(json_str "$TEST_ORDER_POLICY")"
  line+=",\"testOrderFinalStatus\":$(json_str "$ORDER_FINAL_STATUS")"
  line+=",\"wordpress\":$(json_str "$WP_CORE_VERSION"),\"store\":$(json_str "$STORE_NAME")"
  line+=",\"storeUrl\":$(json_str "$STORE_URL")}"
  if ! { printf '%s\n' "$line" >"$TERMINATION_LOG"; } 2>/dev/null; then
    fail "cannot write the result to ${TERMINATION_LOG}"
  fi
  log "store ${STORE_NAME} is ready: WooCommerce ${WC_INSTALLED_VERSION}, product ${PRODUCT_ID}, order ${ORDER_ID} in $((SECONDS - STARTED_AT))s"
  printf '%s\n' "$line"
}

main() {
  STARTED_AT=$SECONDS
  trap on_exit EXIT
  trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
  trap 'on_signal TERM' TERM
  trap 'on_signal INT' INT
  export TZ=UTC
  export HOME=${HOME:-/tmp}
  export WP_CLI_CACHE_DIR=${WP_CLI_CACHE_DIR:-${TMPDIR:-/tmp}/wp-cli-cache}
  # Anything that could end up in a log line is masked with these.
  local name
  for name in WP_ADMIN_PASSWORD WORDPRESS_DB_PASSWORD WORDPRESS_AUTH_KEY WORDPRESS_SECURE_AUTH_KEY \
    WORDPRESS_LOGGED_IN_KEY WORDPRESS_NONCE_KEY WORDPRESS_AUTH_SALT WORDPRESS_SECURE_AUTH_SALT \
    WORDPRESS_LOGGED_IN_SALT WORDPRESS_NONCE_SALT; do
    if [[ -n ${!name:-} ]]; then
      SECRETS+=("${!name}")
    fi
  done
  WORK_DIR=$(mktemp -d "${TMPDIR:-/tmp}/woostore-setup.XXXXXX")

  check_environment
  wait_for_wordpress_files
  wait_for_database
  install_wordpress
  install_woocommerce
  configure_store
  demo_product
  enable_cod
  verify_checkout
  write_result
}

# Sourcing (tests) only defines the functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
