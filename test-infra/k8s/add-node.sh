#!/usr/bin/env bash
# Adds a fake node that kwok (started by start-cluster.sh) plays the kubelet of: the scheduler places pods on it, kwok
# reports them Running. Capacity defaults to the seeds' build nodes: 8 CPU, 16 GiB memory, 200 GiB ephemeral storage.
#   add-node.sh NAME [--label k=v]... [--taint k=v:Effect]... [--cpu 8] [--memory 16Gi] [--ephemeral 200Gi] [--pods 110]
# Needs KUBECONFIG (and K8S_BIN) as start-cluster.sh exports them.
set -euo pipefail
name=${1:?usage: add-node.sh NAME [--label k=v]... [--taint k=v:Effect]... [--cpu N] [--memory Q] [--ephemeral Q] [--pods N]}
shift
cpu=8 memory=16Gi ephemeral=200Gi pods=110 labels="" taints=""
while (($#)); do
  case $1 in
    --label) k=${2%%=*}; v=${2#*=}; labels+="    \"$k\": \"$v\""$'\n'; shift 2 ;;
    --taint) kv=${2%%:*}; effect=${2##*:}; k=${kv%%=*}; v=${kv#*=}
             taints+="  - {key: \"$k\", value: \"$v\", effect: \"$effect\"}"$'\n'; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    --memory) memory=$2; shift 2 ;;
    --ephemeral) ephemeral=$2; shift 2 ;;
    --pods) pods=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
KUBECTL=${K8S_BIN:+$K8S_BIN/}kubectl
"$KUBECTL" apply -f - <<YAML
apiVersion: v1
kind: Node
metadata:
  name: $name
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/hostname: "$name"
    kubernetes.io/os: linux
    kubernetes.io/arch: amd64
    type: kwok
$labels
spec:
  taints:
$taints
status:
  capacity: {cpu: "$cpu", memory: "$memory", ephemeral-storage: "$ephemeral", pods: "$pods"}
  allocatable: {cpu: "$cpu", memory: "$memory", ephemeral-storage: "$ephemeral", pods: "$pods"}
YAML
