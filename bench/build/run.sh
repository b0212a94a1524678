#!/usr/bin/env bash
# Build speed, measured side by side in one run with hyperfine (apt: hyperfine, socat):
#   1. one probe (samples/OpenCounter/OpenCounter.Probe.cs) to .bpf.o:
#      before  = the CLI as of BASE (default 7695ea9, before this work), plain JIT
#      cold    = the packed `ebpf` tool (one Native AOT executable of tool, Roslyn and runtime)
#      warm    = the same compile sent to the build server Ebpf.Sdk uses (socat on its socket: no client start-up)
#      clang   = clang -O2 -g -target bpf on the same program in C
#   2. `dotnet build` of a one-probe project (the template) cold, no-op and after touching the probe, beside the same
#      project without the SDK (Microsoft.NET.Sdk with the probe compiled only as C#).
# Writes bench/build/results.md. Needs the feed from scripts/pack.sh (EBPF_PACKED_FEED, default artifacts/feed; packed
# first if missing).
# usage: bench/build/run.sh [BASE_COMMIT]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
base=${1:-7695ea9}
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
command -v hyperfine >/dev/null && command -v socat >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine socat >/dev/null; }
feed=$(realpath -m "${EBPF_PACKED_FEED:-$root/artifacts/feed}")
[ -f "$feed/version.txt" ] || bash scripts/pack.sh --feed "$feed"
version=$(cat "$feed/version.txt")
work=$(mktemp -d /tmp/ebpf-bench-build.XXXXXX)
trap 'rm -rf "$work"' EXIT
export NUGET_PACKAGES="$work/packages" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cat > "$work/nuget.config" <<CFG
<?xml version="1.0" encoding="utf-8"?>
<configuration><packageSources><clear />
  <add key="ebpf-feed" value="$feed" />
  <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
</packageSources></configuration>
CFG

probe=$root/samples/OpenCounter/OpenCounter.Probe.cs
csource=$root/bench/codegen/probes/open_counter.bpf.c

# before: the CLI at BASE, built from a clean export of that commit.
before_dir=/tmp/ebpf-bench-before-$base   # kept between runs: it is the same build every time
if [ ! -f "$before_dir/src/Ebpf.Cli/bin/Release/net10.0/Ebpf.Cli.dll" ]; then
  rm -rf "$before_dir" && mkdir -p "$before_dir"
  git archive "$base" | tar -x -C "$before_dir"
  dotnet build "$before_dir/src/Ebpf.Cli" -c Release -tl:off -nologo -v q >/dev/null
fi
before="$before_dir/src/Ebpf.Cli/bin/Release/net10.0/Ebpf.Cli.dll"

# cold: the tool from the feed.
dotnet tool install Ebpf.Cli --version "$version" --tool-path "$work/tool" --add-source "$feed" >/dev/null
ebpf="$work/tool/ebpf"

