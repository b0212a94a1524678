#!/usr/bin/env bash
# Packs everything users install into a local folder feed (default artifacts/feed):
#   Ebpf, Ebpf.Asm, Ebpf.Btf, Ebpf.Object, Ebpf.Runtime   libraries (the kernel API and the runtime)
#   Ebpf.Sdk                                               the MSBuild SDK (compiler, task, analyzers)
#   Ebpf.Cli                                               the `ebpf` dotnet tool (Ebpf.Cli.linux-x64: one native executable,
#                                                          Native AOT; its compile is most of the pack time)
#   Ebpf.Templates                                         `dotnet new ebpf`
# Every pack gets a unique prerelease version (NuGet never re-reads a version it has cached), written to
# FEED/version.txt and FEED/Ebpf.Packages.props (EbpfSdkVersion), which the samples import.
# usage: scripts/pack.sh [--feed DIR] [--if-changed]   (--if-changed: skip when no source is newer than the last pack)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
feed="$root/artifacts/feed"
if_changed=false
while [ $# -gt 0 ]; do
  case "$1" in
    --feed) feed=$(realpath -m "$2"); shift 2 ;;
    --if-changed) if_changed=true; shift ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "pack.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

if $if_changed && [ -f "$feed/version.txt" ] && \
   [ -z "$(find src msbuild analyzers docs tools/docs-html Directory.Build.props Directory.Packages.props -newer "$feed/version.txt" \
           -not -path '*/bin/*' -not -path '*/obj/*' -type f -print -quit)" ]; then
  echo "pack.sh: $feed is up to date ($(cat "$feed/version.txt"))"
  exit 0
fi

# SemVer forbids leading zeros in numeric prerelease parts (restore fails on 0.1.0-dev.20261203.043109): the time of
# day gets a leading 1.
version="${EBPF_PACK_VERSION:-0.1.0-dev.$(date -u +%Y%m%d).1$(date -u +%H%M%S).$$}"
mkdir -p "$feed"
echo "pack.sh: packing $version into $feed"
# -m:1: the SDK publishes its own copy of the compiler (Ebpf.Cli, linux-x64) while the tool package builds Ebpf.Cli for the
# same RID; run in parallel, the two builds share obj/ and race on Ebpf.Cli.dll (CI failed so). Serial is no slower here.
dotnet pack msbuild/Ebpf.Packages.sln -c Release -tl:off -nologo -v q -m:1 \
  -p:Version="$version" -p:PackageOutputPath="$feed/" -p:EbpfNativeTool=true
# A Native AOT tool: the pack above writes the tool's top-level package (Ebpf.Cli, naming its RID packages); each RID
# package is packed by itself, on its own platform (Native AOT does not cross-compile).
dotnet pack src/Ebpf.Cli -c Release -r linux-x64 -tl:off -nologo -v q \
  -p:Version="$version" -p:PackageOutputPath="$feed/" -p:EbpfNativeTool=true
cat > "$feed/Ebpf.Packages.props" <<PROPS
<Project>
  <!-- Written by scripts/pack.sh: the version of the packages in this feed. -->
  <PropertyGroup>
    <EbpfSdkVersion>$version</EbpfSdkVersion>
    <EbpfFeed>$feed</EbpfFeed>
  </PropertyGroup>
</Project>
PROPS
echo "$version" > "$feed/version.txt"
ls "$feed"/*"$version"*.nupkg | sed 's|.*/|pack.sh: |'
