#!/bin/bash
# Entrypoint of the testbed's wordpress LOOK-ALIKE image (testbed/images/README.md). Written from
# the official image's documentation, not from its code. For Apache (the default command):
#   - an empty docroot (/var/www/html, usually a volume) gets a copy of WordPress on first
#     start, as the user the container runs as;
#   - without wp-config.php, one is created from wp-config-docker.php, which reads WORDPRESS_DB_*,
#     the keys and salts, WORDPRESS_TABLE_PREFIX, WORDPRESS_DEBUG and WORDPRESS_CONFIG_EXTRA from
#     the environment at run time (and NAME_FILE variants); salts not given get random values.
# Any other command is run as is.
set -Eeuo pipefail

if [[ $1 == apache2* ]]; then
	if [[ ! -e index.php && ! -e wp-includes/version.php ]]; then
		echo >&2 "WordPress not found in $PWD - copying now..."
		if [[ -n "$(find . -mindepth 1 -maxdepth 1 ! -name lost+found -print -quit)" ]]; then
			echo >&2 "WARNING: $PWD is not empty! (copying anyhow)"
		fi
		# Preserve modes; ownership is whoever runs this (uid 33 under the chart).
		tar -C /usr/src/wordpress -cf - . | tar -xf - --no-same-owner --no-overwrite-dir
		if [[ $(id -u) == 0 ]]; then chown -R www-data:www-data .; fi
		echo >&2 "Complete! WordPress has been successfully copied to $PWD"
	fi

	if [[ ! -s wp-config.php ]] && compgen -e | grep -q '^WORDPRESS_'; then
		echo >&2 "No 'wp-config.php' found in $PWD, but 'WORDPRESS_...' variables supplied; copying 'wp-config-docker.php'"
		# Salts that the environment does not set get random defaults baked into the file.
		cp wp-config-docker.php wp-config.php.tmp
		for key in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
			random=$(head -c 48 /dev/urandom | sha1sum | cut -c1-40)
			sed -i "s/put your unique phrase here ($key)/$random/" wp-config.php.tmp
		done
		mv wp-config.php.tmp wp-config.php
	fi
fi

exec "$@"
