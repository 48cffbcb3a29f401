#!/usr/bin/env python3
"""`make test-linux` (opt-in, not part of `make test`): Debian's riscv64 Linux kernel and Debian's
static busybox, booted under `trapeze system` through Debian's OpenSBI, to an interactive shell.

    tools/test-linux.py [--engines jit,interp] [--keep-going]
    tools/test-linux.py --build-only          # fetch and build the images, print the command line

Steps:
  1. tools/fetch-linux.sh puts the kernel, its modules and busybox-static in .cache/linux.
  2. An initramfs (.cache/linux/initrd) around our own /init script
     (Fixtures/system/linux/busybox/init): busybox, the modules virtio and ext4 need, written by
     tools/make-initramfs.py --tree.
  3. An ext4 disk (.cache/linux/disk.img, `mke2fs -d`) holding hello.txt and a busybox root (the
     same /init), fresh for every boot.
  4. Under each engine: boot with the disk and virtio-rng, wait for the shell prompt, then through
     the piped console (tools/linux_console.py) run `uname -a`, `cat /proc/cpuinfo`, a shell loop,
     `mount` of /dev/vda and `cat` of a file on it, a write to the disk, `date` against the host's
     clock, /dev/hwrng, then `poweroff -f`; check each output and the exit status; print the times
     from start to the prompt and to poweroff. The disk file must then hold what the guest wrote.
  5. Under the JIT: `root=/dev/vda` (the initramfs switch_roots into the disk), and a one-shot
     `printf 'uname -a; poweroff -f' | trapeze system ...` with the whole input piped at once.
"""
import argparse
import lzma
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from linux_console import Console, ConsoleTimeout  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("TRAPEZE_LINUX_CACHE", os.path.join(ROOT, ".cache", "linux"))
TRAPEZE = os.environ.get("TRAPEZE", os.path.join(ROOT, ".build", "release", "trapeze"))
FIRMWARE = os.environ.get("FIRMWARE", "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin")
INIT = os.path.join(ROOT, "Fixtures", "system", "linux", "busybox", "init")
PROMPT = "~ # "
HELLO = "hello from the trapeze test disk\n"
# In load order: a module comes after the ones it needs (ext4: jbd2, mbcache, crc16, crc32c).
MODULES = ["drivers/virtio/virtio_mmio", "drivers/block/virtio_blk", "drivers/char/hw_random/virtio-rng",
           "lib/crc16", "crypto/crc32c_generic", "lib/libcrc32c", "fs/mbcache", "fs/jbd2/jbd2", "fs/ext4/ext4"]
LOOP = "i=0; s=0; while [ $i -lt 20000 ]; do s=$((s + i * i % 7)); i=$((i + 1)); done; echo loop=$s"
LOOP_SUM = sum(i * i % 7 for i in range(20000))


def say(msg):
    print(msg, flush=True)


def paths():
    kernel = sorted(f for f in os.listdir(os.path.join(CACHE, "root", "boot")) if f.startswith("vmlinux-"))[0]
    modules = os.path.join(CACHE, "root", "usr", "lib", "modules")
    modules = os.path.join(modules, sorted(os.listdir(modules))[0], "kernel")
    busybox = os.path.join(CACHE, "busybox", "usr", "bin", "busybox")
    if not os.path.exists(busybox):
        busybox = os.path.join(CACHE, "busybox", "bin", "busybox")
    return os.path.join(CACHE, "root", "boot", kernel), modules, busybox


def fill_root(top, busybox, init, modules=None):
    """A busybox root in `top`: /bin/busybox, /init, the mount points, and (for the initramfs)
    the modules, decompressed, with their load order."""
    shutil.rmtree(top, ignore_errors=True)
    for d in ["bin", "sbin", "usr/bin", "usr/sbin", "dev", "proc", "sys", "tmp", "mnt", "etc", "root"]:
        os.makedirs(os.path.join(top, d), exist_ok=True)
    shutil.copy(busybox, os.path.join(top, "bin", "busybox"))
    os.chmod(os.path.join(top, "bin", "busybox"), 0o755)
    shutil.copy(init, os.path.join(top, "init"))
    os.chmod(os.path.join(top, "init"), 0o755)
    os.symlink("/init", os.path.join(top, "sbin", "init"))
    with open(os.path.join(top, "etc", "passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
    if modules:
        os.makedirs(os.path.join(top, "lib", "modules"))
        order = []
        for m in modules:
            src = os.path.join(modules_dir, m + ".ko.xz")
            name = os.path.basename(m) + ".ko"
            if not os.path.exists(src):
                say("  (no module %s)" % m)
                continue
            with lzma.open(src) as f, open(os.path.join(top, "lib", "modules", name), "wb") as g:
                g.write(f.read())
            order.append(name)
        with open(os.path.join(top, "lib", "modules", "order"), "w") as f:
            f.write("\n".join(order) + "\n")


def build():
    global modules_dir
    subprocess.run([os.path.join(ROOT, "tools", "fetch-linux.sh")], check=True)
    kernel, modules_dir, busybox = paths()
    tree = os.path.join(CACHE, "initramfs")
    fill_root(tree, busybox, INIT, MODULES)
    open(os.path.join(tree, "initramfs"), "w").close()  # tells /init it may switch_root
    initrd = os.path.join(CACHE, "initrd")
    subprocess.run([os.path.join(ROOT, "tools", "make-initramfs.py"), "--tree", initrd, tree], check=True)
    disk_tree = os.path.join(CACHE, "disk")
    fill_root(disk_tree, busybox, INIT)
    with open(os.path.join(disk_tree, "hello.txt"), "w") as f:
        f.write(HELLO)
    return kernel, initrd, disk_tree


def make_disk(disk_tree, path):
    if os.path.exists(path):
        os.unlink(path)
    subprocess.run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "trapeze", "-E", "root_owner=0:0",
                    "-d", disk_tree, path, "32M"], check=True)


