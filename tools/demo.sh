#!/bin/sh
# The demo: build the agent and show what it does against the local AWS world.
# For now (the reconcile loop is not built yet) it builds the programs and validates the example
# configurations with --check-config, which never contacts AWS. That is all it does so far.
set -eu
cd "$(dirname "$0")/.."
tools/setup-deps.sh
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build >/dev/null
echo "demo: this step only validates the example configurations (the reconcile loop is not built yet)"
for f in config/examples/*.conf; do
        printf '%s: ' "$f"
        build/agent/aurora-backup-agent --check-config --config "$f"
done
