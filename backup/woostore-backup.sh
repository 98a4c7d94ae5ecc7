#!/usr/bin/env bash
# WooStore backup and restore of one store: a consistent MariaDB dump plus wp-content/uploads
# in the store's own restic repository, with the order count recorded in every snapshot.
#
#   woostore-backup.sh backup [--kind scheduled|manual|pre-upgrade]
#   woostore-backup.sh restore <snapshot-id|latest>
#   woostore-backup.sh snapshots
#
# Runs in the backup/restore pod (image mariadb:<pinned>, restic copied in by an init container,
# uid 33) and, unchanged, in `npm run test:backup` against a private mariadbd. Contract
# (environment, snapshot layout, messages): backup/README.md.
#
# Output: progress lines on stderr; on success one JSON line on stdout, also written to
# $TERMINATION_LOG when set. On failure: exit 1 (2 for usage errors) and, as the LAST line,
#   woostore-backup: <command> failed: <what> — <how to fix>
# Secrets (DB password, repository password, target credentials) are never printed: they reach
# the clients through a 0600 defaults file and restic's own environment variables only.
set -Eeuo pipefail

readonly ME=woostore-backup
readonly DUMP_FILE=database/wordpress.sql
readonly MANIFEST_FILE=database/manifest.json
readonly SNAPSHOT_PATHS=(database uploads)

COMMAND=""
FAIL_REASON=""
LAST_ERR=""
SCRATCH=""
STARTED=$SECONDS
# Set by helpers (no subshells, so fail() always ends the main shell).
QUERY_OUT=""
ORDERS=0
TABLE_SUMS=""
TABLE_ROWS=""

log() {
  local now
  printf -v now '%(%Y-%m-%dT%H:%M:%SZ)T' -1
  printf '%s [%s] %s\n' "$now" "$ME" "$*" >&2
}

# fail WHAT — HINT: ends the script; the EXIT trap prints it as the last line.
fail() {
  FAIL_REASON=$*
  exit 1
}

usage() {
  printf '%s\n' "usage: woostore-backup.sh backup [--kind scheduled|manual|pre-upgrade] | restore <snapshot-id|latest> | snapshots" >&2
  printf '%s: %s\n' "$ME" "$*" >&2
  exit 2
}

on_err() {
  [[ -n $LAST_ERR ]] || LAST_ERR="command '$3' failed with exit $1 (line $2)"
}

on_exit() {
  local rc=$?
  trap - EXIT ERR
  [[ -z $SCRATCH || ! -d $SCRATCH ]] || rm -rf -- "$SCRATCH"
  if ((rc != 0 && rc != 2)); then
    printf '%s: %s failed: %s\n' "$ME" "${COMMAND:-start}" "${FAIL_REASON:-${LAST_ERR:-exit status $rc}}" >&2
  fi
  exit "$rc"
}

trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
trap on_exit EXIT
trap 'FAIL_REASON="received SIGTERM (deadline exceeded or pod deleted)"; exit 143' TERM

