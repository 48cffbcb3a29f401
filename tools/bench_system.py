"""`tools/bench --system`: the compute kernels as U-mode processes of a guest OS.

Each kernel benchmark's riscv64 binary (the same file the user-mode rows run) is linked with the
runner (Fixtures/system/runner, tools/build-runner.sh): a small S-mode kernel that loads it into
its own Sv39 address space of 4 KiB pages, answers its system calls and ticks a 250 Hz timer.
The image runs on a whole machine under
  sys JIT      trapeze system --engine jit --memory 512M IMAGE
  sys interp   trapeze system --engine interp ...  (once; skipped when predicted over --interp-cap)
  qemu-system  qemu-system-riscv64 -M virt -bios none -m 512M -nographic -kernel IMAGE
and the plain binary under
  user JIT     trapeze run --engine jit BINARY ARGS
  qemu-user    qemu-riscv64 BINARY ARGS
Times are CPU seconds (user + system) of the emulator process, whole runs (start-up, and for
the system rows the runner loading the program, included), the MINIMUM of --reps runs (default
7). The runs are interleaved: each repetition runs every system once, in an order that turns
round every repetition, so a stretch of load from the other jobs of a shared 2-core host falls
on all systems alike instead of on one system's whole series; a run's CPU time can only grow
with interference (cache and frequency contention), never shrink, so the minimum is the
measurement least disturbed by it (the median of 3 of the same binaries moved the geometric
mean from 1.30x to 1.46x between two runs ten minutes apart). The spread (the median's excess
over the minimum, per system) is printed and written beside the table, and so is the geometric
mean of the ratios of medians, for comparison. sys interp runs once (it takes minutes).
Every run's output and status must equal the native x86-64 program's, or the cell says
`fail`/`MISMATCH` and the row's ratios are left out. Ratios: sys JIT / user JIT (the cost of
the guest OS's MMU: target <= 1.3), sys JIT / qemu-system (target <= 0.5), sys JIT / sys
interp, qemu-system / qemu-user; geometric means over the kernels. `--stats` of one more sys
JIT run gives the inline TLB's refills."""
import hashlib
import os
import re
import resource
import statistics
import subprocess

SYSTEMS = ["userjit", "sysjit", "sysinterp", "qemusys", "qemuuser"]
TITLES = {"userjit": "user JIT", "sysjit": "sys JIT", "sysinterp": "sys interp",
          "qemusys": "qemu-system", "qemuuser": "qemu-user"}
RATIOS = [("sysjit", "userjit", 1.3), ("sysjit", "qemusys", 0.5), ("sysjit", "sysinterp", None),
          ("qemusys", "qemuuser", None)]
MEMORY = "512M"
RUNNER_SOURCES = ["Fixtures/system/runner/start.S", "Fixtures/system/runner/runner.c",
                  "Fixtures/system/runner/link.ld", "Fixtures/system/common/machine.h",
                  "tools/build-runner.sh"]


