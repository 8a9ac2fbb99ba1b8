#!/usr/bin/env bash
# Sourced by scripts/build.sh and scripts/cross_test.sh: sets up a build for
# another platform on this Linux x86_64 machine.
#
#   source scripts/provision/cross_toolchain.sh
#   cross_env windows|linux-arm64      # exports CARGO, CARGO_BUILD_TARGET, ...
#
# With rustup and the target installed (`rustup target add
# x86_64-pc-windows-gnu`), it uses rustup's toolchain and only adds the
# linker. Without them it provisions, in .cache/ and without touching the
# system (scripts/provision/debfetch.sh):
#   - Debian unstable's rustc and cargo (1.97) with rust-src, started through
#     that root's own dynamic loader, as scripts/provision/godot.sh starts Godot;
#   - Windows: no prebuilt std for windows-gnu is packaged, so std is built
#     from rust-src (-Zbuild-std; RUSTC_BOOTSTRAP=1 unlocks it on a stable
#     compiler);
#   - Linux arm64: unstable's prebuilt arm64 std (libstd-rust-dev:arm64);
#   - bookworm's mingw-w64 and aarch64 cross gcc as linkers and as the C
#     compilers for `ring` (built for the tests' TLS server);
#   - bookworm's qemu-user and Wine 8, which run the cross-built tests
#     (wine_prefix below makes a Wine prefix they can run in).
set -euo pipefail

cross_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$cross_root/scripts/provision/private_root.sh"
cross_cache="$cross_root/.cache"

# name → Rust target triple
cross_triple() {
  case $1 in
    windows) echo x86_64-pc-windows-gnu ;;
    linux-arm64) echo aarch64-unknown-linux-gnu ;;
    *) echo "cross_toolchain: unknown platform '$1' (windows, linux-arm64)" >&2; return 2 ;;
  esac
}

# Bookworm's cross tools run on this system's own libraries; the aarch64
# binutils need their libopcodes/libbfd from the same root.
cross_tools() {
  local root="$cross_cache/cross-bookworm"
  "$cross_root/scripts/provision/debfetch.sh" bookworm "$root" --closure \
    gcc-mingw-w64-x86-64-win32 gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user wine64 libz-mingw-w64
  local r="$root/root" bin="$cross_cache/cross-bin"
  mkdir -p "$bin"
  # Debian's wineserver launcher names /usr/lib/wine; point it beside itself.
  printf '#!/bin/sh -e\nexec "$(dirname "$0")/wineserver64" -p0 "$@"\n' > "$r/usr/lib/wine/wineserver"
  local tool extra
  for tool in x86_64-w64-mingw32-gcc-win32 x86_64-w64-mingw32-ar x86_64-w64-mingw32-dlltool \
              x86_64-w64-mingw32-objdump aarch64-linux-gnu-gcc aarch64-linux-gnu-ar qemu-aarch64; do
    # The arm64 libc.so is a linker script naming /usr/aarch64-linux-gnu/...:
    # a sysroot makes ld look for those paths inside the provisioned root.
    extra=; [[ $tool == aarch64-linux-gnu-gcc ]] && extra="--sysroot=$r"
    printf '#!/bin/sh\nLD_LIBRARY_PATH=%s/usr/lib/x86_64-linux-gnu exec %s/usr/bin/%s %s "$@"\n' "$r" "$r" "$tool" "$extra" \
      > "$bin/$tool"
    chmod +x "$bin/$tool"
  done
  echo "$r"
}

# Debian unstable's compiler, run through its own loader (it needs a newer
# glibc than bookworm's). RUSTC/CARGO point at small wrappers.
debian_rust() {
  local root="$cross_cache/rust-unstable"
  "$cross_root/scripts/provision/debfetch.sh" unstable "$root" --closure rustc cargo rust-src
  local r="$root/root" bin="$cross_cache/debian-rust-bin"
  local loader; loader=$(private_root_loader "$r")
  mkdir -p "$bin"
  local tool
  for tool in rustc cargo; do
    printf '#!/bin/sh\nexec %s --library-path %s/usr/lib/x86_64-linux-gnu:%s/lib/x86_64-linux-gnu:%s/usr/lib %s/usr/bin/%s "$@"\n' \
      "$loader" "$r" "$r" "$r" "$r" "$tool" > "$bin/$tool"
    chmod +x "$bin/$tool"
  done
  echo "$r"
}

