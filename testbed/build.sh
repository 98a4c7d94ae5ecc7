#!/usr/bin/env bash
# testbed/build.sh — build (or reuse) the tier-2 testbed toolchain from the Go module proxy.
#
# Everything goes to ${WOOSTORE_TESTBED_CACHE:-/var/cache/woostore-testbed} (outside the clone):
#   gomod/ gocache/          Go module and build caches
#   src/<module>/            working copies of testbed/tools/<module> (generated files live here)
#   bin/<piece>-<versions>-<digest>/   built binaries, one dir per piece, keyed by versions and
#                            by a digest of the wrapper module's committed files
#   pulumi-home/             PULUMI_HOME with the provider plugins installed from file
#   logs/                    build logs
# A piece whose bin dir is complete is not rebuilt, so a second run takes seconds.
#
# Usage: testbed/build.sh [piece...]   pieces: pulumi k8sprovider random kube helm plugins crds
#        (default: these, tier 2), and for tier 3 (cluster.sh up --real-node): node nodeaddons
#        images (or `tier3` for all three). Exit status is non-zero if a requested piece failed.
set -uo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
tb_go_env
mkdir -p "$TESTBED_CACHE"/{bin,src,logs} "$GOMODCACHE" "$GOCACHE"

command -v go >/dev/null || { echo "build: go not found on PATH" >&2; exit 1; }
GO_VER="$(go env GOVERSION)"
case "$GO_VER" in go1.2[6-9]* | go1.[3-9]*) ;; *) echo "build: need Go >= 1.26, have $GO_VER" >&2; exit 1 ;; esac

LDF_STRIP="-s -w"
declare -a SUMMARY=()
FAILED=0
TOTAL_START=$SECONDS

log() { echo "build: $*" >&2; }

# Copy a wrapper module into the cache so generated files and go.sum updates stay out of the clone.
prepare_src() {
	local name=$1 dst="$TESTBED_CACHE/src/$1"
	mkdir -p "$dst"
	cp -a "$TESTBED_DIR/tools/$name/." "$dst/"
	echo "$dst"
}

# run_piece NAME BINDIR "expected binaries" FUNCTION
run_piece() {
	local name=$1 bindir=$2 bins=$3 fn=$4 missing=0 b
	for b in $bins; do [[ -x "$bindir/$b" ]] || missing=1; done
	if ((missing == 0)); then
		SUMMARY+=("$(printf '%-12s cached      %s' "$name" "$bindir")")
		return 0
	fi
	log "building $name -> $bindir (log: $TESTBED_CACHE/logs/build-$name.log)"
	local start=$SECONDS tmp="$bindir.tmp"
	rm -rf "$tmp" && mkdir -p "$tmp"
	if ("$fn" "$tmp") >"$TESTBED_CACHE/logs/build-$name.log" 2>&1; then
		rm -rf "$bindir" && mv "$tmp" "$bindir"
		local t=$((SECONDS - start))
		SUMMARY+=("$(printf '%-12s built %4ds  %s' "$name" "$t" "$bindir")")
		log "$name built in ${t}s"
	else
		local t=$((SECONDS - start))
		SUMMARY+=("$(printf '%-12s FAILED %3ds  see %s' "$name" "$t" "$TESTBED_CACHE/logs/build-$name.log")")
		log "$name FAILED after ${t}s; last lines of the log:"
		tail -n 15 "$TESTBED_CACHE/logs/build-$name.log" >&2
		FAILED=1
	fi
}

build_pulumi() {
	local out=$1 src lhsrc
	src=$(prepare_src pulumi) && lhsrc=$(prepare_src langhost) || return 1
	local ldf="$LDF_STRIP -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
	set -x
	(cd "$src" && go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldf" -o "$out/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi) &&
		# The upstream Node.js language host, bundled next to the CLI so the engine uses it.
		(cd "$lhsrc" && go build -trimpath -ldflags "$LDF_STRIP -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$LANGHOST_VERSION" \
			-o "$out/pulumi-language-nodejs" github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs) &&
		# Upstream v3.68.0 cannot run policy packs (RunPlugin "not supported"); this host can.
		(cd "$src" && go build -trimpath -ldflags "$ldf" -o "$out/policy-host/pulumi-language-nodejs" ./cmd/pulumi-language-nodejs)
}

build_k8sprovider() {
	local out=$1 src dir main
	src=$(prepare_src k8sprovider) && cd "$src" || return 1
	set -x
	go mod download github.com/pulumi/pulumi-kubernetes/provider/v4 || return 1
	dir=$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4) || return 1
	main="$src/cmd/pulumi-resource-kubernetes"
	# The two files upstream generates at release time (gitignored there, so not in the module zip):
	# the schema with its version set, and the compacted terraform mapping.
	jq -c --arg v "$K8S_PROVIDER_VERSION" '.version=$v' "$dir/cmd/pulumi-resource-kubernetes/schema.json" \
		>"$main/schema-embed.json" || return 1
	jq -c . "$dir/cmd/pulumi-resource-kubernetes/terraform-mapping.json" >"$main/terraform-mapping-embed.json" || return 1
	go build -trimpath -ldflags "$LDF_STRIP -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_PROVIDER_VERSION" \
		-o "$out/pulumi-resource-kubernetes" ./cmd/pulumi-resource-kubernetes
}

