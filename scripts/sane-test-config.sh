#!/usr/bin/env bash
# Writes a private SANE configuration with the virtual `test` and `pnm`
# backends (Debian's libsane1 ships both) into DIR, for the tests and the
# station demo: SANE_CONFIG_DIR=DIR gbiz-review scan --list.
# test.conf raises the test backend's geometry to 300 mm: without it the
# backend clamps the scan area to 200 mm and A4 silently becomes 1574×1574 px.
set -euo pipefail
dir=${1:?usage: sane-test-config.sh DIR}
mkdir -p "$dir"
printf 'test\npnm\n' > "$dir/dll.conf"
printf 'number_of_devices 2\ngeometry_max 300\n' > "$dir/test.conf"
echo "$dir"
