#!/usr/bin/env bash
# Runs the whole test suite against the real kernel (as root) and ends with one line
# "N passed, N failed". Exit code: dotnet test's.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare-machine.sh || exit 1
export EBPF_REQUIRE_KERNEL=1   # kernel tests fail instead of skipping on this kind of machine
# The samples (and Ebpf.Sdk.Tests) build against the packages, as users do: pack them first, fresh, with a unique
# version; Ebpf.Sdk.Tests use this feed instead of packing again.
bash scripts/pack.sh || exit 1
export EBPF_PACKED_FEED="$PWD/artifacts/feed"
log=$(mktemp)
dotnet test Ebpf.Compiler.sln -tl:off -nologo 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
awk '
  /^(Passed|Failed)!/ {
    for (i = 1; i <= NF; i++) {
      if ($i == "Passed:") { gsub(",", "", $(i+1)); p += $(i+1) }
      if ($i == "Failed:") { gsub(",", "", $(i+1)); f += $(i+1) }
      if ($i == "Skipped:") { gsub(",", "", $(i+1)); s += $(i+1) }
    }
  }
  END { printf "%d passed, %d failed, %d skipped\n", p, f, s }
' "$log"
rm -f "$log"
exit "$rc"
