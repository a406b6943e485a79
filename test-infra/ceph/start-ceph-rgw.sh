#!/usr/bin/env bash
# Throw-away single-node Ceph (1 mon, 1 memstore OSD, no mgr) + radosgw (S3) on 127.0.0.1.
# Seen here (Ceph 16.2.15, 2 cores): ready in ~1 s, ~125 MB RSS idle; memstore keeps all data in the OSD's RAM.
# Install: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common  (~16 s, ~257 MiB)
# Lifecycle rules run only 00:00-06:00 unless RGW_EXTRA_CONF="rgw lc debug interval = 5" (a day becomes 5 s).
# No ceph-mgr: commands served by the manager (ceph df, pg stat) hang; use radosgw-admin and S3 instead.
# No systemd/cephadm. Always starts from an empty data dir. Needs: ceph-mon ceph-osd radosgw ceph-common.
# buildfleet's tests start it through dev.buildfleet.storage.RealRgw (free loopback ports, own CEPH_DIR) and read the
# KEY=VALUE lines it prints. By hand:  set -a; eval "$(test-infra/ceph/start-ceph-rgw.sh)"; set +a
# then bin/buildfleet storage ensure ... uses BUILDFLEET_RGW_ACCESS_KEY / BUILDFLEET_RGW_SECRET_KEY from the output.
# Env: CEPH_DIR, RGW_PORT, MON_PORT, RGW_ACCESS_KEY, RGW_SECRET_KEY, MEMSTORE_BYTES, CEPH_START_TIMEOUT,
#      RGW_EXTRA_CONF (extra lines for [client.rgw], e.g. "rgw lc debug interval = 5"),
#      RGW_SSL_PORT with RGW_SSL_CERTIFICATE and RGW_SSL_PRIVATE_KEY (PEM files): beast also serves HTTPS on that
#      port (ssl_endpoint); the plain HTTP port stays for the readiness check.
set -euo pipefail
DIR=${CEPH_DIR:-/tmp/bf-ceph}
RGW_PORT=${RGW_PORT:-7480}
MON_PORT=${MON_PORT:-13300}
ACCESS_KEY=${RGW_ACCESS_KEY:-TESTADMINACCESSKEY01}
SECRET_KEY=${RGW_SECRET_KEY:-testadminsecretkey0123456789abcdefghijklm}
TIMEOUT=${CEPH_START_TIMEOUT:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
t0=$(date +%s.%N)

CEPH_DIR=$DIR "$HERE/stop-ceph-rgw.sh" >/dev/null 2>&1 || true   # idempotent: stop our old daemons, wipe dir
for tool in ceph-mon ceph-osd radosgw radosgw-admin monmaptool ceph curl; do
  command -v "$tool" >/dev/null || { echo "$tool not found; apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common curl" >&2; exit 1; }
done
for port in "$RGW_PORT" "$MON_PORT"; do    # fail fast if something else already listens there
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "port $port already in use" >&2; exit 1; fi
done
rm -rf "$DIR"; mkdir -p "$DIR"/{mon.a,osd.0,run,log,crash}
trap 'rc=$?; [ $rc = 0 ] || CEPH_DIR=$DIR KEEP_CEPH_DIR=1 "$HERE/stop-ceph-rgw.sh" >&2; exit $rc' EXIT  # no leftovers on failure
CONF=$DIR/ceph.conf; export CEPH_CONF=$CONF
FSID=$(cat /proc/sys/kernel/random/uuid)
cat > "$CONF" <<EOF
[global]
fsid = $FSID
mon host = [v2:127.0.0.1:$MON_PORT]
mon initial members = a
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
run dir = $DIR/run
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$name.asok
log file = $DIR/log/\$name.log
crash dir = $DIR/crash
mon cluster log file = $DIR/log/cluster.log
mon data = $DIR/\$name
osd data = $DIR/\$name
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
mon warn on insecure global id reclaim allowed = false
mon data avail warn = 2
mon data avail crit = 1
paxos propose interval = 0.01
paxos min wait = 0.01
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
[osd]
osd objectstore = memstore
memstore device bytes = ${MEMSTORE_BYTES:-2147483648}
osd op num shards = 2
osd op num threads per shard = 1
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT${RGW_SSL_PORT:+ ssl_endpoint=127.0.0.1:$RGW_SSL_PORT ssl_certificate=$RGW_SSL_CERTIFICATE ssl_private_key=$RGW_SSL_PRIVATE_KEY}
rgw thread pool size = 64
rgw dynamic resharding = false
${RGW_EXTRA_CONF:-}
EOF

record() { echo "$1 $(cat "$DIR/run/$1.pid")" >> "$DIR/daemons.pids"; }   # pid files vanish on exit; keep a copy
monmaptool --create --fsid "$FSID" --addv a "[v2:127.0.0.1:$MON_PORT]" "$DIR/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$DIR/monmap" 2>>"$DIR/log/stderr.log"
ceph-mon -i a 2>>"$DIR/log/stderr.log"; record mon.a      # forks; parent returns once the daemon is up
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
OSD_ID=$(ceph --connect-timeout 30 osd new "$OSD_UUID")
ceph-osd -i "$OSD_ID" --mkfs --osd-uuid "$OSD_UUID" 2>>"$DIR/log/stderr.log"
ceph-osd -i "$OSD_ID" 2>>"$DIR/log/stderr.log"; record "osd.$OSD_ID"
# radosgw's own daemonizing returns before its pid file exists, so run it in the foreground, detached
setsid radosgw -f -n client.rgw </dev/null >>"$DIR/log/stderr.log" 2>&1 &   # creates pools + default zone
RGW_PID=$!; echo "client.rgw $RGW_PID" >> "$DIR/daemons.pids"

end=$(( $(date +%s) + TIMEOUT ))
until curl -fs -o /dev/null "http://127.0.0.1:$RGW_PORT/"; do
  st=$(awk '{print $3}' "/proc/$RGW_PID/stat" 2>/dev/null || true)
  if [ "$(date +%s)" -ge "$end" ] || [ -z "$st" ] || [ "$st" = Z ]; then
    echo "radosgw not answering on 127.0.0.1:$RGW_PORT; see $DIR/log" >&2; exit 1
  fi
  sleep 0.1
done
radosgw-admin user create --uid=admin --display-name=admin --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" \
  --caps="users=read,write;buckets=read,write;usage=read,write;metadata=read,write;user-policy=read,write" >/dev/null

cat <<EOF
CEPH_CONF=$CONF
S3_ENDPOINT=http://127.0.0.1:$RGW_PORT
${RGW_SSL_PORT:+S3_TLS_ENDPOINT=https://localhost:$RGW_SSL_PORT}
S3_ACCESS_KEY=$ACCESS_KEY
S3_SECRET_KEY=$SECRET_KEY
BUILDFLEET_RGW_ACCESS_KEY=$ACCESS_KEY
BUILDFLEET_RGW_SECRET_KEY=$SECRET_KEY
PIDS="$(awk '{printf "%s=%s ", $1, $2}' "$DIR/daemons.pids")"
STARTUP_SECONDS=$(awk "BEGIN{printf \"%.1f\", $(date +%s.%N) - $t0}")
EOF
