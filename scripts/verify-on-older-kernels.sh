#!/usr/bin/env bash
# Loads eBPF objects with bpftool (libbpf) into the verifiers of the kernels users run
# (Debian's 6.1 and 6.12 cloud kernels), booted under qemu with a busybox initramfs.
# This machine's 6.18 verifier is more lenient; an object that passes here may still be
# rejected there. Prints, per kernel, "KERNEL <release>" then "LOADED <object>: <programs>"
# or "REJECTED <object>" with the end of the verifier log. Exit 0 when every object loads on
# every kernel. Usage: verify-on-older-kernels.sh OBJECT.bpf.o...
# With --feature-probe first, each guest also runs tools/gen-helpers/probe/helper-probe.c (which
# helpers each program type may call, which need a GPL license) and prints its output between
# "PROBE-BEGIN" and "PROBE-END"; tools/gen-helpers/probe-kernels.sh saves it as data.
# With --run PROGRAM (a static binary), each guest runs "PROGRAM OBJECT" for each object instead of
# bpftool, from a shell of its own (so its parent is not init), and prints "RUN <object>", the
# program's output, then "RAN <object> <exit code>"; objects are then run, not only loaded.
set -euo pipefail
probe=0
run=
while [ $# -gt 0 ]; do
  case "$1" in
    --feature-probe) probe=1; shift ;;
    --run) run=$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || [ $probe = 1 ] || { echo "usage: $0 [--feature-probe] [--run PROGRAM] OBJECT.bpf.o..." >&2; exit 2; }

cache=${EBPF_KERNEL_CACHE:-/var/cache/ebpf-test-kernels}
mkdir -p "$cache"
kernels=()
for series in '6\.1\.0-[0-9]+' '6\.12\.[0-9]+\+deb12'; do
  package=$(apt-cache search --names-only "^linux-image-${series}-cloud-amd64-unsigned\$" | awk '{print $1}' | sort -V | tail -1)
  [ -n "$package" ] || { echo "no Debian cloud kernel package matches $series (apt-get update?)" >&2; exit 1; }
  if ! ls "$cache/$package"/boot/vmlinuz-* >/dev/null 2>&1; then
    (cd "$cache" && apt-get download -qq "$package" 2>/dev/null && dpkg-deb -x "$package"_*.deb "$package" && rm -f "$package"_*.deb)
  fi
  kernels+=("$(ls "$cache/$package"/boot/vmlinuz-* | head -1)")
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,lib/x86_64-linux-gnu,lib64,proc,sys,dev,tmp,objs}
cp /bin/busybox "$root/bin/"
for tool in sh mount cat ls tail tr basename poweroff grep; do ln -s busybox "$root/bin/$tool"; done
cp "$(command -v bpftool || echo /usr/sbin/bpftool)" "$root/bin/bpftool"
for lib in $(ldd "$root/bin/bpftool" | awk '/=>/ {print $3}'); do cp -L "$lib" "$root/lib/x86_64-linux-gnu/"; done
cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
[ $# -eq 0 ] || cp "$@" "$root/objs/"
[ -z "$run" ] || cp "$run" "$root/bin/run-object"
if [ $probe = 1 ]; then
  gcc -O2 -static -o "$root/bin/helper-probe" "$(dirname "$0")/../tools/gen-helpers/probe/helper-probe.c"
fi
cat > "$root/init" <<'INIT'
#!/bin/sh
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing
echo "KERNEL $(cat /proc/sys/kernel/osrelease)"
if [ -e /bin/helper-probe ]; then echo "PROBE-BEGIN"; helper-probe; echo "PROBE-END"; fi
for o in /objs/*; do
  [ -e "$o" ] || continue
  n=$(basename "$o" .bpf.o)
  if [ -e /bin/run-object ]; then
    echo "RUN $n"; sh -c "/bin/run-object $o; echo \"RAN $n \$?\""
    continue
  fi
  if bpftool prog loadall "$o" "/sys/fs/bpf/$n" > /tmp/log 2>&1; then
    echo "LOADED $n: $(ls /sys/fs/bpf/$n | tr '\n' ' ')"
  else
    echo "REJECTED $n"; tail -25 /tmp/log
  fi
done
echo "DONE"
poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip) > "$work/initrd.gz"

status=0
for kernel in "${kernels[@]}"; do
  out=$(timeout 240 qemu-system-x86_64 -m 1024 -nographic -no-reboot -kernel "$kernel" -initrd "$work/initrd.gz" \
        -append "console=ttyS0 quiet panic=-1" 2>&1 | tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g' |
        sed -n '/^.*KERNEL /,/^DONE/p' | sed 's/^.*KERNEL /KERNEL /' | grep -v '^\[ *[0-9.]*\]')
  echo "$out"
  if ! grep -q '^DONE' <<<"$out" || grep -q '^REJECTED' <<<"$out" || grep -q '^RAN .* [1-9][0-9]*$' <<<"$out"; then status=1; fi
done
exit $status
