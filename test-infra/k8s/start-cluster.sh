#!/usr/bin/env bash
# A throw-away real Kubernetes control plane on 127.0.0.1: etcd, kube-apiserver (RBAC, admission incl. PodSecurity,
# ServiceAccount tokens, audit log), kube-controller-manager (garbage collector, namespace, deployment, replicaset,
# job, resourcequota, serviceaccount controllers), kube-scheduler, and kwok, which plays the kubelet of every node
# annotated kwok.x-k8s.io/node=fake (add them with add-node.sh): the scheduler places pods for real, kwok marks them
# Running. No container runs; exec, attach and logs have no kubelet behind them.
# Binaries come from build.sh (built from the Go module proxy, cached outside the repo).
#
#   eval "$(test-infra/k8s/start-cluster.sh)"      # exports KUBECONFIG, K8S_DIR, K8S_API_URL, K8S_AUDIT_LOG, ...
#   test-infra/k8s/add-node.sh w1 --label buildfleet.dev/tenant=java --taint buildfleet.dev/tenant=java:NoSchedule
#   kubectl create token SA -n NAMESPACE            # a TokenRequest token of any ServiceAccount
#   test-infra/k8s/stop-cluster.sh                  # stops exactly the processes this start recorded
#
# Env: K8S_DIR (default /tmp/bf-k8s; wiped at start), K8S_BIN (binaries; default: build.sh's output),
#      K8S_START_TIMEOUT (s, default 90). Ports are free loopback ports picked at start.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
DIR=${K8S_DIR:-/tmp/bf-k8s}
TIMEOUT=${K8S_START_TIMEOUT:-90}
t0=$(date +%s.%N)
log() { echo "[k8s $(date +%T)] $*" >&2; }

BIN=${K8S_BIN:-$("$HERE/build.sh")}
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kwok kubectl; do
  [ -x "$BIN/$b" ] || { echo "$BIN/$b missing: run test-infra/k8s/build.sh" >&2; exit 1; }
done
command -v openssl >/dev/null || { echo "openssl not found (apt-get install openssl)" >&2; exit 1; }

K8S_DIR=$DIR "$HERE/stop-cluster.sh" >/dev/null 2>&1 || true     # a previous cluster in the same dir
rm -rf "$DIR"; mkdir -p "$DIR"/{pki,etcd,log,run}
trap 'rc=$?; [ $rc = 0 ] || { tail -n 20 "$DIR"/log/*.log >&2 2>/dev/null; K8S_DIR=$DIR "$HERE/stop-cluster.sh" >&2; }; exit $rc' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ETCD_PORT=$(free_port); ETCD_PEER_PORT=$(free_port); API_PORT=$(free_port)
KCM_PORT=$(free_port); SCHED_PORT=$(free_port); KWOK_PORT=$(free_port)

# --- certificates: one CA signs the serving cert and every client cert; the SA token keys are separate ---
PKI=$DIR/pki
ssl() { openssl "$@" >/dev/null 2>&1; }
ssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=buildfleet-test-ca" -keyout "$PKI/ca.key" -out "$PKI/ca.crt"
client_cert() {   # name, subject
  ssl req -newkey rsa:2048 -nodes -subj "$2" -keyout "$PKI/$1.key" -out "$PKI/$1.csr"
  ssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 -out "$PKI/$1.crt" \
    -extfile <(printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n')
}
ssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" -keyout "$PKI/apiserver.key" -out "$PKI/apiserver.csr"
ssl x509 -req -in "$PKI/apiserver.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 2 \
  -out "$PKI/apiserver.crt" -extfile <(printf '%s\n' "extendedKeyUsage=serverAuth" \
  "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local")
client_cert admin "/O=system:masters/CN=kubernetes-admin"
client_cert controller-manager "/CN=system:kube-controller-manager"
client_cert scheduler "/CN=system:kube-scheduler"
client_cert kwok "/O=system:masters/CN=kwok"     # kwok writes node and pod status of every managed node
client_cert apiserver-kubelet "/O=system:masters/CN=kube-apiserver-kubelet-client"
ssl genrsa -out "$PKI/sa.key" 2048
ssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"

API_URL=https://127.0.0.1:$API_PORT
kubeconfig() {   # file, client cert name
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: buildfleet-test
  cluster: {server: "$API_URL", certificate-authority: "$PKI/ca.crt"}
users:
- name: $2
  user: {client-certificate: "$PKI/$2.crt", client-key: "$PKI/$2.key"}
contexts:
- name: buildfleet-test
  context: {cluster: buildfleet-test, user: $2}
current-context: buildfleet-test
EOF
}
kubeconfig "$DIR/admin.kubeconfig" admin
kubeconfig "$DIR/controller-manager.kubeconfig" controller-manager
kubeconfig "$DIR/scheduler.kubeconfig" scheduler
kubeconfig "$DIR/kwok.kubeconfig" kwok

# Writes only (what a write count is about), without bodies: Secret values never reach the log.
cat >"$DIR/audit-policy.yaml" <<EOF
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
  verbs: [create, update, patch, delete, deletecollection]
- level: None
EOF

start() {   # name, command...: started in its own session so that stop-cluster.sh can kill it and its children
  local name=$1; shift
  setsid "$@" >"$DIR/log/$name.log" 2>&1 < /dev/null &
  echo "$!" >"$DIR/run/$name.pid"
  printf '%q ' "$@" >"$DIR/run/$name.cmd"
}
wait_for() {   # what, command...
  local what=$1; shift
  local deadline=$(( $(date +%s) + TIMEOUT ))
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "$what not ready after ${TIMEOUT}s" >&2; return 1; }
    sleep 0.2
  done
}
alive() { kill -0 "$(cat "$DIR/run/$1.pid")" 2>/dev/null || { echo "$1 exited; see $DIR/log/$1.log" >&2; return 1; }; }

