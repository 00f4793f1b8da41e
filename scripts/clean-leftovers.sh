#!/usr/bin/env bash
# Removes what Berth daemons that are no longer running left on the host:
# their iptables chains and jumps, bridges, cgroups and mounts under /tmp.
# A daemon killed with -9 leaves these by design (its containers may run on);
# this is for test machines, and only touches instances with no live berthd.
# Usage: bash scripts/clean-leftovers.sh [--dry-run]
set -uo pipefail
dry=${1:-}
run() { if [ "$dry" = --dry-run ]; then echo "would: $*"; else "$@" 2>/dev/null || true; fi; }

# Instance names of running daemons: "berth" for /var/lib/berth, else b + sha256(data root)[0:6].
live=" "
for pid in $(pgrep -f 'berthd' || true); do
  args=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null) || continue
  case "$args" in *berthd*) ;; *) continue ;; esac
  root=$(sed -n 's/.*--data-root \([^ ]*\).*/\1/p' <<<"$args")
  if [ -z "$root" ] || [ "$root" = /var/lib/berth ]; then live+="berth "; continue; fi
  live+="b$(printf '%s' "$root" | sha256sum | cut -c1-6) "
done

# Instances that left chains, or only a default bridge (a daemon stopped cleanly removes its chains).
instances=$(iptables-nft -S 2>/dev/null | sed -n 's/^-N \(b[0-9a-f]\{6\}\)-FWD$/\1/p'; iptables-nft -t nat -S 2>/dev/null | sed -n 's/^-N \(b[0-9a-f]\{6\}\)-PORTS$/\1/p'
  ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | sed -n 's/^\(b[0-9a-f]\{6\}\)0$/\1/p')
for inst in $(sort -u <<<"$instances"); do
  case "$live" in *" $inst "*) continue ;; esac
  echo "clean-leftovers: removing instance $inst (no running daemon)"
  for table in filter nat; do
    iptables-nft -t "$table" -S 2>/dev/null | grep -E "^-A [A-Z]+( .*)? -j $inst-" | sed 's/^-A /-D /' | while read -r rule; do
      run iptables-nft -t "$table" $rule
    done
    for chain in $(iptables-nft -t "$table" -S 2>/dev/null | sed -n "s/^-N \($inst-[A-Z]*\)$/\1/p"); do
      run iptables-nft -t "$table" -F "$chain"
      run iptables-nft -t "$table" -X "$chain"
    done
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E "^${inst}(0|n[0-9a-f]+)$"); do
    run ip link delete "$link"
  done
  for d in /sys/fs/cgroup/*/"$inst"; do [ -d "$d" ] && run find "$d" -depth -type d -exec rmdir {} \; ; done
done

# Mounts of test and bench roots whose daemon is gone.
grep -oE ' /tmp/(berth-test|bench-berth|berth-build)[^ ]*' /proc/mounts 2>/dev/null | sort -r | while read -r m; do
  dir=$(cut -d/ -f1-3 <<<"${m# }")
  pgrep -f "$dir" >/dev/null || run umount -l "${m# }"
done
exit 0
