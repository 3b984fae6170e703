# Shared helpers for the set-up, deploy and test scripts. Source, do not run.

INOVA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
INOVA_CACHE_DIR=${INOVA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/inova-pbx}
export INOVA_ROOT INOVA_CACHE_DIR

# Prints a progress line for a step that may take more than a few seconds.
progress() {
  printf 'setup: %s\n' "$*" >&2
}

die() {
  printf 'setup: error: %s\n' "$*" >&2
  exit 1
}

# Installs Debian packages that are missing, with one apt-get update per run.
apt_install() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get to install them; install them by hand"
  if [ -z "${INOVA_APT_UPDATED:-}" ]; then
    progress "updating Debian package lists"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    INOVA_APT_UPDATED=1
  fi
  progress "installing Debian packages: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}