# A repository URL with any user:password@ part hidden.
repository_shown() {
  local url=${RESTIC_REPOSITORY:-}
  if [[ $url =~ ^([^/]*//)[^/@]*@(.*)$ ]]; then
    url="${BASH_REMATCH[1]}***@${BASH_REMATCH[2]}"
  fi
  printf '%s' "$url"
}

require_env() {
  local name missing=()
  for name in "$@"; do
    [[ -n ${!name:-} ]] || missing+=("$name")
  done
  ((${#missing[@]} == 0)) || fail "environment variable(s) ${missing[*]} not set — the backup pod gets them from the CronJob/Job spec (see backup/README.md)"
}

check_environment() {
  require_env STORE_NAME RESTIC_REPOSITORY BACKUP_ROOT DB_NAME DB_USER
  [[ -n ${RESTIC_PASSWORD:-} || -n ${RESTIC_PASSWORD_FILE:-} ]] || fail "no repository password: set RESTIC_PASSWORD or RESTIC_PASSWORD_FILE — it is the key restic-password of the store's credentials Secret"
  [[ $STORE_NAME =~ ^[a-z]([a-z0-9-]*[a-z0-9])?$ ]] || fail "STORE_NAME \"$STORE_NAME\" is not a store name — lowercase letters, digits and '-'"
  [[ $DB_NAME =~ ^[A-Za-z0-9_]+$ ]] || fail "DB_NAME \"$DB_NAME\" is not a plain database name — letters, digits and '_'"
  [[ ${TABLE_PREFIX:=wp_} =~ ^[A-Za-z0-9_]+$ ]] || fail "TABLE_PREFIX \"$TABLE_PREFIX\" is not a table prefix — letters, digits and '_'"
  [[ -d $BACKUP_ROOT/uploads && -r $BACKUP_ROOT/uploads && -x $BACKUP_ROOT/uploads ]] || fail "$BACKUP_ROOT/uploads is missing or not readable by uid $(id -u) — the wp-content/uploads volume must be mounted there"
  command -v restic >/dev/null || fail "restic is not on PATH — the init container copies it into /tools (image restic/restic)"
  command -v mariadb-dump >/dev/null || fail "mariadb-dump is not on PATH — run in the mariadb image"
  local keep
  for keep in KEEP_DAILY KEEP_WEEKLY KEEP_MONTHLY; do
    [[ ${!keep:-0} =~ ^[0-9]+$ ]] || fail "$keep=\"${!keep}\" is not a number of snapshots to keep"
  done
  SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/$ME.XXXXXX")
  # The DB password reaches the clients through a private file, never the command line.
  (
    umask 077
    printf '[client]\nuser=%s\npassword=%s\n' "$DB_USER" "${DB_PASSWORD:-}"
    if [[ -n ${DB_SOCKET:-} ]]; then
      printf 'socket=%s\n' "$DB_SOCKET"
    else
      printf 'host=%s\nport=%s\n' "${DB_HOST:-127.0.0.1}" "${DB_PORT:-3306}"
    fi
    # MariaDB >= 11.4 clients verify the server certificate by default; in-cluster MariaDB has none.
    if mariadb --help 2>/dev/null | grep -q -- '--ssl-verify-server-cert'; then
      printf 'skip-ssl-verify-server-cert\n'
    fi
  ) >"$SCRATCH/client.cnf"
  export RESTIC_CACHE_DIR=${RESTIC_CACHE_DIR:-$SCRATCH/restic-cache}
  export RESTIC_PROGRESS_FPS=${RESTIC_PROGRESS_FPS:-0.1}
}

# ---------------------------------------------------------------------------------------------
# database helpers
# ---------------------------------------------------------------------------------------------

# sql QUERY [DATABASE]: QUERY_OUT = tab-separated result without headers; fails with the
# server's message. DATABASE defaults to DB_NAME; "" connects without one.
sql() {
  local database=${2-$DB_NAME}
  if ! QUERY_OUT=$(mariadb --defaults-extra-file="$SCRATCH/client.cnf" -N -B ${database:+"$database"} -e "$1" 2>"$SCRATCH/sql.err"); then
    classify_sql_error
  fi
}

classify_sql_error() {
  local err
  err=$(tail -n 1 "$SCRATCH/sql.err")
  case $err in
    *"Access denied"*) fail "database login refused for user $DB_USER ($err) — DB_PASSWORD must be the store's mariadb-password" ;;
    *"Can't connect"* | *"Unknown server host"* | *"Lost connection"*) fail "database unreachable ($err) — is the store's MariaDB running and the NetworkPolicy mariadb-ingress-backup in place?" ;;
    *"Unknown database"*) fail "database $DB_NAME does not exist ($err)" ;;
    *) fail "database query failed: ${err:-no message}" ;;
  esac
}

# count_orders: ORDERS = WooCommerce orders (HPOS table when present, else legacy posts).
count_orders() {
  sql "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${TABLE_PREFIX}wc_orders'"
  if [[ $QUERY_OUT == 1 ]]; then
    sql "SELECT COUNT(*) FROM \`${TABLE_PREFIX}wc_orders\` WHERE type = 'shop_order'"
  else
    sql "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '${TABLE_PREFIX}posts'"
    if [[ $QUERY_OUT != 1 ]]; then
      ORDERS=0
      return
    fi
    sql "SELECT COUNT(*) FROM \`${TABLE_PREFIX}posts\` WHERE post_type = 'shop_order'"
  fi
  ORDERS=$QUERY_OUT
}

# table_state: TABLE_SUMS = "table checksum" lines, TABLE_ROWS = "table rows" lines (base tables).
table_state() {
  local tables=() name list="" counts=""
  sql "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME"
  [[ -z $QUERY_OUT ]] || mapfile -t tables <<<"$QUERY_OUT"
  TABLE_SUMS=""
  TABLE_ROWS=""
  ((${#tables[@]})) || return 0
  for name in "${tables[@]}"; do
    list+="${list:+, }\`$name\`"
    counts+="${counts:+ UNION ALL }SELECT '$name', COUNT(*) FROM \`$name\`"
  done
  sql "CHECKSUM TABLE $list"
  TABLE_SUMS=${QUERY_OUT//"$DB_NAME."/}
  TABLE_SUMS=${TABLE_SUMS//$'\t'/ }
  sql "$counts"
  TABLE_ROWS=$(tr '\t' ' ' <<<"$QUERY_OUT")
}

# ---------------------------------------------------------------------------------------------
# restic helpers
# ---------------------------------------------------------------------------------------------

# restic_run WHAT ARGS...: runs restic; on failure ends with one line saying what went wrong.
# Exit codes (restic >= 0.17): 10 no repository, 11 locked, 12 wrong password.
restic_run() {
  local what=$1 rc=0
  shift
  restic "$@" >"$SCRATCH/restic.out" 2>"$SCRATCH/restic.err" || rc=$?
  ((rc == 0)) || restic_fail "$what" "$rc"
}

restic_fail() {
  local what=$1 rc=$2 err repo
  repo=$(repository_shown)
  err=$(grep -v '^\s*$' "$SCRATCH/restic.err" | grep -iv 'progress\|^\[' | tail -n 3 | tr '\n' ' ' | cut -c1-300)
  err=${err% }
  # Anything that went wrong is logged in full before the one-line verdict.
  sed "s/^/  restic: /" "$SCRATCH/restic.err" | tail -n 20 >&2 || true
  if ((rc == 12)) || grep -qi 'wrong password\|no key found' "$SCRATCH/restic.err"; then
    fail "$what: wrong repository password for $repo — the password is the store's Secret key restic-password; a repository created with another password cannot be opened (earlier snapshots are untouched)"
  elif grep -qi 'no space left on device\|disk quota exceeded' "$SCRATCH/restic.err"; then
    fail "$what: disk full ($err) — free space at the target or in the pod's scratch volume; the repository keeps every earlier snapshot"
  elif grep -qiE 'connection refused|no such host|i/o timeout|network is unreachable|context deadline exceeded|dial tcp|no route to host|TLS handshake' "$SCRATCH/restic.err"; then
    fail "$what: backup target $repo is unreachable ($err) — check woostore:backup.target, woostore:backup.egressCidrs (NetworkPolicy backup-egress) and the server"
  elif ((rc == 11)) || grep -qi 'repository is already locked\|unable to create lock' "$SCRATCH/restic.err"; then
    fail "$what: repository $repo is locked by another backup or restore ($err) — wait for it, or after a crash run 'restic unlock'"
  elif ((rc == 10)) || grep -qi 'repository does not exist\|Is there a repository at the following location' "$SCRATCH/restic.err"; then
    fail "$what: no restic repository at $repo ($err) — a store's repository is created by its first backup"
  fi
  fail "$what: restic exited with $rc: ${err:-no message}"
}

# probe_target: a quick TCP connect to a rest: or s3: target, so an unreachable target fails in
# seconds with a clear line instead of after restic's long retry schedule.
probe_target() {
  local rest scheme=https hostport host port
  case $RESTIC_REPOSITORY in
    rest:*) rest=${RESTIC_REPOSITORY#rest:} ;;
    s3:*) rest=${RESTIC_REPOSITORY#s3:} ;;
    *) return 0 ;;
  esac
  # Through a proxy the target itself is not what the pod connects to.
  [[ -z ${HTTPS_PROXY:-}${HTTP_PROXY:-}${https_proxy:-}${http_proxy:-} ]] || return 0
  if [[ $rest == *://* ]]; then
    scheme=${rest%%://*}
    rest=${rest#*://}
  fi
  hostport=${rest%%/*}
  hostport=${hostport##*@}
  if [[ $hostport =~ ^\[([^]]+)\](:([0-9]+))?$ ]]; then
    host=${BASH_REMATCH[1]}
    port=${BASH_REMATCH[3]}
  elif [[ $hostport =~ ^([^:]+)(:([0-9]+))?$ ]]; then
    host=${BASH_REMATCH[1]}
    port=${BASH_REMATCH[3]}
  else
    fail "cannot read a host from the repository URL $(repository_shown) — write rest:http(s)://host[:port]/path or s3:https://host/bucket/path"
  fi
  if [[ -z $port ]]; then
    port=443
    [[ $scheme != http ]] || port=80
  fi
  # shellcheck disable=SC2016 # expanded by the inner bash
  if ! timeout "${PROBE_SECONDS:-10}" bash -c 'exec 3<>"/dev/tcp/$1/$2"' probe "$host" "$port" 2>"$SCRATCH/probe.err"; then
    local err
    err=$(tail -n 1 "$SCRATCH/probe.err")
    err=${err##*: }
    fail "backup target $(repository_shown) is unreachable (no TCP connection to $host:$port within ${PROBE_SECONDS:-10}s${err:+: $err}) — check woostore:backup.target, woostore:backup.egressCidrs (NetworkPolicy backup-egress) and the server; earlier snapshots are untouched"
  fi
}

# ensure_repository: opens the repository, creating it on the first backup of a store.
ensure_repository() {
  local rc=0
  probe_target
  restic cat config >/dev/null 2>"$SCRATCH/restic.err" || rc=$?
  if ((rc == 10)); then
    log "no repository at $(repository_shown) yet: creating it"
    restic_run "creating the repository" init
  elif ((rc != 0)); then
    restic_fail "opening the repository" "$rc"
  fi
}

json_escape() {
  local text=$1
  text=${text//\\/\\\\}
  text=${text//\"/\\\"}
  printf '%s' "$text"
}

# table_json SUMS ROWS: a JSON object {"table":{"rows":n,"checksum":c},...}.
table_json() {
  local sums=$1 rows=$2 out="" name sum count
  declare -A row_of=()
  while read -r name count; do
    [[ -n $name ]] && row_of[$name]=$count
  done <<<"$rows"
  while read -r name sum; do
    [[ -n $name ]] || continue
    out+="${out:+,}\"$(json_escape "$name")\":{\"rows\":${row_of[$name]:-0},\"checksum\":\"$sum\"}"
  done <<<"$sums"
  printf '{%s}' "$out"
}

write_result() {
  printf '%s\n' "$1"
  if [[ -n ${TERMINATION_LOG:-} ]]; then
    printf '%s\n' "$1" >"$TERMINATION_LOG" || log "could not write $TERMINATION_LOG"
  fi
}

# ---------------------------------------------------------------------------------------------
# commands
# ---------------------------------------------------------------------------------------------

do_backup() {
  local kind=$1 orders_before sums_before rows_before charset collation dump_bytes upload_files snapshot consistent
  log "backup of store $STORE_NAME (database $DB_NAME, $BACKUP_ROOT/uploads) to $(repository_shown)"
  ensure_repository

  sql "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = DATABASE()"
  read -r charset collation <<<"$QUERY_OUT"
  count_orders
  orders_before=$ORDERS
  table_state
  sums_before=$TABLE_SUMS
  rows_before=$TABLE_ROWS

  log "dumping the database ($orders_before orders)"
  mkdir -p "$BACKUP_ROOT/database"
  rm -f -- "$BACKUP_ROOT/$DUMP_FILE" "$BACKUP_ROOT/$MANIFEST_FILE"
  # --single-transaction: one consistent InnoDB snapshot without locking the shop.
  if ! mariadb-dump --defaults-extra-file="$SCRATCH/client.cnf" --single-transaction --quick \
    --routines --triggers --hex-blob --no-tablespaces --skip-dump-date --default-character-set=utf8mb4 \
    "$DB_NAME" >"$BACKUP_ROOT/$DUMP_FILE" 2>"$SCRATCH/dump.err"; then
    local err
    err=$(tail -n 1 "$SCRATCH/dump.err")
    rm -f -- "$BACKUP_ROOT/$DUMP_FILE"
    case $err in
      *"errno: 28"* | *"errno 28"* | *"No space left"*) fail "dumping the database: disk full in $BACKUP_ROOT/database ($err) — raise woostore:backup.scratchSize; the repository keeps every earlier snapshot" ;;
      *) fail "dumping the database: ${err:-mariadb-dump failed} — see the log above" ;;
    esac
  fi
  tail -n 1 "$BACKUP_ROOT/$DUMP_FILE" | grep -q '^-- Dump completed' || fail "dumping the database: the dump is incomplete (no 'Dump completed' trailer) — see the log above"
  dump_bytes=$(wc -c <"$BACKUP_ROOT/$DUMP_FILE")

  count_orders
  table_state
  # The dump is exactly the state read before and after it when nothing changed in between;
  # then a restore must reproduce these checksums byte-equal.
  consistent=false
  [[ $ORDERS == "$orders_before" && $TABLE_SUMS == "$sums_before" && $TABLE_ROWS == "$rows_before" ]] && consistent=true
  upload_files=$(find "$BACKUP_ROOT/uploads" -type f | wc -l)
  printf '{\n"format": 1,\n"store": "%s",\n"database": "%s",\n"charset": "%s",\n"collation": "%s",\n"tablePrefix": "%s",\n"kind": "%s",\n"created": "%(%Y-%m-%dT%H:%M:%SZ)T",\n"ordersBefore": %s,\n"ordersAfter": %s,\n"quiescent": %s,\n"dumpBytes": %s,\n"uploadFiles": %s,\n"tables": %s\n}\n' \
    "$STORE_NAME" "$DB_NAME" "$charset" "$collation" "$TABLE_PREFIX" "$kind" -1 "$orders_before" "$ORDERS" "$consistent" "$dump_bytes" "$upload_files" \
    "$(table_json "$sums_before" "$rows_before")" >"$BACKUP_ROOT/$MANIFEST_FILE"

  log "uploading to the repository (dump $dump_bytes bytes, $upload_files upload files)"
  # Relative paths from BACKUP_ROOT: every snapshot has /database and /uploads at its root,
  # wherever the volumes were mounted. The host is the store, so retention groups by store.
  cd "$BACKUP_ROOT"
  restic_run "uploading the snapshot" backup --json --host "$STORE_NAME" \
    --tag "store=$STORE_NAME" --tag "orders=$orders_before" --tag "kind=$kind" -- "${SNAPSHOT_PATHS[@]}"
  snapshot=$(grep '"message_type":"summary"' "$SCRATCH/restic.out" | sed -n 's/.*"snapshot_id":"\([0-9a-f]*\)".*/\1/p' | tail -n 1)
  [[ -n $snapshot ]] || fail "uploading the snapshot: restic reported no snapshot id — see the log above"
  rm -f -- "$BACKUP_ROOT/$DUMP_FILE"
  log "snapshot ${snapshot:0:8} saved"

  if ((${KEEP_DAILY:-7} + ${KEEP_WEEKLY:-4} + ${KEEP_MONTHLY:-6} > 0)); then
    log "retention: keep ${KEEP_DAILY:-7} daily, ${KEEP_WEEKLY:-4} weekly, ${KEEP_MONTHLY:-6} monthly"
    restic_run "applying retention" forget --host "$STORE_NAME" --group-by host \
      --keep-daily "${KEEP_DAILY:-7}" --keep-weekly "${KEEP_WEEKLY:-4}" --keep-monthly "${KEEP_MONTHLY:-6}" --prune
  fi
  write_result "{\"result\":\"ok\",\"command\":\"backup\",\"store\":\"$STORE_NAME\",\"snapshot\":\"$snapshot\",\"orders\":$orders_before,\"quiescent\":$consistent,\"dumpBytes\":$dump_bytes,\"uploadFiles\":$upload_files,\"seconds\":$((SECONDS - STARTED))}"
}

# manifest_value KEY: a scalar of manifest.json (our own one-key-per-line format; no jq here).
manifest_value() {
  sed -n "s/^\"$1\": \"\{0,1\}\([^\",]*\)\"\{0,1\},\{0,1\}$/\1/p" "$BACKUP_ROOT/$MANIFEST_FILE" | head -n 1
}

do_restore() {
  local snapshot=$1 charset collation orders_before orders_after quiescent tables_expected orders_restored mismatched=() name sum expected
  log "restore of store $STORE_NAME from snapshot $snapshot of $(repository_shown)"
  probe_target
  restic_run "opening the repository" cat config
  restic_run "finding snapshot $snapshot" snapshots --json --host "$STORE_NAME" "$snapshot"
  grep -q '"id"' "$SCRATCH/restic.out" || fail "snapshot $snapshot of store $STORE_NAME not found — list them with npm run backups -- $STORE_NAME"

  log "restoring files (uploads are replaced exactly: files not in the snapshot are deleted)"
  rm -rf -- "$BACKUP_ROOT/database"
  restic_run "restoring files" restore "$snapshot" --host "$STORE_NAME" --target "$BACKUP_ROOT" --delete
  [[ -s $BACKUP_ROOT/$MANIFEST_FILE && -s $BACKUP_ROOT/$DUMP_FILE ]] || fail "snapshot $snapshot has no database/manifest.json or database/wordpress.sql — it was not made by woostore-backup"
  charset=$(manifest_value charset)
  collation=$(manifest_value collation)
  orders_before=$(manifest_value ordersBefore)
  orders_after=$(manifest_value ordersAfter)
  quiescent=$(manifest_value quiescent)
  [[ $charset =~ ^[a-z0-9_]+$ && $collation =~ ^[a-z0-9_]+$ && $orders_before =~ ^[0-9]+$ && $orders_after =~ ^[0-9]+$ ]] || fail "snapshot $snapshot has an unreadable manifest.json"

  log "importing the database into $DB_NAME ($(wc -c <"$BACKUP_ROOT/$DUMP_FILE") bytes)"
  # Drop and re-create: tables, views and routines added after the snapshot must go too.
  sql "DROP DATABASE IF EXISTS \`$DB_NAME\`; CREATE DATABASE \`$DB_NAME\` CHARACTER SET $charset COLLATE $collation" ""
  if ! mariadb --defaults-extra-file="$SCRATCH/client.cnf" "$DB_NAME" <"$BACKUP_ROOT/$DUMP_FILE" 2>"$SCRATCH/sql.err"; then
    classify_sql_error
  fi

  count_orders
  orders_restored=$ORDERS
  table_state
  tables_expected=$(grep -o '"[^"]*":{"rows":[0-9]*,"checksum":"[^"]*"}' "$BACKUP_ROOT/$MANIFEST_FILE" | sed 's/^"\([^"]*\)":{"rows":\([0-9]*\),"checksum":"\([^"]*\)"}$/\1 \3/')
  if ((orders_restored < orders_before || orders_restored > orders_after)); then
    fail "order count mismatch: the restored database has $orders_restored orders, the snapshot recorded $orders_before — the restore is incomplete; do not reopen the shop"
  fi
  while read -r name expected; do
    [[ -n $name ]] || continue
    sum=$(awk -v t="$name" '$1 == t { print $2 }' <<<"$TABLE_SUMS")
    [[ $sum == "$expected" ]] || mismatched+=("$name")
  done <<<"$tables_expected"
  if ((${#mismatched[@]})); then
    if [[ $quiescent == true ]]; then
      fail "table checksums differ from the snapshot for ${mismatched[*]} — the restore is not byte-equal; do not reopen the shop"
    fi
    log "note: ${#mismatched[@]} table(s) changed while the snapshot was taken (${mismatched[*]}); the dump is their state at its start"
  fi
  rm -rf -- "$BACKUP_ROOT/database"
  log "restored: $orders_restored orders (snapshot recorded $orders_before), $(wc -l <<<"$tables_expected") tables"
  write_result "{\"result\":\"ok\",\"command\":\"restore\",\"store\":\"$STORE_NAME\",\"snapshot\":\"$snapshot\",\"orders\":$orders_restored,\"ordersRecorded\":$orders_before,\"tablesChecked\":$(wc -l <<<"$tables_expected"),\"tablesDiffering\":${#mismatched[@]},\"seconds\":$((SECONDS - STARTED))}"
}

do_snapshots() {
  probe_target
  restic_run "listing snapshots" snapshots --host "$STORE_NAME" --json
  write_result "$(cat "$SCRATCH/restic.out")"
}

main() {
  COMMAND=${1:-}
  case $COMMAND in
    backup)
      local kind=manual
      shift
      while (($#)); do
        case $1 in
          --kind)
            [[ ${2:-} =~ ^(scheduled|manual|pre-upgrade)$ ]] || usage "--kind needs scheduled, manual or pre-upgrade (got \"${2:-}\")"
            kind=$2
            shift 2
            ;;
          *) usage "unknown backup option \"$1\"" ;;
        esac
      done
      check_environment
      do_backup "$kind"
      ;;
    restore)
      (($# == 2)) || usage "restore needs exactly one snapshot id (or latest)"
      [[ $2 =~ ^([0-9a-f]{8,64}|latest)$ ]] || usage "\"$2\" is not a snapshot id — 8 to 64 hex characters, or latest"
      check_environment
      do_restore "$2"
      ;;
    snapshots)
      (($# == 1)) || usage "snapshots takes no arguments"
      check_environment
      do_snapshots
      ;;
    "") usage "no command given" ;;
    *) usage "unknown command \"$COMMAND\"" ;;
  esac
}

main "$@"
