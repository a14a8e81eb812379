#!/usr/bin/env bash
# Takes a fresh Debian 12 machine (root; Debian, a partial NuGet mirror and npm reachable) to a built tree.
# Idempotent: when everything is in place it returns in well under a second.
#
#   scripts/setup.sh            install what is missing, then build the tree (Release)
#   scripts/setup.sh --no-build install what is missing only (the ./broker launcher and scripts/test use this)
#   scripts/setup.sh --quiet    say nothing when nothing had to be done
#
# What it installs, and why (docs/operations.md has the long form):
#   apt: librdkafka1 (Kafka client native library; Confluent.Kafka's own librdkafka.redist is not in the
#        mirror), libxgboost0 (gradient-boosted trees), kcat (Kafka CLI for operators and tests),
#        npm when absent (to fetch the ONNX Runtime tarball).
#   npm: the pinned onnxruntime-node tarball, fetched with `npm pack` (never `npm install`, whose postinstall
#        downloads), from which only libonnxruntime.so.1 is extracted and checked against its sha256.
#   NuGet: nothing special. Confluent.Kafka is fetched with <PackageDownload> (no dependencies) and referenced
#        by path, so restore never asks for librdkafka.redist.
#
# On a machine with the FULL NuGet feed you may instead reference Confluent.Kafka normally (PackageReference;
# it brings librdkafka.redist with a bundled librdkafka) and Microsoft.ML.OnnxRuntime (bundled ORT); the
# Debian librdkafka1 and the npm tarball are then not needed. This tree does not depend on that.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="$ROOT/.deps"
ORT_VERSION="1.30.0"
ORT_MEMBER="package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
ORT_SHA256="ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23"
ORT_LIB="$DEPS/onnxruntime/libonnxruntime.so.1"
APT_PACKAGES=(librdkafka1 libxgboost0 kcat python3-avro)
STAMP="$DEPS/setup.stamp"

build=1
quiet=0
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --quiet) quiet=1 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { [ "$quiet" = 1 ] || echo "setup: $*"; }
fail() { echo "setup: ERROR: $*" >&2; exit 1; }

# The stamp records this script's own content hash: editing the script re-runs every step once.
self_hash="$(sha256sum "$0" | cut -d' ' -f1)"
deps_ready() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$self_hash" ] && [ -f "$ORT_LIB" ] || return 1
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
  command -v npm >/dev/null || missing+=(npm)
  [ "${#missing[@]}" = 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

check_dotnet() {
  command -v dotnet >/dev/null || fail ".NET SDK 10 is required (dotnet not on PATH). Install the .NET 10 SDK, then re-run."
  local major
  major="$(dotnet --version 2>/dev/null | cut -d. -f1)"
  [ "${major:-0}" -ge 10 ] || fail ".NET SDK 10 or newer is required (found $(dotnet --version 2>/dev/null))."
}

install_onnxruntime() {
  if [ -f "$ORT_LIB" ] && [ "$(sha256sum "$ORT_LIB" | cut -d' ' -f1)" = "$ORT_SHA256" ]; then
    return 0
  fi
  say "fetching ONNX Runtime native library (npm pack onnxruntime-node@$ORT_VERSION)"
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  (cd "$tmp" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null 2>&1) \
    || fail "npm pack onnxruntime-node@$ORT_VERSION failed (is the npm registry reachable?)"
  tar -xzf "$tmp/onnxruntime-node-$ORT_VERSION.tgz" -C "$tmp" "$ORT_MEMBER" \
    || fail "onnxruntime-node@$ORT_VERSION has no $ORT_MEMBER"
  local got
  got="$(sha256sum "$tmp/$ORT_MEMBER" | cut -d' ' -f1)"
  [ "$got" = "$ORT_SHA256" ] || fail "libonnxruntime.so.1 sha256 is $got, expected $ORT_SHA256: refusing to use it"
  mkdir -p "$(dirname "$ORT_LIB")"
  mv "$tmp/$ORT_MEMBER" "$ORT_LIB"
}

if ! deps_ready; then
  check_dotnet
  install_apt
  install_onnxruntime
  mkdir -p "$DEPS"
  echo "$self_hash" > "$STAMP"
  say "dependencies ready (.deps/)"
fi

if [ "$build" = 1 ]; then
  check_dotnet
  say "building Broker.sln (Release)"
  dotnet build "$ROOT/Broker.sln" -c Release -nologo -v q -clp:"ErrorsOnly;NoSummary"
  say "built: ./broker --help"
fi
