#!/bin/sh
# The main job (README): until the lifecycle lands this shows the binary.
set -eu
cd "$(dirname "$0")/.."
NEXCAGE=${NEXCAGE:-$PWD/build/nexcage}
"$NEXCAGE" --version
"$NEXCAGE" help
