#!/usr/bin/env bash
# The slow platform check: builds GameTracker for Windows x86_64, Linux
# arm64 and macOS on this Linux x86_64 machine and runs, or checks, what can
# run or be checked there.
#
#   scripts/cross_test.sh [windows] [linux-arm64] [macos]   (all when none named)
#
# windows:     the release DLL (exports gdext_rust_init, imports only Windows
#              system DLLs); the core's test executables under Wine.
# linux-arm64: the release library; the core's test executables under
#              qemu-aarch64; the demo in Debian's arm64 Godot under qemu,
#              loading the arm64 library and delivering to a loopback receiver.
# macos:       the universal library, checked structurally (no Mac runs here):
#              both architectures, gdext_rust_init exported, only system
#              libraries of macOS 11 and later linked, its minimum macOS no
#              higher than Godot 4.5's, every undefined symbol provided by
#              those libraries, and the ad-hoc signature valid on both slices.
#
# Toolchains come from scripts/provision/cross_toolchain.sh (rustup's targets when
# installed, else Debian's packages). About 20 minutes from nothing on two
# cores, so it is not part of tests/run.sh; it ends with one
# "N passed, M failed" line over every test it ran.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
platforms=("$@")
(( ${#platforms[@]} )) || platforms=(windows linux-arm64 macos)
source "$root/scripts/provision/cross_toolchain.sh"
log_dir="$root/target/cross-test"
mkdir -p "$log_dir"
passed=0 failed=0

# Runs one libtest executable through the given runner; adds its counts.
run_suite() {
  local platform=$1 exe=$2; shift 2
  local name; name=$(basename "$exe"); name=${name%%-*}
  local log="$log_dir/$platform-$name.log" started=$SECONDS status=0
  GAMETRACKER_TESTS_EMULATED=1 timeout 1200 "$@" "$exe" --test-threads 2 >"$log" 2>&1 || status=$?
  local result; result=$(grep -E '^test result:' "$log" | tail -n1 || true)
  local p f
  p=$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$result"); f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$result")
  if [[ -z $result ]]; then p=0 f=1; fi
  (( status == 0 )) || (( f > 0 )) || f=1
  passed=$((passed + p)) failed=$((failed + f))
  printf '%-12s %-12s %3s passed, %s failed (%d s)\n' "$platform" "$name" "$p" "$f" $((SECONDS - started))
  if (( f > 0 )); then grep -E 'panicked|FAILED|failed|error' "$log" | head -n 20 >&2 || true; fi
}

# The core's integration tests, built for the platform; prints their paths.
core_test_executables() {
  "$CARGO" test -p game_tracker_core --tests --no-run --message-format=json \
      --manifest-path "$root/Cargo.toml" "${CROSS_BUILD_STD[@]}" 2>"$log_dir/$1-build.log" \
    | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("profile", {}).get("test") and m.get("executable"):
        print(m["executable"])'
}

check_windows() {
  bash "$root/scripts/build.sh" --release --target windows
  local dll="$root/addons/game_tracker/bin/game_tracker.dll"
  local objdump="$root/.cache/cross-bin/x86_64-w64-mingw32-objdump"
  local exports imports
  exports=$("$objdump" -p "$dll" | sed -n '/\[Ordinal\/Name Pointer\] Table/,/^$/p')
  imports=$("$objdump" -p "$dll" | sed -nE 's/^\s*DLL Name: (.*)/\1/p' | sort -u | tr '\n' ' ')
  echo "windows: game_tracker.dll imports: $imports"
  local ok=1
  grep -q 'gdext_rust_init' <<<"$exports" || { echo "windows: the DLL does not export gdext_rust_init" >&2; ok=0; }
  local dll_name
  for dll_name in $imports; do
    case ${dll_name,,} in
      kernel32.dll|ntdll.dll|ws2_32.dll|advapi32.dll|bcrypt.dll|bcryptprimitives.dll|crypt32.dll|secur32.dll|userenv.dll|msvcrt.dll|api-ms-win-*) ;;
      *) echo "windows: the DLL needs $dll_name, which Windows does not ship" >&2; ok=0 ;;
    esac
  done
  if (( ok )); then passed=$((passed + 1)); else failed=$((failed + 1)); fi

  cross_env windows
  local wine; wine=$(wine_prefix)
  local exes; exes=$(core_test_executables windows)
  [[ -n $exes ]] || { echo "windows: the core's tests did not build ($log_dir/windows-build.log)" >&2; failed=$((failed + 1)); }
  local exe
  for exe in $exes; do
    run_suite windows "$exe" "$wine"
  done
}

