#!/usr/bin/env python3
"""Checks that every symbol a Mach-O library leaves undefined is exported by
one of the given text stubs (.tbd files: Apple's text-based dylib format,
as zig and cargo-zigbuild ship them for libSystem, libiconv, libcharset).
With no macOS here, the stubs are the system libraries' export lists.

    macho_undefined.py LLVM_NM LIBRARY ARCH STUB.tbd...

Prints how many symbols were checked; exits 1 naming any that no stub
provides."""

import re
import subprocess
import sys

# A stub's export lists: `symbols: [ _a, _b ]`, `weak-symbols`, ... across
# every document in the file (libSystem's re-exported libraries included).
LIST = re.compile(r"(?:symbols|weak-symbols|thread-local-symbols):\s*\[(.*?)\]", re.S)
NAME = re.compile(r"'?([A-Za-z0-9_$.]+)'?")


def exported(stub_paths):
    names = set()
    for path in stub_paths:
        with open(path, encoding="utf-8") as stub:
            for block in LIST.findall(stub.read()):
                names.update(NAME.findall(block))
    return names


def main():
    nm, library, arch, *stubs = sys.argv[1:]
    undefined = subprocess.run(
        [nm, f"--arch={arch}", "-u", "-j", library], check=True, capture_output=True, text=True
    ).stdout.split()
    provided = exported(stubs)
    missing = sorted(name for name in undefined if name not in provided)
    print(f"{arch}: {len(undefined)} undefined symbols, {len(undefined) - len(missing)} found in the system stubs")
    if missing:
        print(f"{arch}: not provided by any stub: {' '.join(missing)}", file=sys.stderr)
        sys.exit(1)


main()
