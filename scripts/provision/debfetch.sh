#!/usr/bin/env bash
# Fetch Debian packages (optionally with their whole dependency closure) into a
# project-local folder and unpack them there, without touching the system:
# apt runs with a private configuration (its own Dir::* state, cache, lists and
# sources), the mirror is read from the system's apt sources and never written
# into the repo.
#
#   scripts/provision/debfetch.sh SUITE DEST [--arch ARCH] [--closure] PACKAGE...
#
# --arch fetches another architecture's packages (arm64 for a cross sysroot).
# DEST/root holds the unpacked tree; DEST/.done-<packages> marks success so a
# second run is instant. Runs on one DEST take turns (flock on DEST/.lock):
# tests run in parallel, and two apt runs in one private state folder delete
# each other's downloads.
set -euo pipefail

suite=$1; mkdir -p "$2"; dest=$(cd "$2" && pwd); shift 2
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64); arch_tag=
if [[ ${1:-} == --arch ]]; then arch=$2; arch_tag="$2 "; shift 2; fi
closure=0
if [[ ${1:-} == --closure ]]; then closure=1; shift; fi
packages=("$@")
stamp="$dest/.done-$(echo "$suite $arch_tag${packages[*]}" | tr ' /' '__')"
exec 9>"$dest/.lock"
flock 9
[[ -f $stamp ]] && exit 0

mirror_from_system() {
  local uri
  uri=$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
        | grep -E 'debian/?( |$)' | grep -v security | head -n1 \
        | sed -E 's/^URIs:[[:space:]]*//; s/^deb[[:space:]]+(\[[^]]*\][[:space:]]+)?//' | awk '{print $1}')
  echo "${uri:-http://deb.debian.org/debian}"
}
mirror=${DEBIAN_MIRROR:-$(mirror_from_system)}

apt_dir="$dest/apt"
mkdir -p "$apt_dir"/{lists/partial,archives/partial,etc/preferences.d,etc/apt.conf.d,etc/sources.list.d} "$dest/root"
: > "$apt_dir/status"
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
echo "deb [signed-by=$keyring] $mirror $suite main" > "$apt_dir/etc/sources.list"

apt_opts=(
  -o "Dir::Etc=$apt_dir/etc"
  -o "Dir::Etc::sourcelist=sources.list"
  -o "Dir::Etc::sourceparts=sources.list.d"
  -o "Dir::Etc::preferencesparts=preferences.d"
  -o "Dir::Etc::parts=apt.conf.d"
  -o "Dir::State=$apt_dir"
  -o "Dir::State::lists=lists"
  -o "Dir::State::status=$apt_dir/status"
  -o "Dir::Cache=$apt_dir"
  -o "Dir::Cache::archives=archives"
  -o "Debug::NoLocking=1"
  -o "APT::Install-Recommends=0"
  -o "APT::Sandbox::User=$(id -un)"
  -o "Acquire::Languages=none"
  -o "APT::Architecture=$arch"
  -o "APT::Architectures::=$arch"
)

echo "debfetch: $suite from $mirror: ${packages[*]}" >&2
apt-get "${apt_opts[@]}" -qq update >&2
if (( closure )); then
  apt-get "${apt_opts[@]}" -qq -y --download-only install "${packages[@]}" >&2
else
  (cd "$apt_dir/archives" && apt-get "${apt_opts[@]}" -qq download "${packages[@]}" >&2)
fi
for deb in "$apt_dir"/archives/*.deb; do
  dpkg-deb -x "$deb" "$dest/root"
done
rm -f "$apt_dir"/archives/*.deb
touch "$stamp"
