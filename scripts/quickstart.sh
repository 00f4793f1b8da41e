#!/usr/bin/env bash
# Berth's main job on a fresh machine: set up, start berthd in the background,
# make the embedded busybox image, list it and run a container. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
sock=/run/berth/berth.sock
if ! bin/berth --host "unix://$sock" version >/dev/null 2>&1; then
  mkdir -p /var/log/berth
  echo "quickstart: starting berthd (log: /var/log/berth/berthd.log)"
  nohup bin/berthd >>/var/log/berth/berthd.log 2>&1 </dev/null &
  for _ in $(seq 1 100); do [ -S "$sock" ] && bin/berth version >/dev/null 2>&1 && break; sleep 0.1; done
fi
bin/berth image bootstrap busybox
bin/berth images
if bin/berth run --help >/dev/null 2>&1; then
  bin/berth run --rm busybox echo "hello from a Berth container"
fi
