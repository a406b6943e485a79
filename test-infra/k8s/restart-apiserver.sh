#!/usr/bin/env bash
# Restarts the kube-apiserver of the cluster in $K8S_DIR with the command line start-cluster.sh recorded: the
# clients see the connection drop and the API come back on the same port with the same data (etcd keeps running).
#   restart-apiserver.sh [--down-seconds N]
set -euo pipefail
DIR=${K8S_DIR:-/tmp/bf-k8s}
down=0; [ "${1:-}" = --down-seconds ] && down=$2
pid=$(cat "$DIR/run/kube-apiserver.pid")
kill -TERM "$pid" 2>/dev/null || true
for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -KILL "$pid" 2>/dev/null || true
sleep "$down"
eval "setsid $(cat "$DIR/run/kube-apiserver.cmd") >>'$DIR/log/kube-apiserver.log' 2>&1 </dev/null &"
echo "$!" >"$DIR/run/kube-apiserver.pid"
for _ in $(seq 300); do
  "${K8S_BIN:-$(dirname "$(sed 's/ .*//' "$DIR/run/kube-apiserver.cmd")")}/kubectl" --kubeconfig "$DIR/admin.kubeconfig" \
    get --raw /readyz >/dev/null 2>&1 && exit 0
  sleep 0.2
done
echo "kube-apiserver not ready again after 60 s; see $DIR/log/kube-apiserver.log" >&2; exit 1
