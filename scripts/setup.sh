#!/usr/bin/env bash
# Installs what evo-engine needs to build and test, from Debian's packages only.
# Runs apt-get when root and something is missing; otherwise says what to install.
# --test adds what only the test command needs (clang-format, clang-tidy).
set -euo pipefail

packages=(
  build-essential cmake pkg-config git python3
  nlohmann-json3-dev libcpp-httplib-dev libgit2-dev libasio-dev libspdlog-dev libfmt-dev
  doctest-dev libsqlite3-dev libcli11-dev libvalijson-dev libssl-dev
  nodejs npm ccache
)
# The test command (scripts/test.sh) also checks formatting and runs clang-tidy.
if [ "${1:-}" = "--test" ]; then
  packages+=(clang-format clang-tidy)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    # node and npm may come from elsewhere than Debian (nvm, nodesource): accept them.
    case "$p" in
      nodejs) command -v node >/dev/null 2>&1 && continue ;;
      npm) command -v npm >/dev/null 2>&1 && continue ;;
      # Debian's clang-format is a name for clang-format-NN: any installed version will do.
      clang-format) command -v clang-format >/dev/null 2>&1 && continue ;;
      clang-tidy) command -v run-clang-tidy >/dev/null 2>&1 && continue ;;
    esac
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
# As root apt-get runs as it is; otherwise through sudo, when there is one.
as_root=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "evo-engine needs these Debian packages: ${missing[*]}" >&2
    echo "as root, run: apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  as_root=(sudo)
fi
echo "installing: ${missing[*]}" >&2
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
