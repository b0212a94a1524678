#!/usr/bin/env bash
# Runs the OpenCounter sample: the C# probe is compiled to eBPF during the build, loaded
# through the kernel verifier, attached to syscalls/sys_enter_openat, and the top 10 processes
# by openat() calls are printed every second until Ctrl-C. Extra arguments go to the sample
# (e.g. --pid 1234 to count one process only).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/prepare-machine.sh
# The sample builds against the packed Ebpf.Sdk, as a user project does (packs only when sources changed).
bash scripts/pack.sh --if-changed
exec dotnet run --project samples/OpenCounter -c Release -- "$@"
