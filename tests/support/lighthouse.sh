#!/usr/bin/env bash
# Lighthouse (performance, accessibility, best practices) on the start page, a question page
# and the summary, fully offline on the system Chromium. Run by `make lighthouse`.
#
# - Installs lighthouse once into test-output/lighthouse/node_modules (git-ignored).
# - Serves the app with gunicorn on a free loopback port, on a fresh migrated temp SQLite.
# - Question and summary pages exist only inside a session: tests/support/lighthouse_session.py
#   walks the journey over HTTP with CSRF tokens and hands the session cookie to Lighthouse
#   through --extra-headers.
# - Prints each page's scores and every audit that did not pass. Set LH_MIN_SCORE (0-100) to
#   exit 1 when any score is below it. Reports: test-output/lighthouse/<page>.report.{html,json}
set -euo pipefail
cd "$(dirname "$0")/../.."

LH_VERSION="${LH_VERSION:-12.8.2}"
OUT="test-output/lighthouse"
PY=".venv/bin/python"
CHROME_PATH="${CHROME_PATH:-$(command -v chromium || echo /usr/bin/chromium)}"
export CHROME_PATH
CHROME_FLAGS="--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage \
--disable-background-networking --disable-component-update --disable-sync --no-first-run \
--disable-quic"

[ -x "$CHROME_PATH" ] || { echo "Chromium not found (set CHROME_PATH)" >&2; exit 1; }
mkdir -p "$OUT"
if [ ! -x "$OUT/node_modules/.bin/lighthouse" ]; then
  echo "Installing lighthouse@$LH_VERSION into $OUT/node_modules (once)..."
  (cd "$OUT" && { [ -f package.json ] || npm init -y >/dev/null; } \
    && npm install --no-audit --no-fund --loglevel=error "lighthouse@$LH_VERSION" >/dev/null)
fi

tmp="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite:///$tmp/lighthouse.sqlite3"
export RATELIMIT_STORAGE_URI="memory://"
"$PY" -m flask --app decision_aid db upgrade >/dev/null
.venv/bin/gunicorn --workers 2 --worker-class sync --bind "127.0.0.1:$port" \
  --log-level warning "decision_aid:create_app()" &
server_pid=$!
for _ in $(seq 1 60); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.25
done
curl -fsS "$base/healthz" >/dev/null || { echo "the app did not start on $base" >&2; exit 1; }

sessions="$tmp/sessions.json"
"$PY" tests/support/lighthouse_session.py "$base" >"$sessions"

field() { node -e 'const s=require(process.argv[1]);console.log(s[process.argv[2]][process.argv[3]])' "$sessions" "$1" "$2"; }

audit() {  # name path [cookie]
  local name="$1" path="$2" cookie="${3:-}"
  local args=(--quiet --chrome-flags="$CHROME_FLAGS"
    --only-categories=performance,accessibility,best-practices
    --output=json --output=html --output-path="$OUT/$name")
  if [ -n "$cookie" ]; then
    args+=(--extra-headers="$(node -e 'console.log(JSON.stringify({Cookie: process.argv[1]}))' "$cookie")")
  fi
  echo "Auditing $name ($path)..."
  # On a busy machine Chrome's trace sometimes misses the navigation (NO_NAVSTART): retry once.
  "$OUT/node_modules/.bin/lighthouse" "$base$path" "${args[@]}" \
    || { echo "Retrying $name once..."; "$OUT/node_modules/.bin/lighthouse" "$base$path" "${args[@]}"; }
}

audit start /
audit question "$(field question path)" "$(field question cookie)"
audit summary "$(field summary path)" "$(field summary cookie)"

node - "$OUT" "${LH_MIN_SCORE:-0}" start question summary <<'NODE'
const [dir, min, ...names] = process.argv.slice(2);
let low = false;
for (const name of names) {
  const r = require(`${process.cwd()}/${dir}/${name}.report.json`);
  const scores = Object.values(r.categories).map((c) => `${c.title} ${Math.round(c.score * 100)}`);
  console.log(`\n${name} (${r.finalDisplayedUrl}): ${scores.join(' | ')}`);
  for (const c of Object.values(r.categories)) {
    if (Math.round(c.score * 100) < Number(min)) low = true;
    for (const ref of c.auditRefs) {
      const a = r.audits[ref.id];
      if (a.score === null || a.score >= 1) continue;
      if (['notApplicable', 'manual', 'informative'].includes(a.scoreDisplayMode)) continue;
      // Weight 0: a diagnostic that does not move the score (e.g. DOM size, compression).
      const kind = ref.weight > 0 || a.scoreDisplayMode === 'binary' ? 'failed' : 'diagnostic';
      const shown = a.displayValue ? ` (${a.displayValue})` : '';
      console.log(`  - ${kind} [${c.id}] ${a.id}: ${a.title}${shown}, score ${a.score}`);
    }
  }
}
console.log(`\nReports: ${dir}/<page>.report.html`);
process.exit(low ? 1 : 0);
NODE