check_linux_arm64() {
  bash "$root/scripts/build.sh" --release --target linux-arm64
  cross_env linux-arm64
  local qemu=("$root/.cache/cross-bin/qemu-aarch64" -L "$CROSS_TOOLS_ROOT/usr/aarch64-linux-gnu")
  local exes; exes=$(core_test_executables linux-arm64)
  [[ -n $exes ]] || { echo "linux-arm64: the core's tests did not build ($log_dir/linux-arm64-build.log)" >&2; failed=$((failed + 1)); }
  local exe
  for exe in $exes; do
    run_suite linux-arm64 "$exe" "${qemu[@]}"
  done

  # Debian's arm64 Godot, whole, under qemu: the demo with the arm64 library.
  local godot="$root/.cache/godot-arm64"
  "$root/scripts/provision/debfetch.sh" unstable "$godot" --arch arm64 --closure godot
  # The loader is at /usr/lib (merged /usr); the /lib link is made by
  # packages a closure does not unpack.
  [[ -e $godot/root/lib ]] || ln -s usr/lib "$godot/root/lib"
  local wrapper="$root/.cache/cross-bin/godot-arm64"
  printf '#!/bin/sh\nexec %s -L %s %s/usr/bin/godot "$@"\n' "${qemu[0]}" "$godot/root" "$godot/root" > "$wrapper"
  chmod +x "$wrapper"
  local started=$SECONDS status=0 log="$log_dir/linux-arm64-godot.log"
  (unset CARGO_BUILD_TARGET CARGO_TARGET_DIR RUSTC CARGO RUSTC_BOOTSTRAP
   GAMETRACKER_GODOT_ARM64="$wrapper" cargo test --manifest-path "$root/Cargo.toml" -p game_tracker_testkit \
     --test arm64 -- --ignored) >"$log" 2>&1 || status=$?
  if (( status == 0 )); then passed=$((passed + 1)); r="1 passed, 0 failed"; else failed=$((failed + 1)); r="0 passed, 1 failed"; tail -n 30 "$log" >&2; fi
  printf '%-12s %-12s %s (%d s)\n' linux-arm64 godot-demo "$r" $((SECONDS - started))
}

# What a macOS library may link: libSystem (std) and libiconv/libcharset
# (the libc crate), all in /usr/lib on every macOS since 10.x.
MACOS_SYSTEM_LIBS="/usr/lib/libSystem.B.dylib /usr/lib/libiconv.2.dylib /usr/lib/libcharset.1.dylib"
# Godot 4.5 runs from macOS 11 on Apple Silicon and 10.13 on Intel; the
# library must not ask for more.
MACOS_HIGHEST_MINIMUM=11.0

# One structural check of the macOS library; counts it and prints its line.
macos_check() {
  local what=$1; shift
  local out status=0
  out=$("$@" 2>&1) || status=$?
  if (( status == 0 )); then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  printf 'macos        %-30s %s\n' "$what" "$( ((status == 0)) && echo ok || echo FAILED)"
  [[ -n $out ]] && sed 's/^/             /' <<<"$out"
  return 0
}

macos_archs() {
  local archs; archs=$("$LIPO" -archs "$1")
  echo "$archs"
  [[ " $archs " == *" x86_64 "* && " $archs " == *" arm64 "* ]]
}

macos_exports_entry() {
  local arch ok=0
  for arch in x86_64 arm64; do
    # Read whole before it is searched: grep -q would stop nm mid-write.
    local symbols; symbols=$("$NM" --arch=$arch -gU -j "$1")
    grep -qx _gdext_rust_init <<<"$symbols" && echo "$arch: _gdext_rust_init" || ok=1
  done
  return $ok
}

macos_links_system_only() {
  local arch lib ok=0
  for arch in x86_64 arm64; do
    # The first line names the library itself (its install name).
    local id; id=$("$OTOOL" -arch $arch -D "$1" | tail -n 1)
    local libs; libs=$("$OTOOL" -arch $arch -L "$1" | tail -n +2 | awk '{print $1}' | grep -vxF "$id")
    echo "$arch: $id links $(tr '\n' ' ' <<<"$libs")"
    [[ $id == @rpath/libgame_tracker.dylib ]] || { echo "$arch: install name $id" >&2; ok=1; }
    for lib in $libs; do
      [[ " $MACOS_SYSTEM_LIBS " == *" $lib "* ]] || { echo "$arch: links $lib, not a macOS system library" >&2; ok=1; }
    done
  done
  return $ok
}

