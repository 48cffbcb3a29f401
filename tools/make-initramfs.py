#!/usr/bin/env python3
"""Writes an initramfs (a newc cpio archive, uncompressed) for `trapeze system --initrd`.

    tools/make-initramfs.py OUT INIT [MODULE...]
    tools/make-initramfs.py --tree OUT DIR

INIT becomes /init (mode 0755); each MODULE goes to /modules/NN-NAME in the order given (the
init loads them in name order); /dev/console (character device 5,1), /dev, /proc, /sys and
/modules are created. With --tree, the archive holds DIR's contents instead (directories,
regular files with their permission bits, symbolic links; owned by root), plus /dev/console when
DIR has no /dev/console. No cpio program needed; the archive is reproducible (fixed times, owners
and inode numbers, names in sorted order)."""
import os
import sys


def entry(name, mode, data=b"", ino=0, rdev=(0, 0)):
    name_bytes = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0]
    out = b"070701" + b"".join(b"%08x" % f for f in fields) + name_bytes
    out += b"\0" * (-len(out) % 4)
    out += data + b"\0" * (-len(data) % 4)
    return out


def tree(out, top):
    archive = b""
    ino = 1
    names = []
    for here, dirs, files in os.walk(top):
        dirs.sort()
        rel = os.path.relpath(here, top)
        for n in sorted(dirs + files):
            names.append(n if rel == "." else rel + "/" + n)
    names.sort()
    if "dev" not in names:
        archive += entry("dev", 0o040755, ino=ino)
        ino += 1
    for name in names:
        path = os.path.join(top, name)
        st = os.lstat(path)
        perm = st.st_mode & 0o7777
        if os.path.islink(path):
            archive += entry(name, 0o120777, os.readlink(path).encode(), ino=ino)
        elif os.path.isdir(path):
            archive += entry(name, 0o040000 | perm, ino=ino)
        elif os.path.isfile(path):
            with open(path, "rb") as f:
                archive += entry(name, 0o100000 | perm, f.read(), ino=ino)
        else:
            sys.exit("make-initramfs: %s: only directories, files and symbolic links go in" % path)
        ino += 1
    if "dev/console" not in names:
        archive += entry("dev/console", 0o020600, ino=ino, rdev=(5, 1))
    archive += entry("TRAILER!!!", 0)
    archive += b"\0" * (-len(archive) % 512)
    with open(out, "wb") as f:
        f.write(archive)


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--tree":
        return tree(sys.argv[2], sys.argv[3])
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, init, modules = sys.argv[1], sys.argv[2], sys.argv[3:]
    archive = b""
    ino = 1
    for d in ["dev", "proc", "sys", "modules"]:
        archive += entry(d, 0o040755, ino=ino)
        ino += 1
    archive += entry("dev/console", 0o020600, ino=ino, rdev=(5, 1))
    ino += 1
    with open(init, "rb") as f:
        archive += entry("init", 0o100755, f.read(), ino=ino)
    ino += 1
    for i, m in enumerate(modules):
        with open(m, "rb") as f:
            archive += entry("modules/%02d-%s" % (i, os.path.basename(m)), 0o100644, f.read(), ino=ino)
        ino += 1
    archive += entry("TRAILER!!!", 0)
    archive += b"\0" * (-len(archive) % 512)
    with open(out, "wb") as f:
        f.write(archive)


main()