start etcd "$BIN/etcd" --name bf-test --data-dir "$DIR/etcd" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "bf-test=http://127.0.0.1:$ETCD_PEER_PORT" --unsafe-no-fsync --quota-backend-bytes 2147483648 \
  --listen-metrics-urls "" --log-level warn
wait_for etcd bash -c "alive() { kill -0 $(cat "$DIR/run/etcd.pid"); }; alive && curl -sf http://127.0.0.1:$ETCD_PORT/health"

# The admission plugins named here are on top of the defaults (NamespaceLifecycle, LimitRanger, ServiceAccount,
# ResourceQuota, PodSecurity, ... are on by default); privileged containers are refused outright.
start kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$API_PORT" \
  --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" --client-ca-file "$PKI/ca.crt" \
  --kubelet-client-certificate "$PKI/apiserver-kubelet.crt" --kubelet-client-key "$PKI/apiserver-kubelet.key" \
  --authorization-mode Node,RBAC \
  --enable-admission-plugins NamespaceLifecycle,LimitRanger,ServiceAccount,ResourceQuota,PodSecurity,DefaultStorageClass,DefaultTolerationSeconds,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy,NodeRestriction \
  --allow-privileged=false \
  --service-account-issuer https://kubernetes.default.svc.cluster.local \
  --service-account-key-file "$PKI/sa.pub" --service-account-signing-key-file "$PKI/sa.key" \
  --api-audiences https://kubernetes.default.svc.cluster.local \
  --service-cluster-ip-range 10.96.0.0/16 \
  --audit-policy-file "$DIR/audit-policy.yaml" --audit-log-path "$DIR/log/audit.log" --audit-log-format json \
  --audit-log-mode blocking \
  --audit-log-maxsize 1000000 \
  --endpoint-reconciler-type none \
  --profiling=false
KUBECTL=("$BIN/kubectl" --kubeconfig "$DIR/admin.kubeconfig")
wait_for kube-apiserver bash -c "kill -0 $(cat "$DIR/run/kube-apiserver.pid") && $(printf '%q ' "${KUBECTL[@]}") get --raw /readyz"

# kwok renews a node's status every 20-45 s; with hundreds of nodes on a busy host that passes the default 50 s grace,
# the node controller marks the node and its pods NotReady, and kwok never makes those pods Ready again.
start kube-controller-manager "$BIN/kube-controller-manager" \
  --node-monitor-grace-period 10m \
  --kubeconfig "$DIR/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$DIR/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$DIR/controller-manager.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --leader-elect=false \
  --controllers '*,-nodeipam,-bootstrapsigner,-tokencleaner,-cloud-node-lifecycle,-service-lb-controller,-route' \
  --root-ca-file "$PKI/ca.crt" --service-account-private-key-file "$PKI/sa.key" \
  --use-service-account-credentials=true --concurrent-gc-syncs 5 --namespace-sync-period 10s
start kube-scheduler "$BIN/kube-scheduler" \
  --kubeconfig "$DIR/scheduler.kubeconfig" \
  --authentication-kubeconfig "$DIR/scheduler.kubeconfig" --authorization-kubeconfig "$DIR/scheduler.kubeconfig" \
  --bind-address 127.0.0.1 --secure-port "$SCHED_PORT" --leader-elect=false
start kwok "$BIN/kwok" --kubeconfig "$DIR/kwok.kubeconfig" --config "$BIN/kwok-stages.yaml" \
  --manage-all-nodes=false --manage-nodes-with-annotation-selector kwok.x-k8s.io/node=fake \
  --cidr 10.244.0.0/16 --node-ip 10.0.0.1 --server-address "127.0.0.1:$KWOK_PORT"

# Ready when the controllers work: the default ServiceAccount appears in a new namespace, the scheduler and kwok run
wait_for "ServiceAccount controller" "${KUBECTL[@]}" get serviceaccount default -n default
for p in kube-controller-manager kube-scheduler kwok; do alive "$p"; done
wait_for kube-scheduler curl -sk "https://127.0.0.1:$SCHED_PORT/healthz"
wait_for kwok bash -c "kill -0 $(cat "$DIR/run/kwok.pid") && grep -q . '$DIR/log/kwok.log'"

cat >"$DIR/env" <<EOF
export KUBECONFIG=$DIR/admin.kubeconfig
export K8S_DIR=$DIR
export K8S_BIN=$BIN
export K8S_API_URL=$API_URL
export K8S_CA_FILE=$PKI/ca.crt
export K8S_AUDIT_LOG=$DIR/log/audit.log
export K8S_VERSION=$("${KUBECTL[@]}" version -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])')
export K8S_START_SECONDS=$(python3 -c "import time; print(round(time.time() - $t0, 1))")
EOF
cat "$DIR/env"
log "ready in $(sed -n 's/^export K8S_START_SECONDS=//p' "$DIR/env") s at $API_URL; kubectl: $BIN/kubectl"
log "a ServiceAccount's token: kubectl create token NAME -n NAMESPACE [--duration 1h]"
