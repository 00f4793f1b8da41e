#!/usr/bin/env bash
# Berth's setup, idempotent, for a fresh Debian 12 machine, as root:
# Debian packages, Node 24 (npm package node@24 into .tools/), npm packages,
# the TypeScript build and the native helper, and `berth`/`berthd` on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
say() { printf 'setup: %s\n' "$*"; }

[ "$(id -u)" = 0 ] || { echo "setup: run as root (Berth manages mounts, cgroups and namespaces)" >&2; exit 1; }

packages=(crun runc conmon catatonit tini busybox-static debootstrap skopeo docker-registry
  iptables iproute2 build-essential python3 zstd tmux procps psmisc curl ca-certificates
  apache2-utils openssl git docker.io containerd docker-compose)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_version=24.21.0
node24=$root/.tools/node_modules/node/bin/node
if [ ! -x "$node24" ] || [ "$("$node24" --version)" != "v$node_version" ]; then
  say "installing Node.js $node_version from the npm package node@$node_version into .tools/"
  mkdir -p .tools
  npm install --prefix "$root/.tools" --no-save --no-audit --no-fund "node@$node_version" >/dev/null
fi
export PATH=$root/.tools/node_modules/node/bin:$PATH

stamp=node_modules/.berth-lock-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  say "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund >/dev/null
  cp package-lock.json "$stamp"
fi

say "building (tsc, native helper)"
npm run --silent build

# crun 1.8 refuses a hybrid cgroup layout while the cgroup2 tree holds a
# controller (here: hugetlb). Mounting hugetlb as a v1 hierarchy moves it out
# of cgroup2, after which crun works. This changes the host's cgroup layout
# for every program, so it is said aloud; berthd itself never does it, and
# falls back to runc where crun cannot work.
unified=/sys/fs/cgroup/unified
if [ -f "$unified/cgroup.controllers" ] && grep -qw hugetlb "$unified/cgroup.controllers" \
   && [ ! -f /sys/fs/cgroup/cgroup.controllers ] && ! grep -q ' /sys/fs/cgroup/hugetlb ' /proc/mounts; then
  say "mounting the hugetlb cgroup controller as a v1 hierarchy at /sys/fs/cgroup/hugetlb (crun needs it on this hybrid cgroup host)"
  mkdir -p /sys/fs/cgroup/hugetlb 2>/dev/null || mount -o remount,rw /sys/fs/cgroup
  mkdir -p /sys/fs/cgroup/hugetlb
  mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb || say "could not mount hugetlb: berthd will use runc instead of crun"
fi

# On the PATH: launchers that source bin/berth{,d} with this checkout's path
# (a symlink there would cost a readlink(1) subprocess at every start).
for b in berth berthd; do
  printf '#!/bin/sh\n# Made by %s/scripts/setup.sh\nberth_root='"'"'%s'"'"'\n. "$berth_root/bin/%s"\n' "$root" "$root" "$b" >"/usr/local/bin/.$b.new"
  chmod 755 "/usr/local/bin/.$b.new"
  mv -f "/usr/local/bin/.$b.new" "/usr/local/bin/$b"
done
say "ready: $(command -v berth) and $(command -v berthd) (Node $("$node24" --version))"