rustup_has_target() {
  command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -qx "$1"
}

cross_env() {
  local triple; triple=$(cross_triple "$1")
  local tools; tools=$(cross_tools)
  local bin="$cross_cache/cross-bin"
  export CARGO_BUILD_TARGET=$triple
  export CROSS_TOOLS_ROOT=$tools
  # rustc finds x86_64-w64-mingw32-dlltool (std's import libraries) on PATH.
  export PATH="$bin:$PATH"
  case $triple in
    x86_64-pc-windows-gnu)
      export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER="$bin/x86_64-w64-mingw32-gcc-win32"
      export CC_x86_64_pc_windows_gnu="$bin/x86_64-w64-mingw32-gcc-win32"
      export AR_x86_64_pc_windows_gnu="$bin/x86_64-w64-mingw32-ar" ;;
    aarch64-unknown-linux-gnu)
      export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER="$bin/aarch64-linux-gnu-gcc"
      export CC_aarch64_unknown_linux_gnu="$bin/aarch64-linux-gnu-gcc"
      export AR_aarch64_unknown_linux_gnu="$bin/aarch64-linux-gnu-ar" ;;
  esac
  if rustup_has_target "$triple"; then
    export CARGO=cargo CARGO_TARGET_DIR="$cross_root/target"
    CROSS_BUILD_STD=()
    return
  fi
  local rust; rust=$(debian_rust)
  export CARGO="$cross_cache/debian-rust-bin/cargo" RUSTC="$cross_cache/debian-rust-bin/rustc"
  # Its own target folder: a different compiler would rebuild the host's.
  export CARGO_TARGET_DIR="$cross_root/target/debian-rust"
  case $triple in
    x86_64-pc-windows-gnu)
      export RUSTC_BOOTSTRAP=1
      CROSS_BUILD_STD=(-Zbuild-std=std,panic_abort) ;;
    aarch64-unknown-linux-gnu)
      local arm="$cross_cache/arm64-unstable"
      "$cross_root/scripts/provision/debfetch.sh" unstable "$arm" --arch arm64 libstd-rust-dev
      ln -sfn "$arm/root/usr/lib/rustlib/$triple" "$rust/usr/lib/rustlib/$triple"
      CROSS_BUILD_STD=() ;;
  esac
}

# A Wine prefix that Rust test executables start in: made once, headless,
# with the two DLLs bookworm's Wine 8 lacks (zlib1.dll, which its user32
# needs, and the ProcessPrng stand-in, scripts/cross/bcryptprimitives.c).
# Prints the path of a wine64 launcher that uses it.
wine_prefix() {
  local tools; tools=$(cross_tools)
  local prefix="$cross_cache/wine-prefix" wine="$cross_cache/cross-bin/wine64"
  cat > "$wine" <<LAUNCHER
#!/bin/sh
export WINEPREFIX="$prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY
LD_LIBRARY_PATH="$tools/usr/lib/x86_64-linux-gnu" exec "$tools/usr/lib/wine/wine64" "\$@"
LAUNCHER
  chmod +x "$wine"
  local system32="$prefix/drive_c/windows/system32"
  if [[ ! -f $system32/bcryptprimitives.dll ]]; then
    rm -rf "$prefix"
    # wineboot needs zlib1.dll before system32 exists; WINEDLLPATH lends it.
    WINEDLLPATH="$tools/usr/x86_64-w64-mingw32/lib" "$wine" wineboot --init >/dev/null 2>&1 || true
    WINEPREFIX="$prefix" "$tools/usr/lib/wine/wineserver64" -w || true
    "$tools/usr/bin/x86_64-w64-mingw32-gcc-win32" -shared -O2 -o "$system32/bcryptprimitives.dll" \
      "$cross_root/scripts/cross/bcryptprimitives.c" -ladvapi32
    cp "$tools/usr/x86_64-w64-mingw32/lib/zlib1.dll" "$system32/"
  fi
  echo "$wine"
}