# warm: the build server of the tool's compiler; one request line per compile.
"$ebpf" build --server "$probe" -o "$work/out-warm" >/dev/null   # starts the server and warms it
compiler=$(dirname "$(readlink -f "$ebpf")")/Ebpf.Cli.dll
[ -f "$compiler" ] || compiler=$(find "$work/tool" -name Ebpf.Cli.dll | head -1)
socket=$(ls -t "${XDG_RUNTIME_DIR:-/tmp}"/ebpf*/*.sock 2>/dev/null | head -1)
printf '{"kind":"build","build":{"sources":["%s"],"implicitUsings":true,"outputDirectory":"%s"}}\n' "$probe" "$work/out-warm" > "$work/request.json"
socat - "UNIX-CONNECT:$socket" < "$work/request.json" | grep -q '"exitCode":0'

# hyperfine -N runs no shell: the warm request goes through a two-line wrapper (sh + socat, ~2 ms).
printf '#!/bin/sh\nexec socat - "UNIX-CONNECT:%s" < "%s"\n' "$socket" "$work/request.json" > "$work/warm.sh"; chmod +x "$work/warm.sh"
hyperfine -N -w 1 -r 6 --export-markdown "$work/compile.md" --export-json "$work/compile.json" \
  -n "before: dotnet Ebpf.Cli.dll build (JIT)" "dotnet $before build $probe -o $work/out-before" \
  -n "cold: ebpf build (tool, Native AOT)" "$ebpf build $probe -o $work/out-cold" \
  -n "warm: build server request (socat)" "$work/warm.sh" \
  -n "clang -O2 -g -target bpf" "clang -O2 -g -target bpf -I/usr/include/x86_64-linux-gnu -c $csource -o $work/oc.o" >/dev/null
server_ms=$(socat - "UNIX-CONNECT:$socket" < "$work/request.json" | sed -n 's/.*"elapsedMilliseconds":\([0-9.]*\).*/\1/p')

# dotnet build of the template project, with and without the SDK.
dotnet new install "$feed/Ebpf.Templates.$version.nupkg" --debug:custom-hive "$work/hive" >/dev/null
(cd "$work" && dotnet new ebpf -n WithSdk -o WithSdk --debug:custom-hive "$work/hive" >/dev/null)
mkdir -p "$work/NoSdk"
cp "$work/WithSdk/"*.cs "$work/NoSdk/"
cat > "$work/NoSdk/NoSdk.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings>
  <Nullable>enable</Nullable><AllowUnsafeBlocks>true</AllowUnsafeBlocks><RootNamespace>EbpfApp</RootNamespace></PropertyGroup>
  <ItemGroup><PackageReference Include="Ebpf" Version="$version" /><PackageReference Include="Ebpf.Runtime" Version="$version" /></ItemGroup>
</Project>
PROJ
sed -i 's/WithSdk.bpf.o/NoSdk.bpf.o/' "$work/NoSdk/Program.cs"
dotnet build "$work/WithSdk" -tl:off -nologo -v q >/dev/null
dotnet build "$work/NoSdk" -tl:off -nologo -v q >/dev/null
# Three runs each (dotnet build is slow and the bench machine shared); each pair side by side in one hyperfine run.
build_bench() {  # NAME PREPARE-WITH PREPARE-WITHOUT
  local args=(-w 0 -r 2 --export-markdown "$work/dotnet-build-$(echo "$1" | tr -c 'a-z0-9\n' '-').md")
  [ -n "$2" ] && args+=(--prepare "$2" --prepare "$3")
  hyperfine "${args[@]}" \
    -n "with Ebpf.Sdk: $1" "dotnet build $work/WithSdk --no-restore -tl:off -nologo -v q" \
    -n "without: $1" "dotnet build $work/NoSdk --no-restore -tl:off -nologo -v q" >/dev/null
}
build_bench "cold (bin, obj/Debug removed)" "rm -rf $work/WithSdk/bin $work/WithSdk/obj/Debug" "rm -rf $work/NoSdk/bin $work/NoSdk/obj/Debug"
build_bench "no-op" "" ""
build_bench "probe touched" "touch $work/WithSdk/WithSdk.Probe.cs" "touch $work/NoSdk/WithSdk.Probe.cs"
touch "$work/WithSdk/WithSdk.Probe.cs"
step=$(dotnet build "$work/WithSdk" --no-restore -tl:off -nologo -v n | sed -n 's/.*eBPF: \(.*\)/\1/p' | head -1)
"$ebpf" build-server --stop >/dev/null 2>&1 || dotnet "$compiler" build-server --stop >/dev/null 2>&1 || true
for c in $(find "$NUGET_PACKAGES" -name Ebpf.Cli.dll -path '*compiler*'); do dotnet "$c" build-server --stop >/dev/null 2>&1 || true; done

{
  echo "# Build speed"
  echo
  echo "Generated by \`bench/build/run.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end;"
  echo "the bench machine is shared, so compare rows of one table, not tables of different runs). Packages $version."
  echo
  echo "## One probe to .bpf.o (samples/OpenCounter, the same program in C for clang)"
  echo
  cat "$work/compile.md"
  echo
  echo "CPU per run (user + system, steadier than wall time on a shared machine):"
  python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]: print("- %s: %.3f s + %.3f s" % (r["command"], r["user"], r["system"]))' "$work/compile.json"
  echo
  echo "Inside the server, the warm compile itself took ${server_ms} ms (parse, bind, eBPF pipeline, write)."
  echo
  echo "## \`dotnet build\` of a one-probe project (\`dotnet new ebpf\`), with and without Ebpf.Sdk"
  echo
  for f in "$work"/dotnet-build-*.md; do cat "$f"; echo; done
  echo
  echo "eBPF step of the touched build (the task's own report): ${step}"
} > bench/build/results.md
cat bench/build/results.md
