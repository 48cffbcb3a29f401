"""`tools/bench --boot`: Linux boot time, Trapeze against qemu-system-riscv64.

The same firmware (Debian's OpenSBI fw_dynamic), kernel (Debian's riscv64 Image), initramfs
(busybox and our /init, as `make test-linux` builds it) and a fresh ext4 disk plus virtio-rng,
under `trapeze system` (JIT, and the interpreter when asked) and `qemu-system-riscv64 -M virt`
(TCG, one hart, 512 MiB). Each run, through the piped console (tools/linux_console.py):
  prompt    seconds from start to the shell prompt
  command   seconds for a fixed command at the prompt: a busybox shell loop of 20000 iterations
  poweroff  seconds from start until the emulator has exited after `poweroff -f`
The median of --reps runs is reported, with Trapeze / QEMU for each; both must print the loop's
right result."""
import importlib.util
import os
import re
import statistics
import subprocess
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
from linux_console import Console, ConsoleTimeout  # noqa: E402

_spec = importlib.util.spec_from_file_location("test_linux", os.path.join(TOOLS, "test-linux.py"))
tl = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tl)

APPEND = "console=ttyS0 panic=-1"


def qemu_args(kernel, initrd, disk):
    return ["qemu-system-riscv64", "-M", "virt", "-smp", "1", "-m", "512M", "-nographic", "-monitor", "none",
            "-serial", "stdio", "-no-reboot", "-bios", tl.FIRMWARE, "-kernel", kernel, "-initrd", initrd,
            "-append", APPEND, "-global", "virtio-mmio.force-legacy=false",
            "-drive", "file=%s,format=raw,if=none,id=hd0" % disk, "-device", "virtio-blk-device,drive=hd0",
            "-object", "rng-random,filename=/dev/urandom,id=rng0", "-device", "virtio-rng-device,rng=rng0"]


def one_run(system, kernel, initrd, disk_tree, log):
    disk = os.path.join(tl.CACHE, "disk-bench.img")
    tl.make_disk(disk_tree, disk)
    if system == "qemu":
        argv = qemu_args(kernel, initrd, disk)
    else:
        argv = tl.trapeze_args(system, kernel, initrd, disk, append=APPEND)
        argv.remove("--stats")
    con = Console(argv, log=log)
    try:
        con.expect(tl.PROMPT, timeout=900)
        prompt = con.elapsed()
        start = con.elapsed()
        out, status = con.run(tl.LOOP, timeout=900)
        command = con.elapsed() - start
        if status != 0 or "loop=%d" % tl.LOOP_SUM not in out:
            raise ConsoleTimeout("the loop printed %r (status %d)" % (out, status))
        con.send("poweroff -f\n")
        code = con.wait(300)
        if code != 0:
            raise ConsoleTimeout("exit status %d after poweroff" % code)
        return prompt, command, con.elapsed()
    finally:
        con.close()


def run(systems, reps, say):
    kernel, initrd, disk_tree = tl.build()
    available = []
    for system in systems:
        if system == "qemu" and not any(os.access(os.path.join(d, "qemu-system-riscv64"), os.X_OK)
                                        for d in os.environ.get("PATH", "").split(":")):
            say("bench --boot: qemu-system-riscv64 not found (apt-get install qemu-system-misc)")
            continue
        available.append(system)
    # Round after round, each system once per round: a machine whose load changes during the
    # run weighs on all systems alike.
    runs = {system: [] for system in available}
    failed = set()
    for rep in range(reps):
        for system in available:
            if system in failed:
                continue
            log = os.path.join(tl.CACHE, "bench-%s-%d.log" % (system, rep))
            try:
                r = one_run(system, kernel, initrd, disk_tree, log)
            except ConsoleTimeout as e:
                say("bench --boot: %s failed: %s (console in %s)" % (system, e, log))
                failed.add(system)
                continue
            say("bench --boot: %-6s run %d: prompt %.2f s, command %.3f s, poweroff %.2f s" % ((system, rep + 1) + r))
            runs[system].append(r)
    results = {system: tuple(statistics.median(r[i] for r in rs) for i in range(3)) for system, rs in runs.items() if rs}
    print()
    print("Linux boot (Debian %s, OpenSBI fw_dynamic, busybox initramfs, virtio-blk + virtio-rng), median of %d"
          % (os.path.basename(kernel).replace("vmlinux-", ""), reps))
    print("%-8s %10s %10s %10s" % ("system", "prompt", "command", "poweroff"))
    for system, (p, c, o) in results.items():
        print("%-8s %9.2fs %9.3fs %9.2fs" % (system, p, c, o))
    if "qemu" in results:
        q = results["qemu"]
        for system, r in results.items():
            if system != "qemu":
                print("%s / qemu: prompt %.2fx, command %.2fx, poweroff %.2fx" % (system, r[0] / q[0], r[1] / q[1], r[2] / q[2]))
    print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
    return 0 if len(results) == len(systems) else 1
