#!/usr/bin/env bash
# Builds the real Kaniko executor the tests run, from the Go module proxy, at the pinned release.
# The binary is cached by version in $BUILDFLEET_CACHE/kaniko-<version>/ (default ~/.cache/buildfleet), outside the
# repo, so a second run only checks that it is there. Prints the directory holding it on stdout.
# It is built inside a copy of its own module, so the release's own go.sum and replace directives apply.
set -euo pipefail
KANIKO_MODULE=github.com/osscontainertools/kaniko
KANIKO_VERSION=${KANIKO_VERSION:-v1.26.5}   # the newest release of the fork the module proxy serves
CACHE=${BUILDFLEET_CACHE:-$HOME/.cache/buildfleet}
OUT=$CACHE/kaniko-$KANIKO_VERSION

if [ -x "$OUT/executor" ]; then echo "$OUT"; exit 0; fi
command -v go >/dev/null || { echo "go not found: Kaniko is built from its Go module" >&2; exit 1; }

export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-local}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bf-kaniko-build.XXXXXX")
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
log() { echo "[build $(date +%T)] $*" >&2; }
t0=$(date +%s)

log "$KANIKO_MODULE $KANIKO_VERSION"
# go mod download -json reports a failure only in its JSON ("Error") on stdout: keep it, and try again after a
# moment, since the proxy may refuse a burst of requests right after the control plane's build.
for attempt in 1 2 3; do
  if (cd "$WORK" && GOFLAGS= go mod download -json "$KANIKO_MODULE@$KANIKO_VERSION") >"$WORK/download.json"; then
    break
  fi
  log "download attempt $attempt failed: $(sed -n 's/^\s*"Error": //p' "$WORK/download.json")"
  [ "$attempt" = 3 ] && { echo "could not download $KANIKO_MODULE@$KANIKO_VERSION" >&2; cat "$WORK/download.json" >&2; exit 1; }
  sleep $((attempt * 10))
done
src=$(sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p' "$WORK/download.json")
[ -d "$src" ] || { echo "could not download $KANIKO_MODULE@$KANIKO_VERSION" >&2; cat "$WORK/download.json" >&2; exit 1; }
cp -r "$src" "$WORK/kaniko"; chmod -R u+w "$WORK/kaniko"; cd "$WORK/kaniko"
log "go build executor"
mkdir -p "$OUT.partial"
go build -trimpath -ldflags "-s -w -X $KANIKO_MODULE/pkg/version.version=$KANIKO_VERSION" \
  -o "$OUT.partial/executor" ./cmd/executor
rm -rf "$OUT"; mv "$OUT.partial" "$OUT"
log "done in $(( $(date +%s) - t0 )) s: $OUT"
echo "$OUT"
