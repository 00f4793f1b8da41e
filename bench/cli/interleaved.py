#!/usr/bin/env python3
"""Cold-start timing of short commands, interleaved: each round runs every
command once, so that the machine's drift (other work, CPU frequency) falls on
all of them alike. Python's subprocess starts them with vfork, so the parent
adds little; a Node parent (bench/lib/peers.ts `timed`) adds 10-30 ms per
spawn on this VM, which is fine for ratios, not for a figure like "< 100 ms".

  python3 bench/cli/interleaved.py ROUNDS 'CMD ARGS' ['CMD ARGS' ...]

Prints the median and the 10th percentile of each, in ms, the first 3 rounds
left out (warm-up). A command that fails stops the run.
"""
import shlex
import statistics
import subprocess
import sys
import time

rounds = int(sys.argv[1])
cmds = [shlex.split(c) for c in sys.argv[2:]]
times = [[] for _ in cmds]
for r in range(rounds + 3):
    for i, c in enumerate(cmds):
        t = time.perf_counter()
        p = subprocess.run(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        dt = (time.perf_counter() - t) * 1000
        if p.returncode != 0:
            sys.exit(f"{' '.join(c)} failed ({p.returncode}): {p.stderr.decode(errors='replace')}")
        if r >= 3:
            times[i].append(dt)
for c, xs in zip(cmds, times):
    xs.sort()
    print(f"{statistics.median(xs):7.1f} ms median  {xs[len(xs) // 10]:7.1f} ms p10  {' '.join(c)}")