macos_minimum() {
  local arch ok=0
  for arch in x86_64 arm64; do
    local minos; minos=$("$OTOOL" -arch $arch -l "$1" | awk '/LC_BUILD_VERSION/ {b=1} b && $1=="minos" {print $2; exit}')
    echo "$arch: minimum macOS $minos"
    python3 -c 'import sys; a,b=(tuple(map(int,v.split("."))) for v in sys.argv[1:]); sys.exit(a>b)' \
      "${minos:-99}" "$MACOS_HIGHEST_MINIMUM" || ok=1
  done
  return $ok
}

macos_undefined() {
  local stubs=("$ZIG_LIB/libc/darwin/libSystem.tbd" "$ICONV_STUBS/libiconv.tbd" "$ICONV_STUBS/libcharset.tbd")
  local arch ok=0
  for arch in x86_64 arm64; do
    python3 "$root/scripts/checks/macho_undefined.py" "$NM" "$1" $arch "${stubs[@]}" || ok=1
  done
  return $ok
}

# Ad hoc: a code directory per slice, flagged ADHOC, whose hashes match the
# code (rcodesign verify recomputes them), and no certificate: verify's
# "CMS error" on the empty CMS blob every ad-hoc signature has is expected.
macos_signature() {
  local adhoc problems
  adhoc=$("$RCODESIGN" print-signature-info "$1" | grep -c 'flags: CodeSignatureFlags(ADHOC)')
  problems=$("$RCODESIGN" verify "$1" 2>&1 | grep '^@' | grep -v 'CMS error' || true)
  echo "$adhoc slices signed ad hoc; verify: ${problems:-the code matches its hashes}"
  (( adhoc == 2 )) && [[ -z $problems ]]
}

check_macos() {
  bash "$root/scripts/build.sh" --release --target macos
  source "$root/scripts/provision/macos_toolchain.sh"
  macos_env
  local dylib="$root/addons/game_tracker/bin/libgame_tracker.dylib"
  LIPO=$(macos_llvm lipo) OTOOL=$(macos_llvm otool) NM=$(macos_llvm nm) RCODESIGN=$(macos_rcodesign)
  ZIG_LIB="$root/.cache/macos-tools/ziglang/lib"
  ICONV_STUBS="$CARGO_TARGET_DIR/x86_64-apple-darwin/release/deps"
  local arch size
  for arch in x86_64 arm64; do
    "$LIPO" "$dylib" -thin $arch -output "$log_dir/macos-$arch.dylib"
    size=$(stat -c %s "$log_dir/macos-$arch.dylib")
    echo "macos        $arch slice: $size bytes"
  done
  macos_check "both architectures" macos_archs "$dylib"
  macos_check "gdext_rust_init exported" macos_exports_entry "$dylib"
  macos_check "system libraries only" macos_links_system_only "$dylib"
  macos_check "minimum macOS <= $MACOS_HIGHEST_MINIMUM" macos_minimum "$dylib"
  macos_check "undefined symbols provided" macos_undefined "$dylib"
  macos_check "ad-hoc signature" macos_signature "$dylib"
}

# Each platform in a subshell (cross_env exports a toolchain); a build that
# fails counts as one failure.
total_passed=0 total_failed=0
for platform in "${platforms[@]}"; do
  case $platform in
    windows) check=check_windows ;;
    linux-arm64) check=check_linux_arm64 ;;
    macos) check=check_macos ;;
    *) echo "cross_test.sh: unknown platform '$platform' (windows, linux-arm64, macos)" >&2; exit 2 ;;
  esac
  rm -f "$log_dir/$platform.counts"
  ($check && echo "$passed $failed" > "$log_dir/$platform.counts") || true
  if [[ -f $log_dir/$platform.counts ]]; then
    read -r p f < "$log_dir/$platform.counts"
  else
    echo "$platform: the build or a check stopped early (logs in $log_dir)" >&2
    p=0 f=1
  fi
  total_passed=$((total_passed + p)) total_failed=$((total_failed + f))
done
passed=$total_passed failed=$total_failed
echo "$passed passed, $failed failed"
(( failed == 0 ))
