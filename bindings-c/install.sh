#!/usr/bin/env bash
# Installs the C library, headers and pkg-config file under a prefix:
#   bindings-c/install.sh --prefix /usr/local [--profile release|debug]
# Builds libqencode_cdn with cargo first (release by default).
#   PREFIX/lib/libqencode_cdn.so, PREFIX/lib/libqencode_cdn.a
#   PREFIX/include/qencode_cdn.h, PREFIX/include/qencode_cdn.hpp
#   PREFIX/lib/pkgconfig/qencode_cdn.pc
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=/usr/local
profile=release
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=$2; shift 2 ;;
    --profile) profile=$2; shift 2 ;;
    *) echo "usage: $0 [--prefix DIR] [--profile release|debug]" >&2; exit 2 ;;
  esac
done
case "$profile" in
  release) cargo_flags=(--release); dir=release ;;
  debug) cargo_flags=(); dir=debug ;;
  *) echo "unknown profile $profile" >&2; exit 2 ;;
esac
target=${CARGO_TARGET_DIR:-$root/target}
(cd "$root" && cargo build --locked -q -p qencode-cdn-ffi "${cargo_flags[@]}")
version=$(awk -F'"' '/^version = /{print $2; exit}' "$root/Cargo.toml")
# What `rustc --print native-static-libs` reports for the staticlib on Linux (glibc).
native_static_libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"
install -m 0755 "$target/$dir/libqencode_cdn.so" "$prefix/lib/"
install -m 0644 "$target/$dir/libqencode_cdn.a" "$prefix/lib/"
install -m 0644 "$root/include/qencode_cdn.h" "$root/include/qencode_cdn.hpp" "$prefix/include/"
sed -e "s|@PREFIX@|$prefix|" -e "s|@VERSION@|$version|" -e "s|@NATIVE_STATIC_LIBS@|$native_static_libs|g" \
  "$root/bindings-c/qencode_cdn.pc.in" > "$prefix/lib/pkgconfig/qencode_cdn.pc"
echo "installed qencode_cdn $version ($profile) under $prefix"
