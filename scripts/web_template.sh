#!/usr/bin/env bash
# Builds Godot 4.6.3's Web export templates with dynamic linking (what a
# GDExtension needs), with the Emscripten that builds the library
# (scripts/web_toolchain.sh): a side module and the main module that loads
# it must come from the same Emscripten, and Godot's official templates are
# built with another (4.0.20). Not part of .ci/run: it needs Godot's source
# with its bundled libraries, which the package registries do not carry
# (Debian's source package strips them), and it compiles Godot (about an
# hour per template on two cores).
#
#   scripts/web_template.sh SOURCE [nothreads|threads]...
#
# A template already built is kept (and SOURCE not read for it) while the
# Emscripten fixes it was linked with (scripts/patches/emscripten/) are the
# ones in place; otherwise it is linked again (with the compiled engine in
# SOURCE's tree, a minute; without it, a whole build).
#
# SOURCE: a Godot 4.6.3 source tree with its thirdparty/ folder, or
# GIT_DIR@COMMIT to unpack one from a repository snapshot (files the
# snapshot lacks are skipped: translations and data only editors use).
# Templates land in .cache/godot-web/templates/: web_dlink_nothreads_release.zip
# and web_dlink_release.zip, the names Godot's Web export looks for.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/web_toolchain.sh"
cache="$root/.cache/godot-web"
source_arg=${1:-}
shift || true
variants=("$@")
(( ${#variants[@]} )) || variants=(nothreads threads)
mkdir -p "$cache/templates"
template_name() { [[ $1 == threads ]] && echo web_dlink_release.zip || echo web_dlink_nothreads_release.zip; }
fixes=$(emscripten_patches_id)
is_current() { [[ -f $cache/templates/$1 && $(cat "$cache/templates/$1.emscripten-fixes" 2>/dev/null) == "$fixes" ]]; }
missing=0
for variant in "${variants[@]}"; do
  is_current "$(template_name "$variant")" || missing=1
done
(( missing )) || { ls -la "$cache/templates"; exit 0; }
[[ -n $source_arg ]] || { echo "usage: scripts/web_template.sh SOURCE [nothreads|threads]... (SOURCE: Godot 4.6.3's source, see the top of this script)" >&2; exit 2; }

# The source: a tree as given, or unpacked once from GIT_DIR@COMMIT.
if [[ $source_arg == *@* ]]; then
  src="$cache/source-${source_arg##*@}"
  if [[ ! -f $src/.unpacked ]]; then
    rm -rf "$src"
    python3 "$root/scripts/unpack_snapshot.py" "${source_arg%@*}" "${source_arg##*@}" "$src"
    touch "$src/.unpacked"
  fi
else
  src=$(cd "$source_arg" && pwd)
fi
[[ -d $src/thirdparty/freetype && -f $src/platform/web/detect.py ]] || {
  echo "web_template.sh: $src is not a Godot source tree with its thirdparty/ folder" >&2; exit 2; }
# A renamed fork builds its programs under its own name; the Web export
# looks for godot.js and godot.wasm in a template.
if [[ -f $src/solers_branding.py ]]; then
  sed -i 's/^short_name = .*/short_name = "godot"/; s/^name = .*/name = "Godot Engine"/; s|^website = .*|website = "https://godotengine.org"|' "$src/solers_branding.py"
fi

# SCons from PyPI, in a folder of its own.
if [[ ! -x $cache/venv/bin/scons ]]; then
  python3 -m venv "$cache/venv"
  "$cache/venv/bin/pip" install -q --disable-pip-version-check "scons==4.10.1"
fi

web_env
# Modules that only a fork adds are left out: the template is Godot's own.
extra=()
[[ -d $src/modules/solers_ai ]] && extra+=(module_solers_ai_enabled=no)
for variant in "${variants[@]}"; do
  case $variant in
    nothreads) threads=no; name=web_dlink_nothreads_release.zip; built=godot.web.template_release.wasm32.nothreads.dlink.zip ;;
    threads) threads=yes; name=web_dlink_release.zip; built=godot.web.template_release.wasm32.dlink.zip ;;
    *) echo "web_template.sh: unknown variant $variant (nothreads or threads)" >&2; exit 2 ;;
  esac
  is_current "$name" && { echo "web_template.sh: $name already built" >&2; continue; }
  started=$SECONDS
  # SCons does not know Emscripten's own files: the link must run again
  # when they changed.
  rm -f "$src/bin/${built%.zip}".{js,wasm,engine.js,wrapped.js,zip}
  # production=yes with lto=none: link-time optimisation of the whole
  # engine does not fit the time this script may take on two cores.
  (cd "$src" && "$cache/venv/bin/scons" -j"$(nproc)" platform=web target=template_release dlink_enabled=yes \
    threads=$threads production=yes lto=none "${extra[@]}")
  cp "$src/bin/$built" "$cache/templates/$name"
  echo "$fixes" > "$cache/templates/$name.emscripten-fixes"
  echo "web_template.sh: $name in $((SECONDS - started)) s" >&2
done
ls -la "$cache/templates"
