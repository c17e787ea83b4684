"""CUPS queues: time from a state change in cupsd to the watcher reporting it, idle CPU, and
what asking the machines behind two queues every 30 s costs (the agent and its ipptool runs).

Run: .venv/bin/python tests/bench/bench_queues.py [--quick]   (as root: it starts a private cupsd)
"""

from __future__ import annotations

import argparse
import os
import queue
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cups_lab import CupsLab  # noqa: E402
from figures import percentiles  # noqa: E402

from frontdesk.contract.config import parse_config  # noqa: E402
from frontdesk.devices.queues import CupsClient, QueueState, QueueWatcher, queue_for  # noqa: E402


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="short runs only (smoke test)")
    quick = parser.parse_args().quick
    runs, idle = (3, 2.0) if quick else (20, 60.0)
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as root, CupsLab(Path(root)) as lab:
        config = parse_config(f'[cups]\nserver = "{lab.server}"\n[[queue]]\nid = "copier"\ncups_name = "Copier"\nkind = "copier"\n')
        client = CupsClient(lab.server)
        copier = queue_for(config.queue[0], client)
        changes: queue.Queue = queue.Queue()
        watcher = QueueWatcher([copier], client, lambda c: changes.put((time.monotonic(), c)))
        stop = threading.Event()
        thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
        thread.start()
        changes.get(timeout=30)  # the first state
        control = lab.connection()
        delays = []
        for run in range(runs):
            start = time.monotonic()
            (control.disablePrinter if run % 2 == 0 else control.enablePrinter)("Copier")
            want = "stopped" if run % 2 == 0 else "idle"
            while True:
                seen_at, change = changes.get(timeout=30)
                if isinstance(change, QueueState) and change.state == want:
                    delays.append(seen_at - start)
                    break
        median, p95 = percentiles(delays)
        print(f"CUPS state change -> watcher report ({'subscription' if watcher.subscribed else 'polling'}): "
              f"median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms over {runs} changes")
        ours, theirs = time.process_time(), cpu_seconds(lab.cupsd_pid)
        time.sleep(idle)
        ours, theirs = time.process_time() - ours, cpu_seconds(lab.cupsd_pid) - theirs
        per_hour = 3600 / idle
        print(f"idle watching, CPU per hour: watcher process {ours * per_hour:.1f} s "
              f"({ours / idle:.3%} of a core), cupsd {theirs * per_hour:.1f} s ({theirs / idle:.3%}), "
              f"measured over {idle:g} s")
        stop.set()
        thread.join(timeout=30)
        measure_device_polling(lab, client, rounds=6 if quick else 40)
        client.close()


def measure_device_polling(lab: CupsLab, client: CupsClient, rounds: int, every: float = 30.0) -> None:
    """CPU of one round of device polls (both queues, ipptool included), run back to back at a
    short interval, then as a share of a core at one round every `every` seconds."""
    lab.lpadmin("-p", "Copier2", "-v", lab.copier_uri, "-m", "everywhere", "-E")
    config = parse_config(f'[cups]\nserver = "{lab.server}"\n'
                          '[[queue]]\nid = "copier"\ncups_name = "Copier"\nkind = "copier"\n'
                          '[[queue]]\nid = "copier2"\ncups_name = "Copier2"\nkind = "copier"\n')
    queues = [queue_for(queue_config, client) for queue_config in config.queue]
    reads = threading.Semaphore(0)
    for polled in queues:
        polled.state = _counted(polled.state, reads)
    interval = 0.25
    watcher = QueueWatcher(queues, client, lambda change: None, device_interval=interval)
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), daemon=True)
    thread.start()
    for _ in range(len(queues)):
        reads.acquire(timeout=30)  # the first round: subscribing and connecting are not the poll's cost
    started, wall = _cpu_with_children(), time.monotonic()
    for _ in range(rounds * len(queues)):
        reads.acquire(timeout=30)
    used, wall = _cpu_with_children() - started, time.monotonic() - wall
    stop.set()
    thread.join(timeout=30)
    # The event pulls in between are counted too: the figure is an upper bound.
    per_round = used / rounds
    print(f"device polling, {len(queues)} queues every {every:g} s: {per_round * 1000:.1f} ms CPU per round "
          f"(agent + ipptool; {rounds} rounds in {wall:.1f} s) -> {per_round / every:.3%} of a core")


def _counted(read, reads: threading.Semaphore):
    def counted_read():
        try:
            return read()
        finally:
            reads.release()
    return counted_read


def _cpu_with_children() -> float:
    """This process's CPU and that of its finished children (the ipptool runs)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
