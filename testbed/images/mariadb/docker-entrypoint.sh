#!/bin/bash
# Entrypoint of the testbed's mariadb LOOK-ALIKE image (testbed/images/README.md). Written from
# the official image's documentation, not from its code:
#   - an empty datadir is initialised on first start with a temporary server that listens on
#     the socket only (so health checks that connect over TCP fail until it is done):
#     root password (MARIADB_ROOT_PASSWORD, or MARIADB_ALLOW_EMPTY_ROOT_PASSWORD /
#     MARIADB_RANDOM_ROOT_PASSWORD), root@MARIADB_ROOT_HOST (default %), MARIADB_DATABASE,
#     MARIADB_USER / MARIADB_PASSWORD with all rights on that database, time-zone tables unless
#     MARIADB_INITDB_SKIP_TZINFO, a `healthcheck` user with its credentials in
#     <datadir>/.my-healthcheck.cnf, then /docker-entrypoint-initdb.d/*.sh|*.sql|*.sql.gz;
#   - MARIADB_AUTO_UPGRADE on an existing datadir runs mariadb-upgrade and re-creates the
#     healthcheck user and file when they are missing;
#   - every MARIADB_X may also be given as MARIADB_X_FILE, or under its MYSQL_X alias.
set -Eeuo pipefail

DATADIR=/var/lib/mysql
SOCKET=/run/mysqld/mysqld.sock