def trapeze_args(engine, kernel, initrd, disk, append="console=ttyS0 panic=-1", timeout=900):
    return [TRAPEZE, "system", "--engine", engine, "--memory", "512M", "--bios", FIRMWARE, "--kernel", kernel,
            "--initrd", initrd, "--append", append, "--drive", disk, "--rng", "--no-reboot",
            "--timeout", str(timeout), "--stats"]


class Checks:
    def __init__(self):
        self.failures = []

    def check(self, what, ok, detail=""):
        say("  %s: %s%s" % ("ok" if ok else "FAILED", what, "" if ok or not detail else "\n    " + detail.replace("\n", "\n    ")))
        if not ok:
            self.failures.append(what)


def boot_and_drive(engine, kernel, initrd, disk_tree, checks):
    """One full interactive session under `engine`; returns (seconds to prompt, to poweroff)."""
    disk = os.path.join(CACHE, "disk-%s.img" % engine)
    make_disk(disk_tree, disk)
    log = os.path.join(CACHE, "console-%s.log" % engine)
    say("%s: booting (console in %s)" % (engine, log))
    con = Console(trapeze_args(engine, kernel, initrd, disk), log=log)
    tag = "[%s] " % engine
    try:
        con.expect(PROMPT, timeout=600)
        prompt_time = con.elapsed()
        text = con.text
        checks.check(tag + "OpenSBI, then Linux, then our /init", "OpenSBI v" in text and "Linux version" in text
                     and "init: trapeze busybox init, pid 1" in text)
        checks.check(tag + "shell prompt after %.1f s" % prompt_time, True)

        out, st = con.run("uname -a")
        checks.check(tag + "uname -a: " + out.strip(), st == 0 and re.search(r"Linux \S+ 6\.\d+\S* .*riscv64", out), out)

        out, st = con.run("cat /proc/cpuinfo")
        checks.check(tag + "/proc/cpuinfo: hart 0, rv64 with the extensions, an MMU",
                     st == 0 and "processor\t: 0" in out and re.search(r"isa\t+: rv64imafdc", out)
                     and re.search(r"mmu\t+: sv(39|48|57)", out), out)

        t0 = time.monotonic()
        out, st = con.run(LOOP)
        loop_time = time.monotonic() - t0
        checks.check(tag + "a busybox shell loop, 20000 iterations, in %.2f s" % loop_time,
                     st == 0 and "loop=%d" % LOOP_SUM in out, out)

        out, st = con.run("mount -t ext4 /dev/vda /mnt && cat /mnt/hello.txt && mount | grep vda")
        checks.check(tag + "mount of the virtio disk and a file read from it",
                     st == 0 and HELLO.strip() in out and "/dev/vda on /mnt type ext4" in out, out)

        out, st = con.run("echo written by the guest under %s > /mnt/guest.txt && umount /mnt && echo unmounted" % engine)
        checks.check(tag + "a file written to the disk, unmounted", st == 0 and "unmounted" in out, out)

        host_before = int(time.time())
        out, st = con.run("date +%s")
        host_after = int(time.time())
        m = re.search(r"^(\d{9,})$", out, re.M)
        guest = int(m.group(1)) if m else 0
        checks.check(tag + "date inside the guest = the host's (%d vs %d)" % (guest, host_after),
                     st == 0 and host_before - 2 <= guest <= host_after + 2, out)

        out, st = con.run("cat /sys/class/misc/hw_random/rng_current; head -c 32 /dev/hwrng | od -An -tx1 | tr -d ' \\n'; echo")
        m = re.search(r"^([0-9a-f]{64})$", out, re.M)
        checks.check(tag + "virtio-rng is the kernel's hwrng and gives bytes",
                     st == 0 and re.search(r"^virtio_rng\.\d+$", out, re.M) is not None and m is not None
                     and len(set(m.group(1))) > 4, out)

        con.send("poweroff -f\n")
        status = con.wait(300)
        poweroff_time = con.elapsed()
        checks.check(tag + "poweroff -f ends Trapeze with status 0 after %.1f s" % poweroff_time, status == 0, "status %d" % status)
        stats = [l for l in con.text.splitlines() if l.startswith("trapeze:") or "instructions" in l][-12:]
        if stats:
            say("    " + "\n    ".join(stats))
    except ConsoleTimeout as e:
        checks.check(tag + "console session", False, str(e))
        con.close()
        return None, None
    finally:
        con.close()

    # The host sees what the guest wrote (debugfs reads the image without mounting it).
    out = subprocess.run(["debugfs", "-R", "cat /guest.txt", disk], capture_output=True, text=True).stdout
    checks.check(tag + "the disk file holds the guest's write", out.strip() == "written by the guest under %s" % engine, out)
    return prompt_time, poweroff_time


