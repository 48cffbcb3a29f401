# Trapeze — build, demo and test. Both `make demo` and `make test` install what they need first.

SWIFT      ?= swift
CONFIG     ?= release
BIN        := .build/$(CONFIG)/trapeze
DEPS       := libffi-dev libcapstone-dev libfdt-dev
TEST_DEPS  := $(DEPS) libc6-riscv64-cross qemu-user binutils-riscv64-linux-gnu binutils-x86-64-linux-gnu device-tree-compiler qemu-system-misc gdb-multiarch opensbi strace

.PHONY: all deps test-deps build demo test clean fixtures test-boot test-linux test-userland

all: build

deps:
	@tools/install-deps.sh $(DEPS)

test-deps:
	@tools/install-deps.sh $(TEST_DEPS)

build: deps
	$(SWIFT) build -c $(CONFIG)

demo: build
	$(BIN) run Fixtures/bin/hello
	$(BIN) run Fixtures/bin/sha256
	$(BIN) system Fixtures/system/bin/kernel

# A short fixed-time libFuzzer run of the ELF loader and the decoder first (a crash fails the
# build), then every test suite. `swift test` builds the trapeze binary the tests run itself (with
# testing enabled, so a separate `swift build` first would compile everything twice).
# libc6-riscv64-cross is the sysroot the dynamically linked fixtures load.
test: test-deps
	tools/fuzz-run.sh elf -max_total_time=15
	tools/fuzz-run.sh decode -max_total_time=15
	$(SWIFT) test -c $(CONFIG)

# Opt-in, not part of `make test` (needs root, binfmt_misc and the network, a few minutes):
# bootstraps Debian riscv64 with mmdebstrap, Trapeze registered as the only riscv64 handler, then
# runs bash, dpkg, perl and apt-get in the chroot. HANDLER=qemu times qemu-user-static instead.
test-userland: build
	@tools/install-deps.sh mmdebstrap arch-test qemu-user-static
	tools/test-userland.sh

# Rebuilds the committed guest binaries (needs gcc/g++-riscv64-linux-gnu; not part of `make test`).
fixtures:
	@tools/install-deps.sh gcc-riscv64-linux-gnu g++-riscv64-linux-gnu binutils-riscv64-linux-gnu qemu-user
	tools/build-fixtures.sh

# Boots Debian's riscv64 kernel through Debian's OpenSBI with the project's own /init (opt-in, not
# part of `make test`: it downloads the kernel package into .cache/boot). See tools/test-boot.sh.
test-boot: build
	@tools/install-deps.sh opensbi gcc-riscv64-linux-gnu qemu-system-misc bc
	tools/test-boot.sh --qemu

# Boots Debian's riscv64 kernel to Debian's busybox shell with our own /init, an ext4 disk and
# virtio-rng, under both engines, and drives the console (opt-in, not part of `make test`: it
# downloads the kernel and busybox-static into .cache/linux). See tools/test-linux.py.
test-linux: build
	@tools/install-deps.sh opensbi e2fsprogs xz-utils
	tools/test-linux.py

clean:
	rm -rf .build
