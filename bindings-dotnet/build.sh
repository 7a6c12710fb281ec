#!/usr/bin/env bash
# Builds Qencode.Cdn.dll with Mono's mcs from the sources of Qencode.Cdn.rsp
# (the same list as Qencode.Cdn.csproj) into OUT, with libqencode_cdn.so from
# $CARGO_TARGET_DIR/PROFILE copied next to it, as the .NET SDK places a
# package's runtimes/<rid>/native file beside the app. With `pack`, also
# builds OUT/Qencode.Cdn.<version>.nupkg with Debian's nuget (NuGet 2.8).
# Usage: bindings-dotnet/build.sh OUT [debug|release] [pack]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$1 profile=${2:-debug} pack=${3:-}
target=${CARGO_TARGET_DIR:-$here/../target}
mkdir -p "$out"
out=$(cd "$out" && pwd)
(cd "$here" && mcs @Qencode.Cdn.rsp -doc:"$out/Qencode.Cdn.xml" -out:"$out/Qencode.Cdn.dll")
cp "$target/$profile/libqencode_cdn.so" "$out/libqencode_cdn.so"
if [ "$pack" = pack ]; then
  stage=$out/pack
  rm -rf "$stage" && mkdir -p "$stage"
  cp "$here/Qencode.Cdn.nuspec" "$here/README.md" "$out/Qencode.Cdn.dll" "$out/Qencode.Cdn.xml" "$out/libqencode_cdn.so" "$stage/"
  rm -f "$out"/Qencode.Cdn.*.nupkg
  (cd "$stage" && nuget pack Qencode.Cdn.nuspec -OutputDirectory "$out" -NoPackageAnalysis -NonInteractive -Verbosity quiet)
  rm -rf "$stage"
fi
