#!/usr/bin/env bash
# Makes a fresh Debian machine (run as root) ready for the samples and the tests:
# installs the cross-check tools the tests call (clang, llvm, bpftool, iproute2) and mounts
# bpffs and tracefs, which this kernel does not mount at boot. clang and binutils (objcopy) also link and strip the
# Native AOT `ebpf` tool that scripts/pack.sh builds. Idempotent.
set -euo pipefail

need=()
command -v clang >/dev/null 2>&1 || need+=(clang)
command -v llvm-objdump >/dev/null 2>&1 || need+=(llvm)
command -v bpftool >/dev/null 2>&1 || [ -x /usr/sbin/bpftool ] || need+=(bpftool)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
[ -f /usr/include/bpf/bpf_helpers.h ] || need+=(libbpf-dev)
[ -f /usr/include/linux/bpf.h ] || need+=(linux-libc-dev)
# Booting Debian's 6.1 and 6.12 kernels to check objects against older verifiers (scripts/verify-on-older-kernels.sh).
command -v qemu-system-x86_64 >/dev/null 2>&1 || need+=(qemu-system-x86)
[ -x /bin/busybox ] || need+=(busybox-static)
command -v cpio >/dev/null 2>&1 || need+=(cpio)
# CO-RE tests: libbpf's own relocation decisions (a small C program linked with libbpf), and the BTF of the older
# kernels extracted from their images (scripts/extract-kernel-btf.sh).
command -v gcc >/dev/null 2>&1 || need+=(gcc)
command -v objcopy >/dev/null 2>&1 || need+=(binutils)
command -v lz4 >/dev/null 2>&1 || need+=(lz4)
command -v zstd >/dev/null 2>&1 || need+=(zstd)
command -v xz >/dev/null 2>&1 || need+=(xz-utils)
if [ ${#need[@]} -gt 0 ]; then
  echo "prepare-machine: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

if ! mountpoint -q /sys/fs/bpf 2>/dev/null; then
  mount -t bpf bpf /sys/fs/bpf
fi
if [ ! -d /sys/kernel/tracing/events ]; then
  mount -t tracefs nodev /sys/kernel/tracing
fi
command -v dotnet >/dev/null 2>&1 || { echo "prepare-machine: the .NET 10 SDK (dotnet) is required" >&2; exit 1; }
