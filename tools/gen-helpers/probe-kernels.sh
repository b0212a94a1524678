#!/usr/bin/env bash
# Re-probes which helpers each program type may call and which need a GPL license, on this machine's
# kernel and on Debian's 6.1 and 6.12 under qemu (scripts/verify-on-older-kernels.sh --feature-probe),
# and saves each kernel's answer as data/probe-MAJOR.MINOR.txt for the generator (dotnet run --project
# tools/gen-helpers). Needs root (CAP_BPF), gcc and qemu.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
gcc -O2 -static -o "$work/helper-probe" "$here/probe/helper-probe.c"
save() { # the probe's output on stdin -> data/probe-<major.minor>.txt
  local text; text=$(cat)
  local release; release=$(sed -n 's/^kernel \([0-9]*\.[0-9]*\).*/\1/p' <<<"$text" | head -1)
  printf '%s\n' "$text" > "$here/data/probe-$release.txt"
  echo "saved data/probe-$release.txt"
}
"$work/helper-probe" | save
bash "$here/../../scripts/verify-on-older-kernels.sh" --feature-probe > "$work/guests.txt" || true
awk -v dir="$work" '/^PROBE-BEGIN/{n++; f=dir "/guest" n ".txt"; next} /^PROBE-END/{f=""; next} f{print > f}' "$work/guests.txt"
for f in "$work"/guest*.txt; do save < "$f"; done
