#!/usr/bin/env bash
# Builds OpenTofu from the Go module proxy and installs it as $(go env GOPATH)/bin/tofu-<version>
# (plus a `tofu` link). Idempotent: does nothing when that exact version is already installed.
#
# `go install github.com/opentofu/opentofu/cmd/tofu@vX` refuses the module because its go.mod has
# replace directives, so we download the module zip, copy the read-only module-cache directory to a
# writable build directory and `go build` there (go.sum in the module pins every dependency).
set -euo pipefail

TOFU_VERSION="${TOFU_VERSION:-$(cat "$(dirname "$0")/VERSION")}"
GOBIN_DIR="$(go env GOPATH)/bin"
TARGET="$GOBIN_DIR/tofu-$TOFU_VERSION"

if [ -x "$TARGET" ]; then
  echo "tofu $TOFU_VERSION already built: $TARGET"
  exit 0
fi

mkdir -p "$GOBIN_DIR"
SRC="$(go mod download -json "github.com/opentofu/opentofu@$TOFU_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
[ -d "$SRC" ] || { echo "build-tofu: module download failed for $TOFU_VERSION" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
cp -r "$SRC" "$WORK/opentofu"
chmod -R u+w "$WORK/opentofu"
cd "$WORK/opentofu"
# -trimpath for a reproducible binary; the version string comes from version/VERSION in the module.
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$TARGET.tmp" ./cmd/tofu
mv "$TARGET.tmp" "$TARGET"
ln -sf "tofu-$TOFU_VERSION" "$GOBIN_DIR/tofu"
TF_CLI_CONFIG_FILE=/dev/null "$TARGET" version
