#!/usr/bin/env bash
# Installs what `npm run test:backup` runs for real: MariaDB server and client (Debian), and
# restic + restic's REST server, built from their Go modules at the versions the backup pod
# uses (restic/restic:0.18.1). Debian 12's restic is 0.14, which lacks `restore --delete` and
# the exit codes 10/11/12 the backup script relies on, so the test would not test the pod's
# restic. Binaries go to the shared tool cache, keyed by version: a second run takes a second.
set -Eeuo pipefail

RESTIC_VERSION="v0.18.1"
REST_SERVER_VERSION="v0.14.0"
GOFAKES3_VERSION="v1.2.0"
TOOLS_DIR="${WOOSTORE_TOOLS_DIR:-/var/cache/woostore-tools}"
BIN_DIR="$TOOLS_DIR/bin"
mkdir -p "$BIN_DIR"

export GOTOOLCHAIN=local GOFLAGS=-mod=mod CGO_ENABLED=0
export GOMODCACHE="${GOMODCACHE:-$TOOLS_DIR/gomod}" GOCACHE="${GOCACHE:-$TOOLS_DIR/gocache}"

log() { printf '[install-test-tools] %s\n' "$*" >&2; }

if ! command -v mariadbd >/dev/null || ! command -v mariadb-dump >/dev/null; then
  log "installing mariadb-server and mariadb-client from Debian…"
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo="sudo"
  $sudo apt-get update -qq >/dev/null
  # policy-rc.d may refuse to start the packaged service; the test starts its own server anyway.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >/dev/null
fi

# go_tool NAME VERSION MODULE PACKAGE_DIR: build once per version into $BIN_DIR/NAME-VERSION.
# The module is fetched by exact version and built inside its own directory (its go.mod and
# go.sum), because `go install pkg@version` also asks the proxy for the module's version list,
# which the proxy refuses for some modules (rest-server).
go_tool() {
  local name=$1 version=$2 module=$3 package_dir=$4 target="$BIN_DIR/$1-$2" started=$SECONDS dir
  if [[ ! -x $target ]]; then
    command -v go >/dev/null || { log "go is required to build $name (install Go 1.25 or newer)"; exit 1; }
    log "building $name $version from the Go module proxy (first run only)…"
    dir=$(go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [[ -d $dir ]] || { log "could not download $module@$version from the Go module proxy"; exit 1; }
    (cd "$dir" && nice go build -trimpath -ldflags "-s -w" -o "$target.tmp" "./$package_dir")
    mv "$target.tmp" "$target"
    log "$name $version built in $((SECONDS - started))s"
  fi
  ln -sf "$target" "$BIN_DIR/$name"
}

go_tool restic "$RESTIC_VERSION" github.com/restic/restic cmd/restic
go_tool rest-server "$REST_SERVER_VERSION" github.com/restic/rest-server cmd/rest-server
go_tool gofakes3 "$GOFAKES3_VERSION" github.com/johannesboyne/gofakes3 cmd/gofakes3

log "ready: $("$BIN_DIR/restic" version | cut -d' ' -f1-2) · rest-server $REST_SERVER_VERSION · gofakes3 $GOFAKES3_VERSION · $(mariadbd --version | cut -d' ' -f2-4)"
