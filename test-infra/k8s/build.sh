#!/usr/bin/env bash
# Builds the real Kubernetes control plane the tests run against, from the Go module proxy, at pinned versions:
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl (k8s.io/kubernetes), etcd (go.etcd.io/etcd),
#   kwok (sigs.k8s.io/kwok: fake nodes whose pods the real scheduler places and kwok marks Running).
# Binaries are cached by version in $BUILDFLEET_CACHE/k8s-<versions>/ (default ~/.cache/buildfleet), outside the repo,
# so a second run only checks that they are there. Prints the directory holding the binaries on stdout.
# k8s.io/kubernetes is not meant to be required as a module: its go.mod points each k8s.io/* staging module at
# ./staging, so the wrapper module below replaces each one with the published v0.X.Y release of the same version.
set -euo pipefail
K8S_VERSION=${K8S_VERSION:-v1.36.3}
ETCD_VERSION=${ETCD_VERSION:-v3.6.8}     # the etcd release k8s.io/kubernetes $K8S_VERSION's go.mod requires
KWOK_VERSION=${KWOK_VERSION:-v0.8.0}
CACHE=${BUILDFLEET_CACHE:-$HOME/.cache/buildfleet}
OUT=$CACHE/k8s-$K8S_VERSION-etcd-$ETCD_VERSION-kwok-$KWOK_VERSION
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)
# kwok ships no stages in its binary: the fast node and pod stages of the same release are taken from its module
STAGES=kwok-stages.yaml

complete() { for b in "${BINARIES[@]}"; do [ -x "$OUT/$b" ] || return 1; done; [ -s "$OUT/$STAGES" ]; }
if complete; then echo "$OUT"; exit 0; fi
command -v go >/dev/null || { echo "go not found: the control plane is built from Go modules" >&2; exit 1; }

export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=${GOTOOLCHAIN:-local}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bf-k8s-build.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT.partial"
log() { echo "[build $(date +%T)] $*" >&2; }
t0=$(date +%s)

# kubernetes: the staging module list comes from the release's own go.mod, so a new pin needs no edit here
log "k8s.io/kubernetes $K8S_VERSION"
mkdir -p "$WORK/kubernetes"; cd "$WORK/kubernetes"
go mod init buildfleet.test/k8s >/dev/null 2>&1
go mod edit -require="k8s.io/kubernetes@$K8S_VERSION"
go mod download -json "k8s.io/kubernetes@$K8S_VERSION" >"$WORK/k8s.json"
K8S_MOD=$(sed -n 's/^\s*"GoMod": "\(.*\)",$/\1/p' "$WORK/k8s.json")
STAGING_VERSION=v0.${K8S_VERSION#v1.}
for m in $(awk '$3 ~ /^\.\/staging\// {print $1}' "$K8S_MOD" | sort -u); do
  go mod edit -replace="$m=$m@$STAGING_VERSION"
done
cat >tools.go <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
go mod tidy >"$WORK/tidy.log" 2>&1 || { cat "$WORK/tidy.log" >&2; exit 1; }
LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)"
LDFLAGS="$LDFLAGS -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  log "go build $b"
  go build -trimpath -ldflags "$LDFLAGS" -o "$OUT.partial/$b" "k8s.io/kubernetes/cmd/$b"
done

# A wrapper module that requires MODULE@VERSION and builds its main package PACKAGE into $OUT.partial/NAME;
# it is left as the current directory, so that `go list -m` answers for it.
build_main() {   # name, module, version, package, extra ldflags
  log "$2 $3"
  mkdir -p "$WORK/$1"; cd "$WORK/$1"
  go mod init "buildfleet.test/$1" >/dev/null 2>&1
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s"\n' "$4" >tools.go
  go mod edit -require="$2@$3"
  go mod tidy >"$WORK/tidy.log" 2>&1 || { cat "$WORK/tidy.log" >&2; exit 1; }
  go build -trimpath -ldflags "-s -w $5" -o "$OUT.partial/$1" "$4"
}
build_main etcd go.etcd.io/etcd/server/v3 "$ETCD_VERSION" go.etcd.io/etcd/server/v3 ""
build_main kwok sigs.k8s.io/kwok "$KWOK_VERSION" sigs.k8s.io/kwok/cmd/kwok \
  "-X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION"
KWOK_DIR=$(go list -m -f '{{.Dir}}' sigs.k8s.io/kwok)
for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml pod/fast/pod-ready.yaml \
         pod/fast/pod-complete.yaml pod/fast/pod-delete.yaml; do
  echo "---"; cat "$KWOK_DIR/kustomize/stage/$f"
done >"$OUT.partial/$STAGES"

rm -rf "$OUT"; mv "$OUT.partial" "$OUT"
log "done in $(( $(date +%s) - t0 )) s: $OUT"
echo "$OUT"
