#!/usr/bin/env bash
# Extracts the kernel BTF (the .BTF section of vmlinux, what /sys/kernel/btf/vmlinux serves when that
# kernel runs) of Debian's 6.1 and 6.12 cloud kernels, offline: the compressed vmlinux inside the
# bzImage is found by its magic (the method of the kernel's scripts/extract-vmlinux), decompressed,
# and objcopy dumps its .BTF section. The kernel packages are the ones verify-on-older-kernels.sh
# boots (same cache). Prints "<release> <path>" per kernel, then "<release>/nf_conntrack <path>" for the split BTF
# of one module (.BTF of nf_conntrack.ko, on top of that vmlinux), for module CO-RE tests.
# Usage: extract-kernel-btf.sh [OUTDIR] (default: $EBPF_KERNEL_CACHE/btf). Files already extracted are reused.
set -euo pipefail
cache=${EBPF_KERNEL_CACHE:-/var/cache/ebpf-test-kernels}
out=${1:-$cache/btf}
mkdir -p "$cache" "$out"

# Candidate payload starts: magic bytes per compressor (as scripts/extract-vmlinux tries them).
try_decompress() { # vmlinuz magic(hex, no spaces) command... -> writes $tmp/vmlinux when the payload is an ELF
  local image=$1 magic=$2; shift 2
  local offsets
  offsets=$(LC_ALL=C grep -obUaP "$(sed 's/../\\x&/g' <<<"$magic")" "$image" | cut -d: -f1 || true)
  for pos in $offsets; do
    tail -c +"$((pos + 1))" "$image" | "$@" > "$tmp/vmlinux" 2>/dev/null || true
    if [ "$(head -c 4 "$tmp/vmlinux" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then return 0; fi
  done
  return 1
}

for series in '6\.1\.0-[0-9]+' '6\.12\.[0-9]+\+deb12'; do
  package=$(apt-cache search --names-only "^linux-image-${series}-cloud-amd64-unsigned\$" | awk '{print $1}' | sort -V | tail -1)
  [ -n "$package" ] || { echo "no Debian cloud kernel package matches $series (apt-get update?)" >&2; exit 1; }
  if ! ls "$cache/$package"/boot/vmlinuz-* >/dev/null 2>&1; then
    (cd "$cache" && apt-get download -qq "$package" 2>/dev/null && dpkg-deb -x "$package"_*.deb "$package" && rm -f "$package"_*.deb)
  fi
  image=$(ls "$cache/$package"/boot/vmlinuz-* | head -1)
  release=${image##*/vmlinuz-}
  target=$out/vmlinux-$release.btf
  if [ ! -s "$target" ]; then
    tmp=$(mktemp -d)
    try_decompress "$image" 28b52ffd zstd -dcq ||
      try_decompress "$image" 02214c18 lz4 -dc ||
      try_decompress "$image" fd377a585a00 xz -dcq ||
      try_decompress "$image" 1f8b08 gzip -dcq ||
      { echo "$image: no compressed vmlinux found (zstd, lz4, xz, gzip)" >&2; rm -rf "$tmp"; exit 1; }
    objcopy --dump-section .BTF="$tmp/btf" "$tmp/vmlinux" "$tmp/scratch" 2>/dev/null || true
    [ -s "$tmp/btf" ] || { echo "$image: vmlinux has no .BTF section (built without CONFIG_DEBUG_INFO_BTF)" >&2; rm -rf "$tmp"; exit 1; }
    mv "$tmp/btf" "$target"
    rm -rf "$tmp"
  fi
  echo "$release $target"

  module=$(find "$cache/$package/lib/modules" -name 'nf_conntrack.ko*' | head -1)
  module_target=$out/nf_conntrack-$release.btf
  if [ -n "$module" ] && [ ! -s "$module_target" ]; then
    tmp=$(mktemp -d)
    case $module in
      *.xz) xz -dc "$module" > "$tmp/m.ko" ;;
      *.zst) zstd -dcq "$module" > "$tmp/m.ko" ;;
      *) cp "$module" "$tmp/m.ko" ;;
    esac
    objcopy --dump-section .BTF="$tmp/btf" "$tmp/m.ko" "$tmp/scratch" 2>/dev/null || true
    [ -s "$tmp/btf" ] && mv "$tmp/btf" "$module_target"
    rm -rf "$tmp"
  fi
  [ -s "$module_target" ] && echo "$release/nf_conntrack $module_target"
done
