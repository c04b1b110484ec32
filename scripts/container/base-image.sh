#!/bin/bash
# A local stand-in for the official node:24-bookworm-slim image, for a machine that reaches
# deb.debian.org and the npm registry but no container registry: a Debian bookworm minbase rootfs
# (debootstrap), the Node 24 binary of this repository's `node` dev dependency, npm from the npm
# registry, and a `node` user (uid and gid 1000, home /home/node), as the official image has. It is
# imported into podman as docker.io/library/node:24-bookworm-slim, so that examples/docker/Dockerfile
# builds unchanged with `podman build --pull=never`.
#
#   sudo scripts/container/base-image.sh        # as root: debootstrap and podman need it
#
# DROVER_CONTAINER_DIR (default /var/tmp/drover-container) keeps the rootfs between runs: the
# debootstrap, the slow part, runs once; the rest is redone each time. NPM_VERSION picks npm (11,
# what Node 24 ships). EXTRA_CA_CERTS (default: the host's NODE_EXTRA_CA_CERTS) is a PEM bundle
# the image's Node trusts besides its own roots, for a host whose egress to the npm registry goes
# through a TLS-inspecting proxy; empty leaves it out.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd -P)
dir=${DROVER_CONTAINER_DIR:-/var/tmp/drover-container}
rootfs=$dir/rootfs-bookworm
tag=docker.io/library/node:24-bookworm-slim
npm_version=${NPM_VERSION:-11}
mirror=http://deb.debian.org/debian
extra_ca=${EXTRA_CA_CERTS-${NODE_EXTRA_CA_CERTS:-}}

say() { printf 'base-image: %s\n' "$*" >&2; }

[ "$(id -u)" = 0 ] || { say "run me as root (debootstrap and podman need it)"; exit 1; }
# shellcheck source=host.sh
. "$repo/scripts/container/host.sh"
for tool in debootstrap podman npm tar; do
  command -v "$tool" >/dev/null || { say "$tool is missing: apt-get install $tool"; exit 1; }
done

# The Node binary the repository's tests run on; the image must have the same major.
node_bin=$(readlink -f "$repo/node_modules/node/bin/node")
node_version=$("$node_bin" --version)
case $node_version in
  v24.*) ;;
  *) say "$node_bin is $node_version, not Node 24: npm install in the main checkout"; exit 1 ;;
esac

mkdir -p "$dir"
if [ ! -e "$rootfs/.debootstrap-done" ]; then
  say "debootstrap --variant=minbase bookworm into $rootfs (a few minutes, once)"
  rm -rf "$rootfs.partial"
  nice -n 10 debootstrap --variant=minbase bookworm "$rootfs.partial" "$mirror" >&2
  rm -rf "$rootfs"
  mv "$rootfs.partial" "$rootfs"
  touch "$rootfs/.debootstrap-done"
fi

say "Node $node_version from $node_bin"
install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"

say "npm@$npm_version from the npm registry"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "npm@$npm_version" >/dev/null)
rm -rf "$rootfs/usr/local/lib/node_modules/npm"
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
tar -xzf "$work"/npm-*.tgz -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1 \
  --no-same-owner
ln -sfn ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sfn ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# The official image's user, made as its Dockerfile makes it.
if ! chroot "$rootfs" getent passwd node >/dev/null; then
  chroot "$rootfs" groupadd --gid 1000 node
  chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
fi

# The official image's entrypoint: a first argument that is no command runs under node.
cat >"$rootfs/usr/local/bin/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
EOF
chmod 0755 "$rootfs/usr/local/bin/docker-entrypoint.sh"

# The updates and security suites, as the official image's sources have; apt's lists stay empty
# (the Dockerfile's apt-get update fills them). The host's resolv.conf and hostname are the
# runtime's to give.
cat >"$rootfs/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
rm -f "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"

changes=()
rm -f "$rootfs/usr/local/share/extra-ca-certificates.pem"
if [ -n "$extra_ca" ]; then
  say "trusting $extra_ca as well (NODE_EXTRA_CA_CERTS in the image)"
  install -m 0644 "$extra_ca" "$rootfs/usr/local/share/extra-ca-certificates.pem"
  changes+=(--change 'ENV=NODE_EXTRA_CA_CERTS=/usr/local/share/extra-ca-certificates.pem')
fi

chroot "$rootfs" /usr/local/bin/node --version >/dev/null
chroot "$rootfs" /usr/local/bin/node /usr/local/bin/npm --version >/dev/null

say "podman import as $tag"
replaced=$(podman image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
tar --numeric-owner --xattrs -C "$rootfs" --exclude=./.debootstrap-done -cf - . |
  podman import \
    --change 'ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV=NODE_VERSION=${node_version#v}" \
    --change 'ENTRYPOINT=["docker-entrypoint.sh"]' \
    --change 'CMD=["node"]' \
    "${changes[@]}" \
    --message "stand-in for node:24-bookworm-slim: debootstrap minbase bookworm, Node $node_version" \
    - "$tag" >/dev/null
# The image this one replaces, unless an image built on it still needs it.
[ -z "$replaced" ] || podman rmi "$replaced" >/dev/null 2>&1 || true
podman run --rm --pull=never "${podman_limits[@]}" "$tag" sh -c 'echo "$(node --version) npm $(npm --version) $(id node)"' >&2
say "done: $tag (rootfs kept in $rootfs)"
