#!/usr/bin/env bash
# Builds Distribution 3 (the registry binary, cmd/registry) from the Go module proxy at the pinned release: the
# candidate cache registry that bench/run-cache measures next to Debian's Distribution 2.8.2 (docker-registry).
# The binary is cached by version in $BUILDFLEET_CACHE/distribution-<version>/ (default ~/.cache/buildfleet), outside
# the repo, so a second run only checks that it is there. Prints the directory holding it (./registry) on stdout.
# It is built inside a copy of its own module, so the release's own go.sum and replace directives apply.
# zot, the other candidate, cannot be built this way: the module proxy refuses zotregistry.dev/zot and
# github.com/project-zot/zot (403).
set -euo pipefail
DIST_MODULE=github.com/distribution/distribution/v3
DIST_VERSION=${DIST_VERSION:-v3.1.2}   # the newest release the module proxy serves (also v3.0.0, v3.1.1)
CACHE=${BUILDFLEET_CACHE:-$HOME/.cache/buildfleet}
OUT=$CACHE/distribution-$DIST_VERSION

if [ -x "$OUT/registry" ]; then echo "$OUT"; exit 0; fi
command -v go >/dev/null || { echo "go not found: Distribution 3 is built from its Go module" >&2; exit 1; }

export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-local}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bf-distribution-build.XXXXXX")
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
log() { echo "[build $(date +%T)] $*" >&2; }
t0=$(date +%s)

log "$DIST_MODULE $DIST_VERSION"
# go mod download -json reports a failure only in its JSON ("Error") on stdout: keep it, and try again after a
# moment, since the proxy may refuse a burst of requests right after another build.
for attempt in 1 2 3; do
  if (cd "$WORK" && GOFLAGS= go mod download -json "$DIST_MODULE@$DIST_VERSION") >"$WORK/download.json"; then
    break
  fi
  log "download attempt $attempt failed: $(sed -n 's/^\s*"Error": //p' "$WORK/download.json")"
  [ "$attempt" = 3 ] && { echo "could not download $DIST_MODULE@$DIST_VERSION" >&2; cat "$WORK/download.json" >&2; exit 1; }
  sleep $((attempt * 10))
done
src=$(sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p' "$WORK/download.json")
[ -d "$src" ] || { echo "could not download $DIST_MODULE@$DIST_VERSION" >&2; cat "$WORK/download.json" >&2; exit 1; }
cp -r "$src" "$WORK/distribution"; chmod -R u+w "$WORK/distribution"; cd "$WORK/distribution"
log "go build cmd/registry"
mkdir -p "$OUT.partial"
# The release's Makefile stamps version.version the same way (`registry --version` prints it).
go build -trimpath -ldflags "-s -w -X $DIST_MODULE/version.version=$DIST_VERSION" \
  -o "$OUT.partial/registry" ./cmd/registry
rm -rf "$OUT"; mv "$OUT.partial" "$OUT"
log "done in $(( $(date +%s) - t0 )) s: $OUT"
echo "$OUT"
