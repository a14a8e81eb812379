#!/usr/bin/env bash
# Takes a fresh Debian 12 machine (root; Debian and a NuGet mirror reachable) to a built tree.
# Idempotent: when everything is in place it returns in well under a second.
#
#   scripts/setup.sh            install what is missing, then build the tree (Release)
#   scripts/setup.sh --no-build install what is missing only (the ./broker launcher and scripts/test use this)
#   scripts/setup.sh --quiet    say nothing when nothing had to be done
#
# What it installs, and why (docs/operations.md has the long form):
#   NuGet (restored by the build): every library the broker runs on, native ones included: Confluent.Kafka with
#        librdkafka.redist (the broker loads the redist's librdkafka by full path), Microsoft.ML.OnnxRuntime (the
#        CNN), Microsoft.ML.FastTree (the real/bogus trees), OpenTelemetry (metrics).
#   apt: python3-avro (the tests' independent Avro decoder for expected values), python3-kafka (a pure-Python
#        Kafka client the tests use to check the embedded cluster from another process), python3-confluent-kafka
#        (the client of the subscribers' Python example, docs/examples/subscribe.py, run by a test), redis-server (the
#        cluster's production membership and grain storage; the tests start their own on 127.0.0.1),
#        docker-compose (only to validate docker-compose.yml: no container engine runs here) and chromium (the
#        dashboard's browser tests drive it headless through Playwright; never `playwright install`) and
#        prometheus (a test scrapes a live silo with it and checks the alert rules; apt's own service is stopped:
#        the tests start theirs on 127.0.0.1) and afl++ (afl-fuzz drives the parsers' coverage-guided fuzzing,
#        scripts/fuzz, with SharpFuzz's instrumentation). The broker itself needs nothing from apt beyond the .NET SDK.
#   dotnet tools (.config/dotnet-tools.json): SharpFuzz.CommandLine, which instruments the parsers for scripts/fuzz.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="$ROOT/.deps"
APT_PACKAGES=(python3-avro python3-kafka python3-confluent-kafka redis-server docker-compose chromium prometheus afl++)
STAMP="$DEPS/setup.stamp"

build=1
quiet=0
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --quiet) quiet=1 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { [ "$quiet" = 1 ] || echo "setup: $*"; }
fail() { echo "setup: ERROR: $*" >&2; exit 1; }

# The stamp records this script's own content hash: editing the script re-runs every step once.
self_hash="$(sha256sum "$0" | cut -d' ' -f1)"
deps_ready() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$self_hash" ] || return 1
  local p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || return 1
  done
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else fail "need root to run: $*"
  fi
}

install_apt() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ "${#missing[@]}" = 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Debian starts prometheus as a system service listening on every address; the tests run their own on loopback.
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus 2>/dev/null; then
    as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
}

check_dotnet() {
  command -v dotnet >/dev/null || fail ".NET SDK 10 is required (dotnet not on PATH). Install the .NET 10 SDK, then re-run."
  local major
  major="$(dotnet --version 2>/dev/null | cut -d. -f1)"
  [ "${major:-0}" -ge 10 ] || fail ".NET SDK 10 or newer is required (found $(dotnet --version 2>/dev/null))."
}

if ! deps_ready; then
  check_dotnet
  install_apt
  say "restoring dotnet tools (.config/dotnet-tools.json)"
  (cd "$ROOT" && dotnet tool restore >/dev/null) || fail "dotnet tool restore failed"
  mkdir -p "$DEPS"
  echo "$self_hash" > "$STAMP"
  say "dependencies ready"
fi

if [ "$build" = 1 ]; then
  check_dotnet
  say "building Broker.sln (Release)"
  dotnet build "$ROOT/Broker.sln" -c Release -nologo -v q -clp:"ErrorsOnly;NoSummary"
  say "built: ./broker --help"
fi
