#!/usr/bin/env bash
# Browser checks (manual; not part of CI, which has no browser): a real Chromium opens the
# dashboard, sees an actor restart arrive live over EventSource, and — with a proxy dropping
# the connection mid-stream — gets the events published while it was away, without a gap; and
# the dashboard's form runs an analysis of a sample topic and shows its reports.
# Needs: chromium (apt-get install chromium), node and npm; builds the debug binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
cargo build --quiet
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$work" && PORT=$port BETTAFISH_OPERATOR_TOKEN=browser-check exec "$OLDPWD/target/debug/bettafish" >"$work/log" 2>&1) &
server=$!
until curl -sf "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.05; done
cd "$here"
[ -d node_modules/playwright-core ] || npm install --no-save --silent playwright-core@1
node dashboard_live.mjs "http://127.0.0.1:$port" browser-check
node resume.mjs "$port" browser-check
until curl -sf "http://127.0.0.1:$port/api/db/search?q=marathon&limit=1" | grep -q '"platform"'; do sleep 0.1; done
node analysis.mjs "http://127.0.0.1:$port" browser-check
