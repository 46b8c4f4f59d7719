# SPDX-License-Identifier: GPL-2.0
#
# sysring: the one entry point. Build outputs go under build/.
#
#   make deps         install the Debian packages the project needs
#   make kernel       patched x86_64 bzImage -> build/kernel-x86/arch/x86/boot/bzImage
#   make kernel-debug same with KASAN/UBSAN/lockdep/kmemleak -> build/kernel-x86-debug
#   make kunit        sysring KUnit suites under UML (kunit-x86: under QEMU)
#   make linux-tree   just extract + patch build/linux and copy the new files in
#   make linux-patch  git format-patch series -> build/patches/
#   make checkpatch   scripts/checkpatch.pl --strict on the kernel side
#   make vm-shell     boot the kernel and run VM_CMD (default: uname -a) in it
#   make bench-fio    fio: sysring vs io_uring vs psync -> build/results/fio.md
#   make profile-fio  perf of fio on null_blk, per engine -> build/results/fio-profile/
#   make bench-httpd  wrk: sysring-httpd vs nginx, epoll, io_uring -> build/results/httpd.md
#   make clean        remove build/ (keeps build/linux-source-6.12 if present)
#
# `check` and `run` are defined further down (by their owners).

SHELL := /bin/bash
BUILD := build
BZIMAGE := $(BUILD)/kernel-x86/arch/x86/boot/bzImage

DEB_PACKAGES := linux-source-6.12 bc bison flex libelf-dev libssl-dev \
	qemu-system-x86 ccache liburing-dev python3 cpio kmod rsync iproute2 \
	gcc make pkg-config man-db groff-base gnuplot-nox \
	clang libclang-rt-14-dev llvm \
	fio dpkg-dev curl wrk nginx

.PHONY: all deps kernel kernel-debug kunit kunit-x86 linux-tree linux-patch \
	checkpatch vm-shell clean

all: kernel

# Quick when everything is installed: dpkg-query first, apt only if needed.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed$$' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "deps: all installed"; else \
		echo "deps: installing" $$missing; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@# fio's source, for the fio engine: once (adds a bookworm deb-src if none).
	@bench/fio/get-fio-source.sh $(BUILD) >/dev/null
	@# liburing's source, for its examples and tests run on liburing-compat.
	@tools/deb-source.sh liburing-dev $(BUILD)/liburing-src >/dev/null

# linux/build.sh decides what to rebuild; make just calls it.
kernel:
	linux/build.sh bzimage

kernel-debug:
	linux/build.sh bzimage-debug

kunit:
	linux/build.sh kunit

kunit-x86:
	linux/build.sh kunit-x86

linux-tree:
	linux/build.sh tree

linux-patch:
	linux/build.sh patchset

checkpatch:
	linux/build.sh checkpatch

VM_CMD ?= uname -a
vm-shell: kernel
	tools/vm-run -- /bin/sh -c '$(VM_CMD)'

