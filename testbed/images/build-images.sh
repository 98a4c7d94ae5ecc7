#!/usr/bin/env bash
# testbed/images/build-images.sh OUT_DIR — the tier-3 look-alike images as OCI tarballs.
#
# Each image is a Debian bookworm root file system made by debootstrap from Debian packages,
# plus this directory's own entrypoint scripts, packed as an OCI image by umoci and written as
# one OCI layout tarball per image into OUT_DIR (imported into containerd by cluster.sh):
#   wordpress.tar      localhost/woostore-lookalike/wordpress:$LOOKALIKE_WORDPRESS_TAG
#   mariadb.tar        localhost/woostore-lookalike/mariadb:$LOOKALIKE_MARIADB_TAG
#   wordpress-cli.tar  localhost/woostore-lookalike/wordpress-cli:$LOOKALIKE_WPCLI_TAG
#   pause.tar          localhost/woostore-testbed/pause:$PAUSE_VERSION (pause.c of k8s.io/kubernetes)
#   coredns.tar        localhost/woostore-testbed/coredns:$COREDNS_VERSION (the nodeaddons piece's binary)
# The package versions that matter (WordPress, PHP, MariaDB) are checked against lib.sh: if
# Debian moved on, the build fails and says which pin to update.
#
# Needs root, debootstrap, umoci, gcc with a static libc (libc6-dev), network access to
# deb.debian.org. Root file systems and downloaded .debs are kept in $TESTBED_CACHE/images-work.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
source "$HERE/../lib.sh"

OUT=${1:?usage: build-images.sh OUT_DIR}
WORK="$TESTBED_CACHE/images-work"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
mkdir -p "$OUT" "$WORK/debs"

log() { echo "images: $*" >&2; }

# Packages per image (debootstrap --include; minbase variant, no Recommends).
PKG_BASE="ca-certificates,bash,tzdata"
PKG_WORDPRESS="$PKG_BASE,apache2,libapache2-mod-php,php-mysql,php-gd,php-curl,php-xml,php-mbstring,php-zip,php-intl,wordpress,wordpress-theme-twentytwentythree"
PKG_MARIADB="$PKG_BASE,mariadb-server,mariadb-client"
PKG_WPCLI="$PKG_BASE,curl,php-cli,php-mysql,mariadb-client"

# rootfs NAME PACKAGES: a debootstrapped tree in $WORK/rootfs-NAME (reused while the list is unchanged).
rootfs() {
	local name=$1 packages=$2 dir="$WORK/rootfs-$1"
	if [[ -f "$dir/.woostore-packages" && "$(cat "$dir/.woostore-packages")" == "$DEBIAN_SUITE $packages" ]]; then
		log "$name: reusing $dir"
		echo "$dir"
		return 0
	fi
	rm -rf "$dir" "$dir.tmp"
	log "$name: debootstrap $DEBIAN_SUITE ($packages)"
	debootstrap --variant=minbase --include="$packages" --cache-dir="$WORK/debs" \
		"$DEBIAN_SUITE" "$dir.tmp" "$MIRROR" >"$WORK/debootstrap-$name.log" 2>&1 ||
		{ tail -20 "$WORK/debootstrap-$name.log" >&2; return 1; }
	echo "$DEBIAN_SUITE $packages" >"$dir.tmp/.woostore-packages"
	mv "$dir.tmp" "$dir"
	echo "$dir"
}

# Version of a Debian package inside a root file system.
pkg_version() { chroot "$1" dpkg-query -W -f '${Version}' "$2"; }

expect_version() { # rootfs package pattern pin-name
	local v
	v=$(pkg_version "$1" "$2")
	[[ "$v" == $3 ]] || { log "$2 is $v in the Debian archive, lib.sh pins $4 to '$3': update the pin"; return 1; }
}

