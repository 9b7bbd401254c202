"""Measure kgen's start-up and fleet rendering against the cost of importing its dependencies.

Every figure is a ratio or a rate measured in this run, on this machine, so that results from
different machines compare. Each command runs in a fresh process; a figure is the median of
several runs. Nothing is written inside the repository: profiles and output go to a temporary
folder that is removed at the end.

    python bench/run.py            # full run: cold commands, fleets of 100, 1000 and 5000
    python bench/run.py --quick    # smoke run: fewer repeats, fleets of 20 and 100
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kgen.honoured import first_version_on
from kgen.knowledge.versions import SUPPORTED_VERSIONS, version_key

PYTHON = sys.executable
FLOOR = [PYTHON, "-c", "import yaml, jinja2, cerberus, typer"]
# The same imports with cyclic collection postponed, as the kgen command starts (kgen/startup.py):
# shown beside the floor so that a reader can tell kgen's own cost from what postponing saves on
# the dependencies' imports.
FLOOR_POSTPONED = [PYTHON, "-c", "import gc; gc.disable(); import yaml, jinja2, cerberus, typer"]
# Start-up targets, as multiples of the import floor.
TARGETS = {"kgen --help": 1.0, "kgen render cis -t kubeadm -o TMP": 1.2}
VERSIONS = list(SUPPORTED_VERSIONS)  # the fleet cycles through every supported version
# A knob a cluster's own profile sets must be one its version can honour, or the render fails: the
# fleet sets each knob only from the first version that has the feature on without opting in.
ANONYMOUS_PATHS_FROM = first_version_on(["AnonymousAuthConfigurableEndpoints"]) or SUPPORTED_VERSIONS[-1]
PULL_VERIFICATION_FROM = first_version_on(["KubeletEnsureSecretPulledImages"]) or SUPPORTED_VERSIONS[-1]
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def kgen_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m kgen.cli``."""
    script = Path(PYTHON).with_name("kgen")
    return [str(script)] if script.is_file() else [PYTHON, "-m", "kgen.cli"]


# --- memory: sample the process tree through /proc ----------------------------------------------------