build_random() {
	# Stand-in provider (testbed/tools/pulumi/cmd/pulumi-resource-random): the real
	# github.com/pulumi/pulumi-random/provider/v4 is not served by the module proxy (README).
	local out=$1 src
	src=$(prepare_src pulumi) && cd "$src" || return 1
	set -x
	go build -trimpath -ldflags "$LDF_STRIP -X main.version=$RANDOM_PROVIDER_VERSION" \
		-o "$out/pulumi-resource-random" ./cmd/pulumi-resource-random
}

# -X flags that set the Kubernetes version strings (component-base and client-go).
kube_version_ldflags() {
	local minor=${K8S_VERSION#*.}; minor=${minor%%.*}
	local kv="-X k8s.io/component-base/version.gitVersion=v$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1"
	kv+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
	kv+=" -X k8s.io/component-base/version.buildDate=2026-01-01T00:00:00Z"
	kv+=" -X k8s.io/client-go/pkg/version.gitVersion=v$K8S_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1"
	kv+=" -X k8s.io/client-go/pkg/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitTreeState=clean"
	echo "$kv"
}

build_kube() {
	local out=$1 src
	src=$(prepare_src kube) && cd "$src" || return 1
	local kv
	kv=$(kube_version_ldflags)
	set -x
	local c
	for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
		go build -trimpath -ldflags "$LDF_STRIP $kv" -o "$out/$c" "k8s.io/kubernetes/cmd/$c" || return 1
	done
	go build -trimpath -ldflags "$LDF_STRIP" -o "$out/etcd" go.etcd.io/etcd/server/v3 || return 1
	go build -trimpath -ldflags "$LDF_STRIP" -o "$out/kwok" sigs.k8s.io/kwok/cmd/kwok || return 1
	# The kwok module (its Stage CRD and default stages are read by cluster.sh) must be in the cache.
	go mod download sigs.k8s.io/kwok
}

build_helm() {
	local out=$1
	set -x
	GOBIN="$out" go install -trimpath \
		-ldflags "$LDF_STRIP -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION" \
		"helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
}

# Traefik's CRDs (traefik.io/v1alpha1, e.g. Middleware) for cluster.sh: k3s installs them with
# its Traefik, and the chart's HTTP -> HTTPS redirect is a Middleware. Nothing is built: the
# module zip carries the CRD definitions.
fetch_crds() {
	if [[ -f "$TB_TRAEFIK_CRDS" ]]; then
		SUMMARY+=("$(printf '%-12s cached      %s' crds "$TB_TRAEFIK_CRDS")")
		return 0
	fi
	local start=$SECONDS
	if (cd "$TESTBED_CACHE" && go mod download "github.com/traefik/traefik/v3@v$TRAEFIK_VERSION") >"$TESTBED_CACHE/logs/build-crds.log" 2>&1 &&
		[[ -f "$TB_TRAEFIK_CRDS" ]]; then
		SUMMARY+=("$(printf '%-12s fetched %3ds  %s' crds $((SECONDS - start)) "$TB_TRAEFIK_CRDS")")
	else
		SUMMARY+=("$(printf '%-12s FAILED      see %s' crds "$TESTBED_CACHE/logs/build-crds.log")")
		FAILED=1
	fi
}

# Tier 3: kubelet and kube-proxy, built from a copy of the kube module (same go.mod, so the
# packages the kube piece compiled come from the Go build cache).
build_node() {
	local out=$1 src="$TESTBED_CACHE/src/node-kube"
	rm -rf "$src" && mkdir -p "$src" && cp -a "$TESTBED_DIR/tools/kube/." "$src/" && cd "$src" || return 1
	set -x
	local c
	for c in kubelet kube-proxy; do
		go build -trimpath -ldflags "$LDF_STRIP $(kube_version_ldflags)" -o "$out/$c" "k8s.io/kubernetes/cmd/$c" || return 1
	done
}

# Tier 3: cluster DNS, NetworkPolicy enforcement and the local-path provisioner, each from its
# own module graph (the versions upstream tested), with upstream's version ldflags.
build_nodeaddons() {
	local out=$1 src
	set -x
	src=$(prepare_src coredns) && (cd "$src" && go build -trimpath \
		-ldflags "$LDF_STRIP -X github.com/coredns/coredns/coremain.GitCommit=v$COREDNS_VERSION -X github.com/coredns/coredns/coremain.gitTag=v$COREDNS_VERSION" \
		-o "$out/coredns" ./cmd/coredns) || return 1
	src=$(prepare_src kuberouter) && (cd "$src" && go build -trimpath \
		-ldflags "$LDF_STRIP -X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=v$KUBE_ROUTER_VERSION -X github.com/cloudnativelabs/kube-router/v2/pkg/version.BuildDate=2026-01-01T00:00:00Z" \
		-o "$out/kube-router" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router) || return 1
	src=$(prepare_src localpath) && (cd "$src" && go build -trimpath \
		-ldflags "$LDF_STRIP -X main.VERSION=v$LOCAL_PATH_VERSION" \
		-o "$out/local-path-provisioner" github.com/rancher/local-path-provisioner) || return 1
}

# Tier 3: look-alike images as OCI tarballs (testbed/images/build-images.sh; root only).
build_images() {
	local out=$1
	((EUID == 0)) || { echo "the images piece needs root (debootstrap, chroot)"; return 1; }
	local t
	for t in debootstrap umoci gcc; do command -v "$t" >/dev/null || { echo "missing $t: apt-get install debootstrap umoci gcc libc6-dev"; return 1; }; done
	bash "$TESTBED_DIR/images/build-images.sh" "$out"
}

# Install provider plugins into PULUMI_HOME from the built files (never downloads).
install_plugins() {
	local pbin kbin rbin
	pbin=$(tb_bin_pulumi) kbin=$(tb_bin_k8sprovider) rbin=$(tb_bin_random)
	[[ -x "$pbin/pulumi" ]] || { SUMMARY+=("plugins      skipped (no pulumi CLI)"); return 0; }
	export PULUMI_HOME="$TB_PULUMI_HOME" PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
	local name ver file dest
	for spec in "kubernetes $K8S_PROVIDER_VERSION $kbin/pulumi-resource-kubernetes" \
		"random $RANDOM_PROVIDER_VERSION $rbin/pulumi-resource-random"; do
		read -r name ver file <<<"$spec"
		dest="$PULUMI_HOME/plugins/resource-$name-v$ver/pulumi-resource-$name"
		if [[ ! -x "$file" ]]; then
			SUMMARY+=("$(printf 'plugin %-5s missing (%s not built)' "$name" "$file")")
			continue
		fi
		if [[ -x "$dest" ]] && cmp -s "$file" "$dest"; then
			SUMMARY+=("$(printf 'plugin %-5s cached      %s %s' "$name" "$name" "$ver")")
			continue
		fi
		if "$pbin/pulumi" plugin install resource "$name" "$ver" --file "$file" --reinstall \
			>>"$TESTBED_CACHE/logs/plugins.log" 2>&1; then
			SUMMARY+=("$(printf 'plugin %-5s installed   %s %s into %s' "$name" "$name" "$ver" "$PULUMI_HOME")")
		else
			SUMMARY+=("$(printf 'plugin %-5s FAILED      see %s' "$name" "$TESTBED_CACHE/logs/plugins.log")")
			FAILED=1
		fi
	done
}

PIECES=("$@")
((${#PIECES[@]})) || PIECES=(pulumi k8sprovider kube helm random plugins crds)
EXPANDED=()
for piece in "${PIECES[@]}"; do
	if [[ "$piece" == tier3 ]]; then EXPANDED+=(node nodeaddons images); else EXPANDED+=("$piece"); fi
done
PIECES=("${EXPANDED[@]}")
for piece in "${PIECES[@]}"; do
	case "$piece" in
	pulumi) run_piece pulumi "$(tb_bin_pulumi)" "pulumi pulumi-language-nodejs policy-host/pulumi-language-nodejs" build_pulumi ;;
	k8sprovider) run_piece k8sprovider "$(tb_bin_k8sprovider)" "pulumi-resource-kubernetes" build_k8sprovider ;;
	random) run_piece random "$(tb_bin_random)" "pulumi-resource-random" build_random ;;
	kube) run_piece kube "$(tb_bin_kube)" "kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok" build_kube ;;
	helm) run_piece helm "$(tb_bin_helm)" "helm" build_helm ;;
	plugins) install_plugins ;;
	crds) fetch_crds ;;
	node) run_piece node "$(tb_bin_node)" "kubelet kube-proxy" build_node ;;
	nodeaddons) run_piece nodeaddons "$(tb_bin_nodeaddons)" "coredns kube-router local-path-provisioner" build_nodeaddons ;;
	images) run_piece images "$(tb_images)" "wordpress.tar mariadb.tar wordpress-cli.tar pause.tar coredns.tar" build_images ;;
	*) log "unknown piece: $piece"; exit 2 ;;
	esac
done

echo "== testbed build summary (cache: $TESTBED_CACHE, $GO_VER) =="
printf '  %s\n' "${SUMMARY[@]}"
echo "  total: $((SECONDS - TOTAL_START))s; cache size: $(du -sh "$TESTBED_CACHE" 2>/dev/null | cut -f1)"
exit $FAILED
