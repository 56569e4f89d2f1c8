#!/usr/bin/env bash
# ensure-tools.sh CMD:PACKAGE...: installs the Debian packages of the commands that are missing (apt-get, as
# root), for tests and benchmarks that drive real tools (ffmpeg, nginx, aria2c). Exit 0 when every command is
# there afterwards, 3 when they cannot be installed here (not root, no apt-get, no network), with the reason on
# stderr. apt-get's output goes to $OUT/apt.log (OUT defaults to bench-out).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_tools "$@" || exit 3