# pack NAME ROOTFS REF TARBALL umoci-config-args...: copies ROOTFS (minus apt caches and /dev
# nodes), packs one layer with umoci and writes the OCI layout as a tarball.
pack() {
	local name=$1 root=$2 ref=$3 tarball=$4
	shift 4
	local layout="$WORK/oci-$name" bundle="$WORK/bundle-$name"
	rm -rf "$layout" "$bundle"
	umoci init --layout "$layout"
	umoci new --image "$layout:build"
	umoci unpack --image "$layout:build" "$bundle" >/dev/null
	if [[ -n "$root" ]]; then
		tar -C "$root" --exclude=./dev/* --exclude=./proc/* --exclude=./sys/* --exclude=./var/cache/apt/archives/*.deb \
			--exclude=./var/lib/apt/lists/* --exclude=./.woostore-packages -cf - . | tar -C "$bundle/rootfs" -xpf -
	fi
	umoci repack --image "$layout:build" "$bundle"
	umoci config --image "$layout:build" --tag "${ref##*:}" --config.label "org.opencontainers.image.title=$name" "$@"
	umoci rm --image "$layout:build"
	umoci gc --layout "$layout"
	tar -C "$layout" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
	rm -rf "$layout" "$bundle"
	log "$name: $tarball ($(du -h "$tarball" | cut -f1)) = $ref"
}

# A writable copy of a cached root file system, so image files never change the cache.
stage_root() {
	local src=$1 dst="$WORK/stage-$2"
	rm -rf "$dst"
	cp -a "$src" "$dst"
	echo "$dst"
}

build_wordpress() {
	local base root
	base=$(rootfs wordpress "$PKG_WORDPRESS")
	expect_version "$base" wordpress "$LOOKALIKE_WORDPRESS_DEB" LOOKALIKE_WORDPRESS_DEB
	expect_version "$base" php8.2-cli "$LOOKALIKE_PHP_DEB" LOOKALIKE_PHP_DEB
	root=$(stage_root "$base" wordpress)
	# WordPress as the official image ships it: the whole tree in /usr/src/wordpress (Debian's
	# package spreads it over symlinks into /usr/share/javascript etc.; -L resolves them), without
	# Debian's own wp-config.php (which reads /etc/wordpress), plus our wp-config-docker.php.
	# Copied inside the chroot: the package's symlinks are absolute.
	mkdir -p "$root/usr/src"
	chroot "$root" cp -rL /usr/share/wordpress /usr/src/wordpress
	rm -f "$root/usr/src/wordpress/wp-config.php"
	install -m 0644 "$HERE/wordpress/wp-config-docker.php" "$root/usr/src/wordpress/wp-config-docker.php"
	chown -R 33:33 "$root/usr/src/wordpress"
	install -m 0755 "$HERE/wordpress/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
	install -m 0755 "$HERE/wordpress/apache2-foreground" "$root/usr/local/bin/apache2-foreground"
	install -m 0644 "$HERE/wordpress/docker-php.conf" "$root/etc/apache2/conf-available/docker-php.conf"
	chroot "$root" a2enconf docker-php >/dev/null
	chroot "$root" a2enmod rewrite >/dev/null
	# Apache runs as any user (uid 33 under Pod Security "restricted"): its run, lock and log
	# dirs are world-writable with the sticky bit, and logs go to the container's output.
	# Inside the chroot: /var/run and /var/lock are absolute symlinks to /run.
	chroot "$root" sh -c 'for d in /var/run/apache2 /var/lock/apache2 /var/log/apache2; do
		rm -rf "$d" && mkdir -p "$d" && chmod 1777 "$d"; done
		rm -rf /var/www/html && mkdir -p /var/www/html && chown 33:33 /var/www/html && chmod 0755 /var/www/html'
	ln -sfT /dev/stderr "$root/var/log/apache2/error.log"
	ln -sfT /dev/stdout "$root/var/log/apache2/access.log"
	ln -sfT /dev/stdout "$root/var/log/apache2/other_vhosts_access.log"
	pack wordpress "$root" "$LOOKALIKE_WORDPRESS_IMAGE" "$OUT/wordpress.tar" \
		--config.entrypoint docker-entrypoint.sh --config.cmd apache2-foreground \
		--config.workingdir /var/www/html --config.exposedports 80/tcp --config.volume /var/www/html \
		--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		--config.stopsignal SIGWINCH
	rm -rf "$root"
}

build_mariadb() {
	local base root
	base=$(rootfs mariadb "$PKG_MARIADB")
	expect_version "$base" mariadb-server "$LOOKALIKE_MARIADB_DEB" LOOKALIKE_MARIADB_DEB
	root=$(stage_root "$base" mariadb)
	# The official image's mysql user is uid/gid 999 (the chart runs the pod as 999); Debian's
	# package picked a system id at install time.
	local olduid oldgid
	olduid=$(chroot "$root" id -u mysql) oldgid=$(chroot "$root" id -g mysql)
	chroot "$root" groupmod -g 999 mysql
	chroot "$root" usermod -u 999 -g 999 mysql
	find "$root" -xdev \( -uid "$olduid" -o -gid "$oldgid" \) ! -path "$root/proc/*" -exec chown -h 999:999 {} +
	# The package's postinst initialised a datadir; the image starts empty (initialised on first start).
	rm -rf "${root:?}/var/lib/mysql" && mkdir -p "$root/var/lib/mysql" "$root/run/mysqld" "$root/docker-entrypoint-initdb.d"
	chown 999:999 "$root/var/lib/mysql" "$root/run/mysqld"
	chmod 1777 "$root/run/mysqld"
	install -m 0644 "$HERE/mariadb/zz-lookalike.cnf" "$root/etc/mysql/mariadb.conf.d/zz-lookalike.cnf"
	install -m 0755 "$HERE/mariadb/docker-entrypoint.sh" "$root/usr/local/bin/docker-entrypoint.sh"
	install -m 0755 "$HERE/mariadb/healthcheck.sh" "$root/usr/local/bin/healthcheck.sh"
	pack mariadb "$root" "$LOOKALIKE_MARIADB_IMAGE" "$OUT/mariadb.tar" \
		--config.entrypoint docker-entrypoint.sh --config.cmd mariadbd \
		--config.exposedports 3306/tcp --config.volume /var/lib/mysql \
		--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	rm -rf "$root"
}

build_wpcli() {
	local base root
	base=$(rootfs wordpress-cli "$PKG_WPCLI")
	expect_version "$base" php8.2-cli "$LOOKALIKE_PHP_DEB" LOOKALIKE_PHP_DEB
	root=$(stage_root "$base" wordpress-cli)
	# The official wordpress:cli image runs as www-data in /var/www/html with `wp` as the
	# entrypoint. WP-CLI itself is a phar from GitHub, which is not reachable here: this image
	# has bash, curl, php and the MariaDB client but NO `wp` (see testbed/images/README.md).
	mkdir -p "$root/var/www/html" && chown 33:33 "$root/var/www/html"
	pack wordpress-cli "$root" "$LOOKALIKE_WPCLI_IMAGE" "$OUT/wordpress-cli.tar" \
		--config.cmd bash --config.user 33:33 --config.workingdir /var/www/html \
		--config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
	rm -rf "$root"
}

build_pause() {
	# The sandbox ("pause") image, compiled from the k8s.io/kubernetes module's own source.
	local src="$TESTBED_CACHE/gomod/k8s.io/kubernetes@v$K8S_VERSION/build/pause/linux/pause.c" root="$WORK/stage-pause"
	[[ -f "$src" ]] || { log "missing $src (build the kube piece first)"; return 1; }
	rm -rf "$root" && mkdir -p "$root"
	gcc -Os -Wall -Werror -static -DVERSION="v$PAUSE_VERSION-woostore-testbed" -o "$root/pause" "$src"
	strip "$root/pause"
	pack pause "$root" "$PAUSE_IMAGE" "$OUT/pause.tar" --config.entrypoint /pause --config.user 65535:65535
	rm -rf "$root"
}

build_coredns() {
	# The cluster DNS pod's image: the coredns binary of the nodeaddons piece, nothing else.
	local bin root="$WORK/stage-coredns"
	bin="$(tb_bin_nodeaddons)/coredns"
	[[ -x "$bin" ]] || { log "missing $bin (build the nodeaddons piece first)"; return 1; }
	rm -rf "$root" && mkdir -p "$root"
	install -m 0755 "$bin" "$root/coredns"
	pack coredns "$root" "$COREDNS_IMAGE" "$OUT/coredns.tar" --config.entrypoint /coredns --config.exposedports 53/udp
	rm -rf "$root"
}

for image in ${IMAGES:-pause coredns mariadb wordpress wordpress-cli}; do
	case "$image" in
	pause) build_pause ;;
	mariadb) build_mariadb ;;
	wordpress) build_wordpress ;;
	wordpress-cli) build_wpcli ;;
	coredns) build_coredns ;;
	*) log "unknown image $image"; exit 2 ;;
	esac
done
