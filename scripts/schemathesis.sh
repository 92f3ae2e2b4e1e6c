#!/usr/bin/env bash
# schemathesis, an outside fuzzer, against GET /api/openapi.json of the real server process: phases
# examples, coverage and fuzzing, every check, with an admin token. Fails on any 5xx and on any answer
# that contradicts the document (status, media type, headers, body schema). Not part of `npm test` or CI:
# it runs for minutes and installs schemathesis from PyPI once.
#
#   SCHEMATHESIS_MONGODB_URI=mongodb://127.0.0.1:27017 bash scripts/schemathesis.sh [more `st run` options]
#
# It builds dist/, starts `node dist/server.js` in development mode (simulated Stripe gateway, which
# delivers its signed webhooks to the server itself) on a free port, in a database of its own on that
# MongoDB (dropped afterwards), with an admin from ADMIN_EMAIL/ADMIN_PASSWORD and the rate limits raised to
# 1,000,000: a fuzzer is one client sending thousands of requests, and with the defaults (20 logins,
# 300 API requests) nearly every answer would be a 429. It starts the server in an empty directory, so a
# developer's .env (a real STRIPE_SECRET_KEY) is never read. METRICS_TOKEN is set, so GET /metrics exists;
# schemathesis.toml gives each operation the credential its security scheme names (bearerAuth: the
# admin's JWT, metricsToken: METRICS_TOKEN), read from the two variables exported below.
#   SCHEMATHESIS_VENV         where the pinned schemathesis is installed (default .tools/schemathesis)
#   SCHEMATHESIS_MAX_EXAMPLES test cases per operation and phase (default 100)
# Per-operation exceptions to schemathesis' checks, each with its reason, are in schemathesis.toml.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
SCHEMATHESIS_VERSION=4.32.5
base_uri=${SCHEMATHESIS_MONGODB_URI:?set SCHEMATHESIS_MONGODB_URI to a MongoDB server, e.g. mongodb://127.0.0.1:27017 (a database of its own is used and dropped)}
venv=${SCHEMATHESIS_VENV:-$root/.tools/schemathesis}

if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "== installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi

echo "== build"
npm run build --silent

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
database_uri=$(node -e 'const u=new URL(process.argv[1]);u.pathname="/schemathesis_"+Date.now();console.log(u.toString())' "$base_uri")
admin_email=schemathesis-admin@example.com
admin_password=$(node -e "console.log(require('crypto').randomBytes(12).toString('hex'))")
metrics_token=$(node -e "console.log(require('crypto').randomBytes(16).toString('hex'))")
workdir=$(mktemp -d)
log=$workdir/server.log

(
  cd "$workdir"
  exec env NODE_ENV=development PORT="$port" MONGOOSE_CONNECTION_STRING="$database_uri" \
    JWT_SECRET="$(node -e "console.log(require('crypto').randomBytes(32).toString('hex'))")" \
    ADMIN_EMAIL="$admin_email" ADMIN_PASSWORD="$admin_password" METRICS_TOKEN="$metrics_token" \
    LOGIN_ACCOUNT_RATE_LIMIT_MAX=1000000 LOGIN_ADDRESS_RATE_LIMIT_MAX=1000000 REGISTRATION_RATE_LIMIT_MAX=1000000 API_RATE_LIMIT_MAX=1000000 \
    PASSWORD_FORGOT_ACCOUNT_RATE_LIMIT_MAX=1000000 PASSWORD_FORGOT_ADDRESS_RATE_LIMIT_MAX=1000000 VERIFICATION_MAIL_RATE_LIMIT_MAX=1000000 REQUEST_LOG=off LOG_LEVEL=warn \
    node "$root/dist/server.js"
) >"$log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  node -e "require('mongoose').connect(process.argv[1]).then((m) => m.connection.dropDatabase()).catch(() => {}).finally(() => process.exit(0))" "$database_uri"
  rm -rf "$workdir"
}
trap cleanup EXIT

base_url=http://127.0.0.1:$port
for _ in $(seq 1 100); do
  curl -sf "$base_url/ready" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { cat "$log" >&2; echo "the server did not start" >&2; exit 1; }
  sleep 0.2
done
token=$(curl -sf -X POST "$base_url/api/login" -H 'Content-Type: application/json' \
  -d "{\"email\":\"$admin_email\",\"password\":\"$admin_password\"}" | node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).token')
# Read by schemathesis.toml ([auth.openapi.*]): the bare credentials, schemathesis adds "Bearer ".
export SCHEMATHESIS_ADMIN_TOKEN=${token#Bearer } SCHEMATHESIS_METRICS_TOKEN=$metrics_token
echo "== schemathesis against $base_url/api/openapi.json as $admin_email"

status=0
"$venv/bin/st" --config-file "$root/schemathesis.toml" --no-color run "$base_url/api/openapi.json" \
  --phases examples,coverage,fuzzing --checks all \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-100}" "$@" || status=$?
if grep -Eq '"level":("error"|50)|^ERROR|unhandled error' "$log"; then
  echo "== the server logged errors:" >&2
  grep -n 'error' "$log" | head -50 >&2
  status=1
fi
exit "$status"
