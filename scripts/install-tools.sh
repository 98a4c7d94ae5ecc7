#!/usr/bin/env bash
# Installs the command-line tools that tier-1 tests run for real: helm (built from the
# helm.sh/helm/v3 Go module), actionlint (built from its Go module) and shellcheck (Debian).
# Binaries go to a cache outside the clone, keyed by version, so a second run takes a second.
# Nothing is downloaded from GitHub releases: only the Go module proxy and Debian's archive.
set -euo pipefail

HELM_VERSION="v3.19.5"
ACTIONLINT_VERSION="v1.7.12"
TOOLS_DIR="${WOOSTORE_TOOLS_DIR:-/var/cache/woostore-tools}"
BIN_DIR="$TOOLS_DIR/bin"
mkdir -p "$BIN_DIR"

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
export GOMODCACHE="${GOMODCACHE:-$TOOLS_DIR/gomod}" GOCACHE="${GOCACHE:-$TOOLS_DIR/gocache}"

log() { printf '[install-tools] %s\n' "$*" >&2; }

# The tests run on the project's Node.js (24, see .nvmrc); an older one fails here, early and clearly.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major < 22)); then
  log "Node.js $(node --version 2>/dev/null || echo '(none)') is too old: this project needs Node.js >= 22.13 (24 recommended)."
  log "Get it with nvm (nvm install 24), your distribution, or: export PATH=\"\$(bash scripts/install-node.sh):\$PATH\""
  exit 1
fi

# go_tool NAME VERSION MODULE_PACKAGE LDFLAGS: build once per version into $BIN_DIR/NAME-VERSION.
go_tool() {
  local name=$1 version=$2 pkg=$3 ldflags=${4:-} module_version=${5:-$2}
  local target="$BIN_DIR/$name-$version"
  if [[ ! -x "$target" ]]; then
    command -v go >/dev/null || { log "go is required to build $name (install Go 1.26)"; exit 1; }
    local started=$SECONDS tmp
    tmp=$(mktemp -d)
    log "building $name $version from the Go module proxy (first run only)…"
    GOBIN="$tmp" go install -trimpath -ldflags "-s -w $ldflags" "$pkg@$module_version"
    mv "$tmp/$name" "$target"
    rm -rf "$tmp"
    log "$name $version built in $((SECONDS - started))s"
  fi
  ln -sf "$target" "$BIN_DIR/$name"
}

# Without the chartutil/lint version flags helm assumes Kubernetes v1.20 for .Capabilities and kubeVersion checks.
HELM_K8S_MINOR=34
go_tool helm "$HELM_VERSION-k1.$HELM_K8S_MINOR" helm.sh/helm/v3/cmd/helm \
  "-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$HELM_K8S_MINOR -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$HELM_K8S_MINOR" "$HELM_VERSION"
go_tool actionlint "$ACTIONLINT_VERSION" github.com/rhysd/actionlint/cmd/actionlint \
  "-X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION"

# shellcheck lints the setup script; php-cli runs the setup script's JSON parsing for real in
# its logic tests (the wordpress:cli image has php, not jq); chromium is the browser the
# dashboard's browser tests drive (playwright-core downloads none).
missing=()
command -v shellcheck >/dev/null || missing+=(shellcheck)
command -v php >/dev/null || missing+=(php-cli)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
if ((${#missing[@]})); then
  log "installing ${missing[*]} from Debian…"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
ln -sf "$(command -v shellcheck)" "$BIN_DIR/shellcheck"
log "tools ready in $BIN_DIR: $("$BIN_DIR/helm" version --short) · actionlint $("$BIN_DIR/actionlint" -version | head -1) · $("$BIN_DIR/shellcheck" --version | sed -n 2p) · $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium missing')"