log() { printf '%s [Note] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$*" >&2; }
die() { printf '%s [ERROR] [Entrypoint]: %s\n' "$(date --rfc-3339=seconds)" "$*" >&2; exit 1; }

# env_value NAME [DEFAULT]: MARIADB_NAME, MARIADB_NAME_FILE, MYSQL_NAME or MYSQL_NAME_FILE.
env_value() {
	local name=$1 default=${2:-} prefix var
	for prefix in MARIADB MYSQL; do
		var="${prefix}_$name"
		if [[ -n "${!var:-}" ]]; then printf '%s' "${!var}"; return; fi
		var="${prefix}_${name}_FILE"
		if [[ -n "${!var:-}" ]]; then cat "${!var}"; return; fi
	done
	printf '%s' "$default"
}

# SQL string literal (single quotes and backslashes escaped).
sql_string() { local s=${1//\\/\\\\}; s=${s//\'/\\\'}; printf "'%s'" "$s"; }
sql_ident() { local s=${1//\`/\`\`}; printf '`%s`' "$s"; }

sql_as_root() { mariadb --protocol=socket --socket="$SOCKET" -uroot --database=mysql "$@"; }

start_temp_server() {
	log "Starting temporary server"
	"$@" --skip-networking --socket="$SOCKET" --datadir="$DATADIR" \
		--loose-innodb_buffer_pool_load_at_startup=0 --loose-innodb_buffer_pool_dump_at_shutdown=0 &
	TEMP_PID=$!
	local i
	for ((i = 0; i < 60; i++)); do
		if mariadb-admin --socket="$SOCKET" -uroot --connect-timeout=1 ping >/dev/null 2>&1 ||
			mariadb-admin --socket="$SOCKET" -uroot "--password=${ROOT_PASSWORD:-}" --connect-timeout=1 ping >/dev/null 2>&1; then
			log "Temporary server started."
			return 0
		fi
		kill -0 "$TEMP_PID" 2>/dev/null || die "temporary server exited during start-up"
		sleep 1
	done
	die "temporary server did not start within 60s"
}

stop_temp_server() {
	log "Stopping temporary server"
	kill "$TEMP_PID"
	wait "$TEMP_PID" || true
	log "Temporary server stopped"
}

write_healthcheck_cnf() {
	local password=$1
	umask 077
	cat >"$DATADIR/.my-healthcheck.cnf" <<-CNF
		[mariadb-client]
		port=3306
		socket=$SOCKET
		user=healthcheck
		password=$password
	CNF
}

healthcheck_sql() {
	local password=$1 host
	for host in 127.0.0.1 ::1 localhost; do
		printf "CREATE USER IF NOT EXISTS 'healthcheck'@'%s' IDENTIFIED BY %s;\n" "$host" "$(sql_string "$password")"
		printf "ALTER USER 'healthcheck'@'%s' IDENTIFIED BY %s;\n" "$host" "$(sql_string "$password")"
		printf "GRANT USAGE ON *.* TO 'healthcheck'@'%s';\n" "$host"
	done
}

init_datadir() {
	ROOT_PASSWORD=$(env_value ROOT_PASSWORD)
	local allow_empty random_root root_host database user password
	allow_empty=$(env_value ALLOW_EMPTY_ROOT_PASSWORD)
	random_root=$(env_value RANDOM_ROOT_PASSWORD)
	root_host=$(env_value ROOT_HOST %)
	database=$(env_value DATABASE)
	user=$(env_value USER)
	password=$(env_value PASSWORD)
	if [[ -z "$ROOT_PASSWORD" && -z "$allow_empty" && -z "$random_root" ]]; then
		die "Database is uninitialized and password option is not specified
	You need to specify one of MARIADB_ROOT_PASSWORD, MARIADB_ROOT_PASSWORD_HASH, MARIADB_ALLOW_EMPTY_ROOT_PASSWORD and MARIADB_RANDOM_ROOT_PASSWORD"
	fi
	if [[ -n "$user" && -z "$password" ]]; then die "MARIADB_USER is set but MARIADB_PASSWORD is not"; fi
	if [[ "$user" == root ]]; then die "MARIADB_USER=root: the root user is set up by MARIADB_ROOT_PASSWORD"; fi
	if [[ -n "$random_root" ]]; then
		ROOT_PASSWORD=$(head -c 24 /dev/urandom | base64)
		log "GENERATED ROOT PASSWORD: $ROOT_PASSWORD"
	fi

	log "Initializing database files"
	mariadb-install-db --datadir="$DATADIR" --auth-root-authentication-method=normal \
		--skip-test-db --skip-name-resolve --rpm >/dev/null
	log "Database files initialized"

	start_temp_server "$@"
	if [[ -z "$(env_value INITDB_SKIP_TZINFO)" ]]; then
		mariadb-tzinfo-to-sql --skip-write-binlog /usr/share/zoneinfo 2>/dev/null | sql_as_root
	fi
	local hc_password
	hc_password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
	{
		echo "SET @@SESSION.SQL_LOG_BIN=0;"
		echo "DELETE FROM mysql.global_priv WHERE user NOT IN ('mysql.sys', 'mariadb.sys', 'root', 'mysql') OR host NOT IN ('localhost');"
		printf "ALTER USER 'root'@'localhost' IDENTIFIED BY %s;\n" "$(sql_string "$ROOT_PASSWORD")"
		if [[ "$root_host" != localhost ]]; then
			printf "CREATE USER 'root'@%s IDENTIFIED BY %s;\n" "$(sql_string "$root_host")" "$(sql_string "$ROOT_PASSWORD")"
			printf "GRANT ALL ON *.* TO 'root'@%s WITH GRANT OPTION;\n" "$(sql_string "$root_host")"
			printf "GRANT PROXY ON ''@'%%' TO 'root'@%s WITH GRANT OPTION;\n" "$(sql_string "$root_host")"
		fi
		healthcheck_sql "$hc_password"
		if [[ -n "$database" ]]; then
			printf 'CREATE DATABASE IF NOT EXISTS %s;\n' "$(sql_ident "$database")"
		fi
		if [[ -n "$user" ]]; then
			printf "CREATE USER %s@'%%' IDENTIFIED BY %s;\n" "$(sql_string "$user")" "$(sql_string "$password")"
			if [[ -n "$database" ]]; then
				printf "GRANT ALL ON %s.* TO %s@'%%';\n" "$(sql_ident "$database")" "$(sql_string "$user")"
			fi
		fi
		echo "FLUSH PRIVILEGES;"
	} | sql_as_root
	write_healthcheck_cnf "$hc_password"

	local f
	for f in /docker-entrypoint-initdb.d/*; do
		case "$f" in
		*.sh) log "running $f"; bash "$f" ;;
		*.sql) log "running $f"; sql_as_root "--password=$ROOT_PASSWORD" "${database:+--database=$database}" <"$f" ;;
		*.sql.gz) log "running $f"; gunzip -c "$f" | sql_as_root "--password=$ROOT_PASSWORD" "${database:+--database=$database}" ;;
		*/\*) ;;
		*) log "ignoring $f" ;;
		esac
	done
	stop_temp_server
	mariadbd --version | awk '{print $3}' >"$DATADIR/.woostore-lookalike-version"
	log "MariaDB init process done. Ready for start up."
}

auto_upgrade() {
	local version
	version=$(mariadbd --version | awk '{print $3}')
	if [[ -f "$DATADIR/.my-healthcheck.cnf" && "$(cat "$DATADIR/.woostore-lookalike-version" 2>/dev/null)" == "$version" ]]; then
		log "MariaDB upgrade not required"
		return 0
	fi
	log "MariaDB upgrade and healthcheck user check (MARIADB_AUTO_UPGRADE)"
	# Without grant tables the server accepts root on the socket with no password.
	start_temp_server "$@" --skip-grant-tables
	mariadb-upgrade --socket="$SOCKET" -uroot --upgrade-system-tables >&2 || die "mariadb-upgrade failed"
	if [[ ! -f "$DATADIR/.my-healthcheck.cnf" ]]; then
		local hc_password
		hc_password=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
		{ echo "FLUSH PRIVILEGES;"; healthcheck_sql "$hc_password"; } | sql_as_root
		write_healthcheck_cnf "$hc_password"
	fi
	stop_temp_server
	echo "$version" >"$DATADIR/.woostore-lookalike-version"
}

if [[ "${1:-}" == -* ]]; then set -- mariadbd "$@"; fi
if [[ "${1:-}" == mariadbd || "${1:-}" == mysqld ]]; then
	if [[ ! -d "$DATADIR/mysql" ]]; then
		init_datadir "$@"
	elif [[ -n "$(env_value AUTO_UPGRADE)" ]]; then
		auto_upgrade "$@"
	fi
fi
exec "$@"
