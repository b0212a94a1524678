#!/usr/bin/env bash
# Ebpf.Runtime's ring-buffer reader, perf-buffer reader and map operations vs libbpf's, on one producer object,
# alternating sides over ROUNDS rounds (default 5); writes results.md. Needs root, clang, gcc and libbpf-dev
# (scripts/prepare-machine.sh).
set -euo pipefail
cd "$(dirname "$0")"
rounds=${1:-5}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c producer.bpf.c -o "$out/producer.bpf.o"
gcc -O2 -o "$out/libbpf_bench" libbpf_bench.c -lbpf -lpthread
dotnet build RuntimeBench.csproj -c Release -tl:off -nologo -v q >/dev/null
dotnet bin/Release/net10.0/RuntimeBench.dll "$out/producer.bpf.o" "$out/libbpf_bench" results.md "$rounds"
cat results.md