clean:
	rm -rf $(filter-out $(BUILD)/linux-source-6.12,$(wildcard $(BUILD)/* $(BUILD)/.[!.]*))

# ---------------------------------------------------------------------------
# Userspace, the main job and the tests.

.PHONY: libsysring asm tests examples bench fuzz fuzz-abi stress run check \
	fio-src fio bench-fio profile-fio liburing-compat liburing-compat-check \
	bench-liburing-compat bench-httpd profile-httpd

libsysring:
	$(MAKE) -C libsysring

asm: libsysring
	$(MAKE) -C libsysring/asm

tests: libsysring
	$(MAKE) -C tests

examples: libsysring
	$(MAKE) -C examples

bench: libsysring
	$(MAKE) -C bench

# liburing's API over sysring -> build/liburing-compat/, and liburing's own
# examples and tests built unmodified against it.
liburing-compat: deps libsysring
	$(MAKE) -C liburing-compat
	liburing-compat/tests/build.sh

# Only those tests, in the VM, with io_uring disabled.
liburing-compat-check: liburing-compat kernel
	tools/vm-run --timeout 3000 -- liburing-compat/tests/check.sh

# io_uring-cp and poll-bench on liburing + io_uring vs liburing-compat +
# sysring, one boot.
bench-liburing-compat: liburing-compat kernel
	tools/vm-run --timeout 1800 -- liburing-compat/tests/bench.sh

# The source of the installed fio (apt-get source, once, adding a deb-src
# entry for bookworm if there is none) -> build/fio-src/, configured: deps
# fetches it.
fio-src: deps

# The fio engine -> build/fio/sysring-fio.so (ioengine=external:...).
fio: fio-src libsysring
	$(MAKE) -C bench/fio

# sysring vs io_uring vs psync under fio, on tmpfs and null_blk, in one
# boot: build/results/fio.md and fio.csv.  FIO_RUNTIME per run (3 s).
bench-fio: deps kernel fio
	@echo "== booting the sysring kernel: fio on tmpfs and /dev/nullb0 (TCG: about 15 minutes)"
	tools/vm-run --timeout 3000 -- env FIO_RUNTIME=$${FIO_RUNTIME:-3} \
		bench/fio/run-bench.sh
	@mkdir -p $(BUILD)/results
	@share=$$(ls -td $(BUILD)/vm/run.*/share/files | head -n 1); \
		rm -rf $(BUILD)/results/fio-json && \
		cp -r "$$share/json" $(BUILD)/results/fio-json && \
		cp "$$share/env.txt" $(BUILD)/results/fio-env.txt && \
		bench/fio/report.py $(BUILD)/results/fio-json \
			$(BUILD)/results/fio-env.txt $(BUILD)/results/fio

# Where the time goes in fio's 4 KiB random reads on null_blk (perf,
# system-wide, in the VM): build/results/fio-profile/profile-SECTION.txt.
profile-fio: deps kernel fio
	@command -v perf >/dev/null || { apt-get update && apt-get install -y linux-perf; }
	tools/vm-run --timeout 1200 -- bench/fio/profile.sh
	@share=$$(ls -td $(BUILD)/vm/run.*/share/files | head -n 1); \
		rm -rf $(BUILD)/results/fio-profile && mkdir -p $(BUILD)/results && \
		cp -r "$$share" $(BUILD)/results/fio-profile

# sysring-httpd against nginx and the epoll and io_uring servers of
# bench/httpd under wrk, in one boot: build/results/httpd.md and httpd.csv.
# HTTPD_BENCH_SECONDS per run (10), HTTPD_BENCH_ROUNDS (5).  With
# SYSRING_VM_ICOUNT=0 (tools/vm-run) the guest's clock counts instructions:
# figures that do not move with the host's load (one round is enough).
bench-httpd: deps kernel examples bench
	@echo "== booting the sysring kernel: wrk against five servers, five rounds (TCG: about 30 minutes)"
	tools/vm-run --timeout 2700 -- env \
		HTTPD_BENCH_SECONDS=$${HTTPD_BENCH_SECONDS:-10} \
		HTTPD_BENCH_ROUNDS=$${HTTPD_BENCH_ROUNDS:-5} bench/httpd/run-bench.sh
	@mkdir -p $(BUILD)/results
	@share=$$(ls -td $(BUILD)/vm/run.*/share/files | head -n 1); \
		[ -z "$$SYSRING_VM_ICOUNT" ] || echo "clock: QEMU -icount" \
			"shift=$$SYSRING_VM_ICOUNT, instructions" >>"$$share/env.txt"; \
		cp "$$share/httpd.csv" "$$share/httpd-mem.csv" $(BUILD)/results/ && \
		cp "$$share/env.txt" $(BUILD)/results/httpd-env.txt && \
		bench/httpd/report.sh "$$share" $(BUILD)/results/httpd.md

# Where each server's time goes per request, 1 KiB keep-alive (perf in the
# VM): build/results/httpd-profile/profile-SERVER.txt.  The guest's clock
# counts instructions unless SYSRING_VM_ICOUNT is set otherwise (to "" for
# the wall clock).
profile-httpd: deps kernel examples bench
	@command -v perf >/dev/null || { apt-get update && apt-get install -y linux-perf; }
	SYSRING_VM_ICOUNT=$${SYSRING_VM_ICOUNT-0} tools/vm-run --timeout 1800 -- \
		env HTTPD_PROFILE_SECONDS=$${HTTPD_PROFILE_SECONDS:-5} bench/httpd/profile.sh
	@share=$$(ls -td $(BUILD)/vm/run.*/share/files | head -n 1); \
		rm -rf $(BUILD)/results/httpd-profile && mkdir -p $(BUILD)/results && \
		cp -r "$$share" $(BUILD)/results/httpd-profile

# The VM core under libFuzzer; FUZZ_SECONDS per target (default 60).
fuzz: deps
	$(MAKE) -C fuzz run

# The real system calls under sysring-abi-fuzz, in the VM booted from the
# debug kernel (KASAN, UBSAN, lockdep, kmemleak); FUZZ_ABI_SECONDS (900).
fuzz-abi: deps kernel-debug
	$(MAKE) -C fuzz/abi
	FUZZ_ABI_SECONDS=$${FUZZ_ABI_SECONDS:-900} fuzz/abi/run.sh \
		$(BUILD)/kernel-x86-debug/arch/x86/boot/bzImage

# tests/stress for STRESS_SECONDS (600) on the debug kernel, under kmemleak.
stress: deps kernel-debug libsysring
	tools/stress $(BUILD)/kernel-x86-debug/arch/x86/boot/bzImage

# Boot the patched kernel, show blocks at work, compare with io_uring.
run: deps kernel examples bench
	@echo "== booting the sysring kernel under QEMU (TCG: slow, but one VM for all figures)"
	tools/vm-run --timeout 900 -- env SYSRING_BACKEND=kernel tools/demo
	@mkdir -p $(BUILD)/results
	@share=$$(ls -td $(BUILD)/vm/run.*/share/files | head -n 1); \
		cp "$$share/bench.csv" "$$share/env.txt" $(BUILD)/results/ && \
		bench/report.sh $(BUILD)/results/bench.csv $(BUILD)/results/env.txt

# Every test; the last line is "N passed, N failed".
check: deps
	tools/check
