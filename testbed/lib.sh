# shellcheck shell=bash
# Shared definitions for testbed/build.sh, env.sh, cluster.sh and smoke.sh. Source it; it only
# sets variables and functions.

TESTBED_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TESTBED_CACHE="${WOOSTORE_TESTBED_CACHE:-/var/cache/woostore-testbed}"

# Pinned versions. The npm packages of the program must match the plugin versions.
PULUMI_VERSION=3.274.1                  # CLI; @pulumi/pulumi 3.274.1 (newest pkg/v3 the Go proxy serves)
LANGHOST_VERSION=3.68.0                 # newest upstream Node.js language host the Go proxy serves (tools/langhost)
K8S_PROVIDER_VERSION=4.25.0             # @pulumi/kubernetes 4.25.0 -> plugin kubernetes 4.25.0
RANDOM_PROVIDER_VERSION=4.21.2          # @pulumi/random 4.21.2 -> plugin random 4.21.2 (stand-in)
K8S_VERSION=1.36.3
ETCD_VERSION=3.6.16
KWOK_VERSION=0.8.0
HELM_VERSION=3.19.5
TRAEFIK_VERSION=3.5.3                   # only its CRDs (Middleware for the chart's HTTPS redirect), like k3s installs them

# Tier 3 (cluster.sh up --real-node): the node's own pieces, from the Go module proxy.
COREDNS_VERSION=1.14.7                  # github.com/coredns/coredns (own main: only the plugins a cluster DNS needs)
KUBE_ROUTER_VERSION=2.1.0               # github.com/cloudnativelabs/kube-router/v2: NetworkPolicy enforcement only
LOCAL_PATH_VERSION=0.0.30               # github.com/rancher/local-path-provisioner: k3s's `local-path` StorageClass
# Look-alike images (testbed/images): Debian packages; the build checks these against the archive.
DEBIAN_SUITE=bookworm
LOOKALIKE_WORDPRESS_DEB='6.1.*'         # Debian's wordpress package
LOOKALIKE_PHP_DEB='8.2.*'
LOOKALIKE_MARIADB_DEB='1:10.11.*'
LOOKALIKE_WORDPRESS_IMAGE=localhost/woostore-lookalike/wordpress:6.1-php8.2-apache-deb12
LOOKALIKE_MARIADB_IMAGE=localhost/woostore-lookalike/mariadb:10.11-deb12
LOOKALIKE_WPCLI_IMAGE=localhost/woostore-lookalike/wordpress-cli:php8.2-deb12-no-wp
PAUSE_VERSION=3.10.2
PAUSE_IMAGE=localhost/woostore-testbed/pause:$PAUSE_VERSION
COREDNS_IMAGE=localhost/woostore-testbed/coredns:$COREDNS_VERSION

# Short digest of a wrapper module's committed files: a changed go.mod or main gets a new bin dir.
tb_digest() {
	(cd "$TESTBED_DIR/tools/$1" && find . -type f \( -name '*.go' -o -name 'go.mod' -o -name 'go.sum' \) \
		! -name '*-embed.json' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-10)
}

# The CLI dir also holds the upstream Node.js language host (tools/langhost, v3.68.0) next to
# `pulumi`, and the project-authored host that can run policy packs in policy-host/.
tb_bin_pulumi() { echo "$TESTBED_CACHE/bin/pulumi-v$PULUMI_VERSION-$(tb_digest pulumi)$(tb_digest langhost | cut -c1-4)"; }
tb_bin_policy_host() { echo "$(tb_bin_pulumi)/policy-host"; }
tb_bin_k8sprovider() { echo "$TESTBED_CACHE/bin/pulumi-kubernetes-$K8S_PROVIDER_VERSION-$(tb_digest k8sprovider)"; }
# random: a testbed stand-in built from tools/pulumi (the real provider module is not served).
tb_bin_random() { echo "$TESTBED_CACHE/bin/pulumi-random-standin-$RANDOM_PROVIDER_VERSION-$(tb_digest pulumi)"; }
tb_bin_kube() { echo "$TESTBED_CACHE/bin/kube-v$K8S_VERSION-etcd-v$ETCD_VERSION-kwok-v$KWOK_VERSION-$(tb_digest kube)"; }
tb_bin_helm() { echo "$TESTBED_CACHE/bin/helm-v$HELM_VERSION"; }
# Tier 3: kubelet and kube-proxy from the kube module (same module graph, so the Go build cache
# of the kube piece is shared); CoreDNS, kube-router and local-path-provisioner each from their own.
tb_bin_node() { echo "$TESTBED_CACHE/bin/node-v$K8S_VERSION-$(tb_digest kube)"; }
tb_bin_nodeaddons() {
	echo "$TESTBED_CACHE/bin/nodeaddons-coredns-v$COREDNS_VERSION-kuberouter-v$KUBE_ROUTER_VERSION-localpath-v$LOCAL_PATH_VERSION-$( (tb_digest coredns; tb_digest kuberouter; tb_digest localpath) | sha256sum | cut -c1-10)"
}
# Images: keyed by the image sources (testbed/images) and the pins above.
tb_images_digest() {
	(cd "$TESTBED_DIR/images" && find . -type f ! -name README.md | LC_ALL=C sort | xargs sha256sum
		echo "$DEBIAN_SUITE $LOOKALIKE_WORDPRESS_IMAGE $LOOKALIKE_MARIADB_IMAGE $LOOKALIKE_WPCLI_IMAGE $PAUSE_IMAGE $COREDNS_IMAGE $(tb_bin_nodeaddons)") | sha256sum | cut -c1-10
}
tb_images() { echo "$TESTBED_CACHE/images/lookalike-$DEBIAN_SUITE-$(tb_images_digest)"; }

TB_PULUMI_HOME="$TESTBED_CACHE/pulumi-home"
# Traefik's CRD definitions, as published in its Go module (build.sh piece `crds` downloads it).
TB_TRAEFIK_CRDS="$TESTBED_CACHE/gomod/github.com/traefik/traefik/v3@v$TRAEFIK_VERSION/docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml"

tb_go_env() {
	export GOMODCACHE="$TESTBED_CACHE/gomod"
	export GOCACHE="$TESTBED_CACHE/gocache"
	export GOTOOLCHAIN=local
	export GOFLAGS=-mod=mod
	export CGO_ENABLED=0
}