def cpu_run(cmd, cwd, timeout):
    """Runs cmd; returns (CompletedProcess or None on timeout, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        proc = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        proc = None
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return proc, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def build_image(bench_mod, rv, args):
    """The runner linked with rv and args, rebuilt when any input changed."""
    root = bench_mod.ROOT
    key = hashlib.sha1((rv + "\0" + "\0".join(args)).encode()).hexdigest()[:10]
    out = os.path.join(bench_mod.BUILD, "system", f"{os.path.basename(rv)}-{key}")
    inputs = [rv] + [os.path.join(root, s) for s in RUNNER_SOURCES]
    if bench_mod.newer(out, *inputs):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        proc = subprocess.run([os.path.join(root, "tools", "build-runner.sh"), out, rv, *args],
                              cwd=root, capture_output=True, text=True)
        if proc.returncode != 0:
            return None, proc.stderr.strip()[-300:]
    return out, None


def stat_counts(text):
    """Retired instructions and inline TLB refills from `trapeze system --stats`."""
    out = {}
    m = re.search(r"guest instructions retired (\d+)", text)
    if m:
        out["retired"] = int(m.group(1))
    m = re.search(r"inline TLB (\d+) fills", text)
    if m:
        out["fills"] = int(m.group(1))
    m = re.search(r"blocks translated\s+(\d+)", text)
    if m:
        out["blocks"] = int(m.group(1))
    return out


def load_now():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def fastest(outcome):
    """The figure a system gets: its minimum CPU time (see the docstring)."""
    return min(outcome.times)


def spread(outcome):
    """How far the median run lies above the fastest, in percent."""
    return 100.0 * (statistics.median(outcome.times) / fastest(outcome) - 1.0)


def run(args, bench_mod, trapeze, say):
    B = bench_mod

    def measure(s, res, cmd, reference, timeout):
        """One run of cmd, checked against the native program's output; appends its CPU time."""
        proc, seconds = cpu_run(cmd, B.ROOT, timeout)
        outcome = res[s]
        if proc is None:
            res[s] = B.Outcome("timeout", detail="no exit")
        elif proc.returncode != 0:
            res[s] = B.Outcome("fail", detail=B.describe_failure(proc))
        elif proc.stdout != reference.stdout:
            res[s] = B.Outcome("MISMATCH", detail=B.describe_difference(reference.stdout, proc.stdout))
        else:
            outcome.times.append(seconds)

    def report(s, outcome):
        if outcome.ok:
            say(f"  {TITLES[s]:12s} {fastest(outcome):8.3f} s CPU (min of {len(outcome.times)}; "
                f"median +{spread(outcome):.1f}%)")
        else:
            say(f"  {'!!! ' if outcome.state == 'MISMATCH' else ''}{TITLES[s]:12s} {outcome.state}: {outcome.detail}")

    load_start = load_now()
    mode = "quick" if args.quick else "full"
    benches = [b for b in args.selected if b.kernel]
    if not benches:
        say("bench --system: no kernel benchmark matches --filter")
        return 2
    wanted = [s for s in args.systems.split(",") if s in SYSTEMS] or SYSTEMS
    errors = B.build_benchmarks(benches, mode)
    for name, err in errors.items():
        say(f"bench: cannot build {name}:\n{err}")
    commands = {
        "userjit": lambda rv, a, img: [trapeze, "run", "--engine", "jit", rv, *a],
        "sysjit": lambda rv, a, img: [trapeze, "system", "--engine", "jit", "--memory", MEMORY, img],
        "sysinterp": lambda rv, a, img: [trapeze, "system", "--engine", "interp", "--memory", MEMORY, img],
        "qemusys": lambda rv, a, img: ["qemu-system-riscv64", "-M", "virt", "-bios", "none", "-m", MEMORY,
                                       "-smp", "1", "-nographic", "-monitor", "none", "-serial", "stdio",
                                       "-kernel", img],
        "qemuuser": lambda rv, a, img: [B.QEMU, rv, *a],
    }
    results, stats, interp_ratio = {}, {}, []
    for b in benches:
        res = results[b.name] = {}
        if b.name in errors:
            for s in wanted:
                res[s] = B.Outcome("fail", detail="build failed")
            continue
        x86, rv = B.binary_paths(b, mode)
        bargs = b.quick if args.quick else b.args
        img, err = build_image(B, rv, bargs)
        say(f"bench --system: {b.name} {' '.join(bargs)}")
        reference, _ = B.run_once([x86, *bargs], args.timeout)
        if reference is None or reference.returncode != 0 or img is None:
            why = err or "native run failed"
            for s in wanted:
                res[s] = B.Outcome("fail", detail=why)
            continue
        # Every system but the interpreter once per repetition, interleaved (see the docstring).
        timed = [s for s in wanted if s != "sysinterp"]
        for s in timed:
            res[s] = B.Outcome(state="ok")
        for rep in range(args.reps):
            order = timed if rep % 2 == 0 else list(reversed(timed))
            for s in order:
                if res[s].ok:
                    measure(s, res, commands[s](rv, bargs, img), reference, args.timeout)
        for s in timed:
            report(s, res[s])
        if "sysinterp" in wanted:
            s = "sysinterp"
            jit = res.get("sysjit")
            guess = statistics.median(interp_ratio) * fastest(jit) if interp_ratio and jit is not None and jit.ok else 0
            if guess > args.interp_cap:
                res[s] = B.Outcome("skipped", detail=f"estimated {guess:.0f} s > cap")
                say(f"  {TITLES[s]:12s} skipped (estimated {guess:.0f} s)")
            else:
                res[s] = B.Outcome(state="ok")
                measure(s, res, commands[s](rv, bargs, img), reference, args.interp_cap * 2)
                report(s, res[s])
                if res[s].ok and jit is not None and jit.ok:
                    interp_ratio.append(fastest(res[s]) / max(fastest(jit), 1e-3))
        if "sysjit" in wanted and res["sysjit"].ok:
            proc, _ = cpu_run([trapeze, "system", "--stats", "--memory", MEMORY, img], B.ROOT, args.timeout)
            if proc is not None:
                stats[b.name] = stat_counts(proc.stderr.decode(errors="replace"))

    def seconds(o):
        if o is None or not o.ok:
            return B.fmt_seconds(o)
        t = fastest(o)
        return f"{t:.3f}" if t >= 0.01 else f"{t * 1000:.2f} ms"

    def ratio(res, a, c, by=fastest):
        ra, rc = res.get(a), res.get(c)
        if ra is None or rc is None or not ra.ok or not rc.ok or by(rc) <= 0:
            return None
        return by(ra) / by(rc)

    ratios = [(a, c, t) for a, c, t in RATIOS if a in wanted and c in wanted]
    header = ["benchmark", "size"] + [TITLES[s] + " s" for s in wanted] + \
             [f"{TITLES[a]}/{TITLES[c]}" for a, c, _ in ratios] + ["TLB refills/M insns"]
    rows, means = [], []
    for b in benches:
        res = results[b.name]
        st = stats.get(b.name, {})
        fills = f"{st['fills'] * 1e6 / st['retired']:.0f}" if st.get("retired") and "fills" in st else "—"
        rows.append([b.name, " ".join(b.quick if args.quick else b.args)] +
                    [seconds(res.get(s)) for s in wanted] +
                    [B.fmt_ratio(ratio(res, a, c)) for a, c, _ in ratios] + [fills])
    grow = ["**geometric mean**", ""] + [""] * len(wanted)
    medians = []
    for a, c, target in ratios:
        vals = [ratio(results[b.name], a, c) for b in benches]
        vals = [v for v in vals if v is not None]
        g = B.geomean(vals)
        means.append((a, c, target, g, len(vals)))
        grow.append(B.fmt_ratio(g) + (f" (n={len(vals)})" if g is not None and len(vals) < len(benches) else ""))
        mvals = [ratio(results[b.name], a, c, by=lambda o: o.median) for b in benches]
        mvals = [v for v in mvals if v is not None]
        if mvals and a != "sysinterp" and c != "sysinterp":
            medians.append(f"{TITLES[a]}/{TITLES[c]} {B.fmt_ratio(B.geomean(mvals))}")
    grow.append("")
    # The spread of each timed system: the median's excess over the minimum, per kernel.
    timed = [s for s in wanted if s != "sysinterp"]
    spread_header = ["benchmark"] + [f"{TITLES[s]} median − min" for s in timed]
    spread_rows = [[b.name] + [f"+{spread(results[b.name][s]):.1f}%" if results[b.name].get(s) is not None
                               and results[b.name][s].ok else "—" for s in timed] for b in benches]
    print()
    B.print_table(header, rows + [[c.replace("**", "") for c in grow]])
    print()
    B.print_table(spread_header, spread_rows)
    targets = []
    for a, c, target, g, n in means:
        if target is not None:
            verdict = "no data" if g is None else f"{g:.2f}× — {'met' if g <= target else 'not met'}"
            targets.append(f"- {TITLES[a]} ≤ {target} × {TITLES[c]} (geometric mean): {verdict}")
    for line in targets:
        print(line[2:])
    if medians:
        print("geometric means of the ratios of medians, for comparison: " + ", ".join(medians))

    out_dir = args.out or (os.path.join(B.BUILD, "quick") if args.quick else os.path.join(B.ROOT, "docs", "bench"))
    os.makedirs(out_dir, exist_ok=True)
    facts = B.environment_facts(trapeze)
    md = ["# Trapeze system-mode benchmark results", "",
          "Generated by `tools/bench --system" + (" --quick" if args.quick else "") + "` — do not edit; "
          "rerun the tool to refresh.", "",
          f"- CPU: **{facts['cpu']}** ({facts['cores']} logical CPUs), Linux {facts['kernel']}",
          f"- date: {facts['date']}, Trapeze commit `{facts['commit']}`",
          f"- load average when the run started: {load_start}; when it ended: {load_now()}",
          f"- times: CPU seconds (user + system) of the emulator, the **minimum of {args.reps} interleaved "
          f"runs** (each repetition runs every system once, the order turning round every repetition, "
          f"so load from other jobs falls on all systems alike; CPU time only grows with interference, "
          f"so the minimum is the least disturbed run; sys interp: one run); whole runs including "
          f"start-up and, for the system rows, the runner loading the program. The spread of the "
          f"runs and the ratios of medians are below the table.", "",
          "Each program is the user-mode benchmark's binary, run as a U-mode process under Sv39 by "
          "`Fixtures/system/runner` (see tools/bench_system.py).", "",
          B.markdown_table(header, rows + [grow]), "", "## Targets", ""] + targets + [""]
    md += ["## Spread", "",
           "How far each system's median run lies above its minimum (the noise of this host during "
           "the run). Geometric means of the ratios of medians, for comparison: "
           + (", ".join(medians) if medians else "—") + ".", "",
           B.markdown_table(spread_header, spread_rows), ""]
    notes = [f"{b.name} under {TITLES[s]}: {o.state} — {o.detail}" for b in benches
             for s, o in results[b.name].items() if not o.ok]
    if notes:
        md += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    path = os.path.join(out_dir, "system.md")
    with open(path, "w") as f:
        f.write("\n".join(md))
    say(f"bench: wrote {B.display_path(path)}")
    return 1 if any("MISMATCH" in n for n in notes) else 0
