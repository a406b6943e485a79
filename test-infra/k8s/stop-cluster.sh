#!/usr/bin/env bash
# Stops the processes start-cluster.sh recorded in $K8S_DIR/run (each only if it is still the program that was
# started there), then removes the directory unless KEEP_K8S_DIR=1.
set -uo pipefail
DIR=${K8S_DIR:-/tmp/bf-k8s}
[ -d "$DIR/run" ] || exit 0
ours() {   # pid, name: the process still runs the binary start-cluster.sh launched under that name
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q -- "$(basename "$2")"
}
for name in kwok kube-scheduler kube-controller-manager kube-apiserver etcd; do
  f=$DIR/run/$name.pid
  [ -f "$f" ] || continue
  pid=$(cat "$f")
  if ours "$pid" "$name"; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do ours "$pid" "$name" || break; sleep 0.1; done
    ours "$pid" "$name" && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$f"
done
[ "${KEEP_K8S_DIR:-0}" = 1 ] || rm -rf "$DIR"
