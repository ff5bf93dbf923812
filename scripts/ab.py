#!/usr/bin/env python3
"""Compare builds of nlscope in alternating runs (this machine's speed moves by the minute,
so only runs taken in turn compare).

    scripts/ab.py FILE RUNS 'READ ARGS' BIN_A BIN_B [...]

Each BIN runs `BIN read -r FILE ARGS` in turn, RUNS times, the file read into the page cache
right before each run (idle memory is paged out here). Prints, per binary, the median and
best wall time and CPU time (user + system). A BIN may be a wrapper script that adds options.
"""
import os
import shlex
import statistics
import sys
import time


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


def run(binary, argv):
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.dup2(null, 2)
        try:
            os.execv(binary, [binary] + argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{binary} {' '.join(argv)}: exit status {status}")
    return time.monotonic() - t0, usage.ru_utime + usage.ru_stime


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    path, runs, args, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4:]
    argv = ["read", "-r", path] + shlex.split(args)
    times = {b: ([], []) for b in bins}
    for _ in range(runs):
        for b in bins:
            warm(path)
            wall, cpu = run(b, argv)
            times[b][0].append(wall)
            times[b][1].append(cpu)
    for b in bins:
        wall, cpu = times[b]
        print(
            f"{b}: wall median {statistics.median(wall):.3f} best {min(wall):.3f} s, "
            f"cpu median {statistics.median(cpu):.3f} best {min(cpu):.3f} s"
        )


if __name__ == "__main__":
    main()
