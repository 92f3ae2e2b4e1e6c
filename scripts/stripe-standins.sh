#!/usr/bin/env bash
# Stripe stand-ins for the payment tests: localstripe (stateful: declines, cancels, signed webhooks) and
# stripe-mock (Stripe's OpenAPI validator: proves our request parameters are valid for the real API).
#   bash scripts/stripe-standins.sh install   pinned copies into .tools/ (git-ignored); skipped when present
#   bash scripts/stripe-standins.sh start     both on free loopback ports; prints LOCALSTRIPE_URL=... and STRIPE_MOCK_URL=...
#   bash scripts/stripe-standins.sh stop      stops what `start` started (pids in the run directory)
# STRIPE_STANDINS_RUN_DIR (default .tools/run) holds pids, URLs and logs, so several runs can coexist.
# `start` uses the .tools copies, else `localstripe` / `stripe-mock` found on PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$root/.tools
run_dir=${STRIPE_STANDINS_RUN_DIR:-$tools/run}

LOCALSTRIPE_PINS=(localstripe==1.15.10 aiohttp==3.14.5 python-dateutil==2.9.0.post0)
STRIPE_MOCK_MODULE=github.com/stripe/stripe-mock
STRIPE_MOCK_VERSION=v0.203.0

install() {
  if [[ -x $tools/venv/bin/localstripe ]] && "$tools/venv/bin/pip" freeze 2>/dev/null | grep -qx "${LOCALSTRIPE_PINS[0]}"; then
    echo "localstripe: already installed in .tools/venv"
  else
    python3 -m venv "$tools/venv"
    "$tools/venv/bin/pip" install --quiet "${LOCALSTRIPE_PINS[@]}"
  fi
  # `go install` stamps no version into `stripe-mock -version`; the module version is in the build info.
  if [[ -x $tools/bin/stripe-mock ]] && go version -m "$tools/bin/stripe-mock" | grep -q "$STRIPE_MOCK_MODULE[[:space:]]*$STRIPE_MOCK_VERSION"; then
    echo "stripe-mock: already installed in .tools/bin"
  else
    GOBIN=$tools/bin go install "$STRIPE_MOCK_MODULE@$STRIPE_MOCK_VERSION"
  fi
}

find_tool() { # .tools copy first, then PATH
  local name=$1
  for candidate in "$tools/venv/bin/$name" "$tools/bin/$name"; do
    [[ -x $candidate ]] && { echo "$candidate"; return; }
  done
  command -v "$name" || { echo "$name is not installed: run 'bash scripts/stripe-standins.sh install'" >&2; return 1; }
}

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

accepts_connections() { (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }

# A zombie (exited, not yet reaped by whoever adopted it) counts as stopped.
running() { local state; state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]; }

alive() { [[ -f $run_dir/$1.pid ]] && running "$(cat "$run_dir/$1.pid")"; }

# Waits up to 30 s for the port; fails early (showing the log) if the process has died.
wait_for() {
  local name=$1 port=$2
  for _ in $(seq 1 150); do
    accepts_connections "$port" && return 0
    alive "$name" || { echo "$name exited during start-up:" >&2; tail -n 20 "$run_dir/$name.log" >&2; return 1; }
    sleep 0.2
  done
  echo "$name did not accept connections on 127.0.0.1:$port within 30 s; see $run_dir/$name.log" >&2
  return 1
}

start() {
  if alive localstripe && alive stripe-mock; then cat "$run_dir/urls.env"; return; fi
  stop
  local localstripe stripe_mock ls_port sm_port
  localstripe=$(find_tool localstripe)
  stripe_mock=$(find_tool stripe-mock)
  mkdir -p "$run_dir"
  ls_port=$(free_port)
  sm_port=$(free_port)
  # --from-scratch: otherwise localstripe loads /tmp/localstripe.pickle, one file for the whole machine.
  # (It still rewrites that file after each write, and listens on every interface: it has no host option.)
  nohup "$localstripe" --port "$ls_port" --from-scratch >"$run_dir/localstripe.log" 2>&1 &
  echo $! >"$run_dir/localstripe.pid"
  # -http-port means HTTP only. (-http-addr 127.0.0.1:P would also open HTTPS on :12112, and exit when that
  # port is taken: v0.203.0 only drops its default HTTPS listener for -http, -http-port and -http-unix.)
  # -strict-version-check: a request sent with another Stripe-Version than the spec's is refused, so a pass
  # means valid for that API version (the one src/payments/stripe.api-version.ts pins).
  nohup "$stripe_mock" -http-port "$sm_port" -strict-version-check >"$run_dir/stripe-mock.log" 2>&1 &
  echo $! >"$run_dir/stripe-mock.pid"
  wait_for localstripe "$ls_port" || { stop; return 1; }
  wait_for stripe-mock "$sm_port" || { stop; return 1; }
  printf 'LOCALSTRIPE_URL=http://127.0.0.1:%s\nSTRIPE_MOCK_URL=http://127.0.0.1:%s\n' "$ls_port" "$sm_port" | tee "$run_dir/urls.env"
}

stop() {
  local name pid
  for name in localstripe stripe-mock; do
    if alive "$name"; then
      pid=$(cat "$run_dir/$name.pid")
      kill "$pid"
      # Give it up to 5 s to let go of its port before a new start picks ports again.
      for _ in $(seq 1 25); do running "$pid" || break; sleep 0.2; done
    fi
    rm -f "$run_dir/$name.pid"
  done
  rm -f "$run_dir/urls.env"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