def _children_by_parent() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with Path(f"/proc/{entry.name}/stat").open("rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: fields resume after the last ')'
        parent = int(stat[stat.rindex(b")") + 2 :].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _tree(root: int) -> list[int]:
    tree = _children_by_parent()
    found, queue = [], [root]
    while queue:
        pid = queue.pop()
        found.append(pid)
        queue.extend(tree.get(pid, []))
    return found


def _rss_and_pss_kb(pid: int) -> tuple[int, int]:
    """Resident and proportional set size: PSS shares copy-on-write pages between fork workers."""
    rss = pss = 0
    try:
        with Path(f"/proc/{pid}/smaps_rollup").open("rb") as handle:
            for line in handle:
                if line.startswith(b"Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith(b"Pss:"):
                    pss = int(line.split()[1])
    except (OSError, ValueError):
        try:
            with Path(f"/proc/{pid}/statm").open("rb") as handle:
                rss = pss = int(handle.read().split()[1]) * PAGE_KB
        except OSError:
            pass
    return rss, pss


class TreeSampler:
    """Peak of the summed RSS and PSS of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int, interval: float) -> None:
        self.pid, self.interval = pid, interval
        self.peak_rss_kb = self.peak_pss_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            rss = pss = 0
            for pid in _tree(self.pid):
                one_rss, one_pss = _rss_and_pss_kb(pid)
                rss += one_rss
                pss += one_pss
            self.peak_rss_kb = max(self.peak_rss_kb, rss)
            self.peak_pss_kb = max(self.peak_pss_kb, pss)
            self._stop.wait(self.interval)


# --- running commands ----------------------------------------------------------------------------------


@dataclass
class Run:
    seconds: float
    peak_rss_mb: float = 0.0
    peak_pss_mb: float = 0.0
    cpu_seconds: float = 0.0  # user + system time of the process and its workers: steadier than wall time


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# The environment of every measured command (see bytecode_environment).
ENVIRONMENT: dict[str, str] = dict(os.environ)


def bytecode_environment(work: Path, bytecode: bool) -> dict[str, str]:
    """The measured commands' environment: with bytecode caching on, as in an installed kgen.

    An installed package has its modules compiled to .pyc files, so a command does not compile
    kgen's sources. A development shell with PYTHONDONTWRITEBYTECODE=1 and an editable install
    compiles every kgen module on every run (about 25 ms on the reference machine) while the
    dependencies in site-packages keep their .pyc files, which is not what users run. The
    compiled files go to a folder in the benchmark's temporary folder (PYTHONPYCACHEPREFIX),
    so nothing is written in the repository and no earlier .pyc is reused.
    """
    environment = dict(os.environ)
    if bytecode:
        environment.pop("PYTHONDONTWRITEBYTECODE", None)
        environment["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    else:
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
    return environment


def run_once(command: Sequence[str], cwd: Path, *, sample: float = 0.0) -> Run:
    cpu_before = _children_cpu()
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if sample:
        with TreeSampler(process.pid, sample) as sampler:
            _, err = process.communicate()
    else:
        _, err = process.communicate()
    seconds = time.perf_counter() - start
    cpu = _children_cpu() - cpu_before
    if process.returncode != 0:
        tail = err.decode(errors="replace")[-2000:]
        raise SystemExit(f"{' '.join(command[:6])} ... exited {process.returncode}:\n{tail}")
    if not sample:
        return Run(seconds, cpu_seconds=cpu)
    return Run(seconds, sampler.peak_rss_kb / 1024, sampler.peak_pss_kb / 1024, cpu)


def median_run(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.seconds for r in runs),
        statistics.median(r.peak_rss_mb for r in runs),
        statistics.median(r.peak_pss_mb for r in runs),
        statistics.median(r.cpu_seconds for r in runs),
    )


def timed(commands: Sequence[Sequence[str]], cwd: Path, repeats: int) -> list[float]:
    """Median seconds of each command. The commands take turns, one run each per round, so that
    a change in the machine's load between rounds moves every command alike, not their ratios."""
    for command in commands:
        run_once(command, cwd)  # warm the page cache and .pyc files; not counted
    runs: list[list[float]] = [[] for _ in commands]
    for _ in range(repeats):
        for command, seconds in zip(commands, runs, strict=True):
            seconds.append(run_once(command, cwd).seconds)
    return [statistics.median(seconds) for seconds in runs]


# --- the fleet -------------------------------------------------------------------------------------------


def write_fleet(folder: Path, count: int) -> list[str]:
    """``count`` cluster profiles, each extending a bundled profile with a few overrides."""
    folder.mkdir(parents=True, exist_ok=True)
    references = []
    for index in range(count):
        name = f"cluster-{index:05d}"
        base = "strict" if index % 2 else "cis"
        version = VERSIONS[index % len(VERSIONS)]
        lines = [f"name: {name}", f"extends: {base}", f'kubernetesVersion: "{version}"']
        if index % 3 == 0 and version_key(version) >= version_key(ANONYMOUS_PATHS_FROM):
            lines += ["anonymousAccess:", "  mode: paths", "  paths:", "    - /healthz"]
            lines += [f"    - /metrics/team-{index % 17}"]
        if index % 3 == 1 and version_key(version) >= version_key(PULL_VERIFICATION_FROM):
            lines += [
                "features:",
                "  imagePullCredentialVerification:",
                "    policy: NeverVerifyAllowlistedImages",
                "    allowlist:",
                "      - registry.k8s.io/pause",
                f"      - registry.example.com/team-{index % 11}/*",
            ]
        path = folder / f"{name}.yaml"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        references.append(f"{folder.name}/{path.name}")
    return references


@dataclass
class FleetFigures:
    clusters: int
    render: Run
    check: Run


def measure_fleet(work: Path, out_root: Path, count: int, repeats: int, jobs: int, sample: float) -> FleetFigures:
    fleet = work / f"fleet-{count}"
    references = write_fleet(fleet, count)
    base = [*kgen_command(), "render", *references, "-t", "kubeadm", "-t", "flags", "--jobs", str(jobs)]
    renders, checks = [], []
    for attempt in range(repeats):
        out = out_root / f"out-{count}-{attempt}"
        renders.append(run_once([*base, "-o", str(out)], work, sample=sample))
        checks.append(run_once([*base, "--check", "-o", str(out)], work, sample=sample))
        shutil.rmtree(out)
    shutil.rmtree(fleet)
    return FleetFigures(count, median_run(renders), median_run(checks))


# --- report ----------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--quick", action="store_true", help="smoke run: 3 repeats, fleets of 20 and 100")
    parser.add_argument("--repeats", type=int, default=7, help="runs per cold command (median is reported)")
    parser.add_argument("--fleet-repeats", type=int, default=3, help="runs per fleet size (median)")
    parser.add_argument("--sizes", default="100,1000,5000", help="fleet sizes, comma-separated")
    parser.add_argument("--jobs", type=int, default=2, help="kgen render --jobs for the fleet")
    parser.add_argument("--out-dir", help="folder for the fleet's output (default: the temporary folder)")
    parser.add_argument("--skip-fleet", action="store_true", help="only the cold single-profile commands")
    parser.add_argument(
        "--no-bytecode",
        action="store_true",
        help="run with PYTHONDONTWRITEBYTECODE=1: kgen's modules (editable install) are compiled on every run",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.fleet_repeats, args.sizes = 3, 1, "20,100"
    sizes = [int(size) for size in args.sizes.split(",") if size]
    kgen = kgen_command()

    with tempfile.TemporaryDirectory(prefix="kgen-bench-") as tmp:
        work = Path(tmp)
        ENVIRONMENT.clear()
        ENVIRONMENT.update(bytecode_environment(work, bytecode=not args.no_bytecode))
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPU(s), kgen: {' '.join(kgen)}")
        print("bytecode: " + ("not written (PYTHONDONTWRITEBYTECODE=1)" if args.no_bytecode else "cached (PYTHONPYCACHEPREFIX)"))
        print(f"cold commands: median of {args.repeats} fresh processes, the commands taking turns\n")
        commands = {
            "import floor: python -c 'import yaml, jinja2, cerberus, typer'": FLOOR,
            "the same imports, collection postponed": FLOOR_POSTPONED,
            "kgen --help": [*kgen, "--help"],
            "kgen validate cis": [*kgen, "validate", "cis"],
            "kgen render cis -t kubeadm -o TMP": [*kgen, "render", "cis", "-t", "kubeadm", "-o", str(work / "one")],
        }
        rows = list(zip(commands, timed(list(commands.values()), work, args.repeats), strict=True))
        floor = rows[0][1]
        width = max(len(label) for label, _ in rows)
        postponed_floor = rows[1][1]
        print(f"{'command':{width}}  {'median s':>9}  {'x floor':>7}  {'x postponed':>11}  target")
        for label, seconds in rows:
            verdict = ""
            if label in TARGETS:
                held = seconds / floor <= TARGETS[label]
                verdict = f"<= {TARGETS[label]:.2f}x: {'held' if held else 'MISSED'}"
            print(f"{label:{width}}  {seconds:9.3f}  {seconds / floor:7.2f}  {seconds / postponed_floor:11.2f}  {verdict}")
        if args.skip_fleet:
            return 0

        print(f"\nfleet: N profiles extending cis/strict, -t kubeadm -t flags --jobs {args.jobs}", end="")
        print(f", median of {args.fleet_repeats}")
        print("peak memory: summed over kgen and its workers, sampled from /proc;")
        print("RSS counts pages shared by fork workers once per process, PSS splits them")
        print(f"output folder: {args.out_dir or tempfile.gettempdir()}\n")
        print(f"{'N':>6}  {'render s':>9}  {'ms/cluster':>10}  {'cpu s':>7}  {'peak RSS MB':>11}", end="")
        print(f"  {'peak PSS MB':>11}  {'check s':>8}  {'check cpu s':>11}  {'check/render':>12}")
        figures = []
        for count in sizes:
            sample = 0.01 if count <= 200 else 0.05
            out_root = Path(tempfile.mkdtemp(prefix="kgen-bench-out-", dir=args.out_dir)) if args.out_dir else work
            try:
                fleet = measure_fleet(work, out_root, count, args.fleet_repeats, args.jobs, sample)
            finally:
                if out_root != work:
                    shutil.rmtree(out_root, ignore_errors=True)
            figures.append(fleet)
            render, check = fleet.render, fleet.check
            print(
                f"{count:6d}  {render.seconds:9.2f}  {1000 * render.seconds / count:10.2f}  "
                f"{render.cpu_seconds:7.2f}  {render.peak_rss_mb:11.0f}  {render.peak_pss_mb:11.0f}  "
                f"{check.seconds:8.2f}  {check.cpu_seconds:11.2f}  {check.seconds / render.seconds:12.2f}",
                flush=True,
            )
        if len(figures) > 1:
            first, last = figures[0], figures[-1]
            growth = (last.render.seconds / last.clusters) / (first.render.seconds / first.clusters)
            print(f"\nlinearity: time per cluster at N={last.clusters} is {growth:.2f}x", end="")
            print(f" that at N={first.clusters} (1.00 = linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
