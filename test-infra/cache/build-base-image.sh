#!/usr/bin/env bash
# Builds a tiny base image FROM scratch with a static busybox (/bin/busybox + its applets as symlinks in /bin) and
# pushes it to IMAGE (e.g. 127.0.0.1:5000/base:1), over plain HTTP. No image is pulled from anywhere, so builds
# can be tested on a machine without network access.
#
#   test-infra/cache/build-base-image.sh 127.0.0.1:5000/base:1
#
# Needs buildah (chroot isolation and the vfs storage driver: no daemon, no overlay mounts) and busybox-static:
#   apt-get install -y --no-install-recommends buildah busybox-static uidmap
# Touches no global container config: buildah's storage is BUILDAH_ROOT/BUILDAH_RUNROOT (a temporary directory,
# removed afterwards, when unset), and the signature policy is a temporary file. A registries.conf of the caller's
# (CONTAINERS_REGISTRIES_CONF) is used when set; the push itself skips TLS either way.
set -euo pipefail

image=${1:?usage: $0 REGISTRY/NAME:TAG}
busybox=${BUSYBOX:-/bin/busybox}

for tool in buildah; do
  command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install -y buildah uidmap" >&2; exit 1; }
done
[[ -x $busybox ]] || { echo "$busybox is missing: apt-get install -y busybox-static" >&2; exit 1; }
if ldd "$busybox" >/dev/null 2>&1; then   # ldd fails on a static executable
  echo "$busybox is dynamically linked; a FROM scratch image needs a static one: apt-get install -y busybox-static" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=${BUILDAH_ROOT:-$work/root}
runroot=${BUILDAH_RUNROOT:-$work/runroot}
mkdir -p "$work/context"
cp "$busybox" "$work/context/busybox"
cat > "$work/context/Containerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
DOCKERFILE
echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$work/policy.json"

buildah=(buildah --root "$root" --runroot "$runroot" --storage-driver vfs)
"${buildah[@]}" bud --isolation chroot --signature-policy "$work/policy.json" --quiet \
  -f "$work/context/Containerfile" -t "$image" "$work/context" >/dev/null
"${buildah[@]}" push --signature-policy "$work/policy.json" --tls-verify=false --quiet \
  --digestfile "$work/digest" "$image"
echo "pushed $image@$(cat "$work/digest")"