def root_on_disk(engine, kernel, initrd, disk_tree, checks):
    disk = os.path.join(CACHE, "disk-root.img")
    make_disk(disk_tree, disk)
    con = Console(trapeze_args(engine, kernel, initrd, disk, append="console=ttyS0 panic=-1 root=/dev/vda"),
                  log=os.path.join(CACHE, "console-root.log"))
    tag = "[%s, root=/dev/vda] " % engine
    try:
        con.expect(PROMPT, timeout=600)
        checks.check(tag + "switch_root into the ext4 disk", "init: root /dev/vda mounted" in con.text)
        out, st = con.run("cat /hello.txt; mount | grep ' / '")
        checks.check(tag + "/ is the disk", st == 0 and HELLO.strip() in out and "/dev/vda on / type ext4" in out, out)
        con.send("poweroff -f\n")
        checks.check(tag + "poweroff", con.wait(300) == 0)
    except ConsoleTimeout as e:
        checks.check(tag + "console session", False, str(e))
    finally:
        con.close()


def one_shot(engine, kernel, initrd, disk_tree, checks):
    """The whole input piped at once, before the guest has a reader: nothing may be lost."""
    disk = os.path.join(CACHE, "disk-pipe.img")
    make_disk(disk_tree, disk)
    args = trapeze_args(engine, kernel, initrd, disk)
    t0 = time.monotonic()
    r = subprocess.run(args, input=b"uname -a; poweroff -f\n", capture_output=True, timeout=900)
    out = r.stdout.decode("utf-8", "replace")
    with open(os.path.join(CACHE, "console-pipe.log"), "w") as f:
        f.write(out)
    tag = "[%s, piped] " % engine
    checks.check(tag + "echo 'uname -a; poweroff -f' | trapeze system ...: uname ran, status 0 (%.1f s)" % (time.monotonic() - t0),
                 r.returncode == 0 and re.search(r"Linux \S+ 6\.\d+\S* .*riscv64", out) is not None,
                 "status %d\n%s" % (r.returncode, out[-1500:]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engines", default="jit,interp")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--skip-extra", action="store_true", help="only the interactive sessions")
    opts = ap.parse_args()
    for tool, package in [("mke2fs", "e2fsprogs"), ("debugfs", "e2fsprogs")]:
        if not shutil.which(tool) and not os.path.exists("/sbin/" + tool):
            sys.exit("test-linux: %s not found (apt-get install %s)" % (tool, package))
    if not os.path.exists(FIRMWARE):
        sys.exit("test-linux: %s missing (apt-get install opensbi)" % FIRMWARE)
    kernel, initrd, disk_tree = build()
    if opts.build_only:
        disk = os.path.join(CACHE, "disk.img")
        make_disk(disk_tree, disk)
        print(" ".join(trapeze_args("jit", kernel, initrd, disk)))
        return
    if not os.access(TRAPEZE, os.X_OK):
        sys.exit("test-linux: %s not built (swift build -c release)" % TRAPEZE)
    checks = Checks()
    times = {}
    for engine in opts.engines.split(","):
        times[engine] = boot_and_drive(engine, kernel, initrd, disk_tree, checks)
    if not opts.skip_extra:
        root_on_disk("jit", kernel, initrd, disk_tree, checks)
        one_shot("jit", kernel, initrd, disk_tree, checks)
    for engine, (prompt, off) in times.items():
        if prompt is not None:
            say("%s: shell prompt after %.1f s, powered off after %.1f s" % (engine, prompt, off))
    if checks.failures:
        say("%d check(s) failed" % len(checks.failures))
        sys.exit(1)
    say("ok")


modules_dir = None
if __name__ == "__main__":
    main()
