#!/usr/bin/env bash
# Builds libqencode_cdn with cargo and installs it, its headers, a pkg-config
# file and a CMake package under a prefix:
#   bindings-c/install.sh --prefix /usr/local [--profile release|debug|PROFILE]
#                         [--target TRIPLE] [--zig] [--relocatable]
#
#   PREFIX/lib/libqencode_cdn.so.0        the shared library, SONAME libqencode_cdn.so.0
#   PREFIX/lib/libqencode_cdn.so          -> libqencode_cdn.so.0 (for -lqencode_cdn)
#   PREFIX/lib/libqencode_cdn.a           the static library
#   PREFIX/include/qencode_cdn.h, qencode_cdn.hpp
#   PREFIX/lib/pkgconfig/qencode_cdn.pc
#   PREFIX/lib/cmake/QencodeCdn/QencodeCdnConfig.cmake (+ ConfigVersion):
#     find_package(QencodeCdn CONFIG) -> QencodeCdn::qencode_cdn (shared),
#                                        QencodeCdn::qencode_cdn_static
#
# --target builds for another target (a cargo triple); --zig links with zig
# through cargo-zigbuild (for cross targets, and a glibc floor such as
# x86_64-unknown-linux-gnu.2.17). --relocatable writes the .pc file relative
# to its own folder (${pcfiledir}), so the tree can be unpacked anywhere; the
# CMake package is always relocatable. The SONAME is set here, on the final
# link of this one crate only (`cargo rustc -- -C link-arg=...`): a plain
# `cargo build` leaves target/ as cargo makes it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=/usr/local
profile=release
target=""
zig=0
relocatable=0
usage="usage: $0 [--prefix DIR] [--profile release|debug|PROFILE] [--target TRIPLE] [--zig] [--relocatable]"
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --zig) zig=1; shift ;;
    --relocatable) relocatable=1; shift ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
case "$profile" in
  release) cargo_flags=(--release); dir=release ;;
  debug | dev) cargo_flags=(); dir=debug ;;
  [a-z]*) cargo_flags=(--profile "$profile"); dir=$profile ;; # a custom profile of Cargo.toml
  *) echo "unknown profile $profile" >&2; exit 2 ;;
esac
# The ABI version in the SONAME: raised when the C ABI changes incompatibly.
soname=libqencode_cdn.so.0
cargo_target=${CARGO_TARGET_DIR:-$root/target}
triple=${target%%.*} # x86_64-unknown-linux-gnu.2.17 -> x86_64-unknown-linux-gnu
if [ -n "$target" ]; then
  cargo_flags+=(--target "$target")
  out=$cargo_target/$triple/$dir
else
  out=$cargo_target/$dir
fi
if [ $zig = 1 ]; then cargo=(cargo-zigbuild rustc); else cargo=(cargo rustc); fi
host_os=$(uname -s)
case "${triple:-$host_os}" in
  *-apple-* | Darwin)
    # macOS: the install name plays the SONAME's part.
    soname=libqencode_cdn.0.dylib dylib=libqencode_cdn.dylib
    link_args=(-C "link-arg=-Wl,-install_name,@rpath/$soname") ;;
  *) dylib=libqencode_cdn.so link_args=(-C "link-arg=-Wl,-soname,$soname") ;;
esac
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# --print native-static-libs: the system libraries the static library needs on
# this target (cargo replays the note when the crate is already built).
if ! (cd "$root" && "${cargo[@]}" --locked -q -p qencode-cdn-ffi --lib "${cargo_flags[@]}" -- \
  "${link_args[@]}" --print native-static-libs) 2>"$log"; then
  cat "$log" >&2
  exit 1
fi
native_static_libs=$(sed -n 's/.*note: native-static-libs: //p' "$log" | tail -n 1)
if [ -z "$native_static_libs" ]; then
  cat "$log" >&2
  echo "$0: rustc printed no native-static-libs line" >&2
  exit 1
fi
version=$(awk -F'"' '/^version = /{print $2; exit}' "$root/Cargo.toml")
if [ $relocatable = 1 ]; then pc_prefix='${pcfiledir}/../..'; else pc_prefix=$prefix; fi

mkdir -p "$prefix/lib/pkgconfig" "$prefix/lib/cmake/QencodeCdn" "$prefix/include"
rm -f "$prefix/lib/$dylib" "$prefix/lib/$soname"
install -m 0755 "$out/$dylib" "$prefix/lib/$soname"
ln -s "$soname" "$prefix/lib/$dylib"
install -m 0644 "$out/libqencode_cdn.a" "$prefix/lib/"
install -m 0644 "$root/include/qencode_cdn.h" "$root/include/qencode_cdn.hpp" "$prefix/include/"
sed -e "s|@PREFIX@|$pc_prefix|" -e "s|@VERSION@|$version|" -e "s|@NATIVE_STATIC_LIBS@|$native_static_libs|g" \
  "$root/bindings-c/qencode_cdn.pc.in" >"$prefix/lib/pkgconfig/qencode_cdn.pc"
# CMake wants a list: "-lgcc_s -lc" -> "-lgcc_s;-lc" (macOS "-framework X" -> one "-Wl,-framework,X").
cmake_libs=$(sed -e 's/-framework \([^ ]*\)/-Wl,-framework,\1/g' <<<"$native_static_libs" | tr -s ' ' ';')
sed -e "s|@VERSION@|$version|g" -e "s|@SONAME@|$soname|g" -e "s|@NATIVE_STATIC_LIBS@|$cmake_libs|g" \
  "$root/bindings-c/cmake/QencodeCdnConfig.cmake.in" >"$prefix/lib/cmake/QencodeCdn/QencodeCdnConfig.cmake"
sed -e "s|@VERSION@|$version|g" \
  "$root/bindings-c/cmake/QencodeCdnConfigVersion.cmake.in" >"$prefix/lib/cmake/QencodeCdn/QencodeCdnConfigVersion.cmake"
echo "installed qencode_cdn $version ($profile${target:+, $target}) under $prefix"
