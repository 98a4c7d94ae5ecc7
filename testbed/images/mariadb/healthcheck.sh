#!/bin/bash
# healthcheck.sh of the testbed's mariadb LOOK-ALIKE image, written from the official image's
# documentation. It connects with the credentials in <datadir>/.my-healthcheck.cnf (written by
# the entrypoint) and runs each test named on the command line, in order; the exit status is
# non-zero at the first test that fails. Implemented tests:
#   --connect              the server accepts a TCP connection (the temporary server used
#                          during initialisation listens on the socket only, so this fails then)
#   --innodb_initialized   InnoDB is initialised
# Other documented tests (--innodb_buffer_pool_loaded, --galera_online, --replication, ...)
# are not implemented and fail with a message saying so.
set -uo pipefail

DEFAULTS_FILE=/var/lib/mysql/.my-healthcheck.cnf

query() { # SQL -> prints the first column of the first row
	mariadb --defaults-extra-file="$DEFAULTS_FILE" --protocol=tcp --host=127.0.0.1 \
		--connect-timeout=3 --skip-column-names --batch -e "$1"
}

(($#)) || set -- --connect
for test in "$@"; do
	case "$test" in
	--connect)
		query 'SELECT 1' >/dev/null || { echo "healthcheck connect failed" >&2; exit 1; } ;;
	--innodb_initialized)
		n=$(query "SELECT COUNT(*) FROM information_schema.ENGINES WHERE ENGINE = 'InnoDB' AND SUPPORT IN ('YES', 'DEFAULT', 'ENABLED')") || exit 1
		[[ "$n" == 1 ]] || { echo "healthcheck innodb_initialized failed" >&2; exit 1; } ;;
	--defaults-file=* | --defaults-extra-file=*)
		DEFAULTS_FILE=${test#*=} ;;
	*)
		echo "healthcheck: $test is not implemented by this look-alike image (testbed/images/README.md)" >&2
		exit 1 ;;
	esac
done
exit 0
