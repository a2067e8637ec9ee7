#!/bin/sh
# Renders nginx/nginx.conf.template into a complete nginx.conf from the environment.
#
# The ONE render step of the proxy tier: the nginx image runs it from /docker-entrypoint.d/ (the
# official image's hook, before its own envsubst step), the Azure Functions custom handler runs
# it before exec'ing NGINX, and the tests and `npm run local` run this same file.
#
# Usage: render.sh [TEMPLATE] [OUTPUT]
#   TEMPLATE  default $WEBHOOK_PROXY_TEMPLATE or /etc/nginx/webhook/nginx.conf.template
#   OUTPUT    default $WEBHOOK_PROXY_CONF or /etc/nginx/nginx.conf
#
# Why not only envsubst on /etc/nginx/templates: envsubst cannot loop, and the upstream block needs
# one `server` line per entry of UPSTREAM_SERVERS (likewise one set_real_ip_from per trusted CIDR, and
# one limit_req_zone and one `location = /webhooks/<name>` per entry of WEBHOOK_SOURCES_NGINX).
# This script validates every variable (message names the variable, the allowed values and the
# value received; exit 1), generates those lines, then calls envsubst with an explicit list of
# names so NGINX's own `$variables` are left alone.
set -eu

me="render.sh"
fail() {
  printf '%s: %s\n' "$me" "$1" >&2
  exit 1
}

template="${1:-${WEBHOOK_PROXY_TEMPLATE:-/etc/nginx/webhook/nginx.conf.template}}"
output="${2:-${WEBHOOK_PROXY_CONF:-/etc/nginx/nginx.conf}}"
[ -r "$template" ] || fail "template '$template' is not readable"
command -v envsubst >/dev/null 2>&1 || fail "envsubst (gettext) is not installed"

# is_uint VALUE: a non-empty string of digits without a leading zero (or "0").
is_uint() {
  case "$1" in
    '' | *[!0-9]*) return 1 ;;
    0) return 0 ;;
    0*) return 1 ;;
  esac
  [ "${#1}" -le 9 ]
}

# require_int NAME VALUE MIN MAX
require_int() {
  if ! is_uint "$2" || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
    fail "$1 must be an integer from $3 to $4 (got '$2')"
  fi
}

# duration_ms NAME VALUE MAX_MS: accepts NGINX durations written as <n>ms or <n>s; prints ms.
duration_ms() {
  case "$2" in
    *ms) n="${2%ms}" ms="${2%ms}" ;;
    *s) n="${2%s}" ms="" ;;
    *) n="" ms="" ;;
  esac
  if ! is_uint "$n" || [ "$n" -eq 0 ]; then
    fail "$1 must be a duration like 500ms or 3s, above 0 and at most ${3}ms (got '$2')"
  fi
  [ -n "$ms" ] || ms=$((n * 1000))
  if [ "$ms" -gt "$3" ]; then
    fail "$1 must be a duration like 500ms or 3s, above 0 and at most ${3}ms (got '$2')"
  fi
  printf '%s' "$ms"
}

# --- Inputs, defaults, validation ----------------------------------------------------------------
UPSTREAM_SERVERS="${UPSTREAM_SERVERS:-}"
LISTEN_ADDRESS="${LISTEN_ADDRESS:-0.0.0.0}"
LISTEN_PORT="${LISTEN_PORT:-8080}"
MAX_BODY_BYTES="${MAX_BODY_BYTES:-1048576}"
RATE_LIMIT_RPS="${RATE_LIMIT_RPS:-100}"
RATE_LIMIT_BURST="${RATE_LIMIT_BURST:-200}"
TRUSTED_PROXY_CIDR="${TRUSTED_PROXY_CIDR:-}"
UPSTREAM_HOST_HEADER="${UPSTREAM_HOST_HEADER:-}"
CLIENT_TIMEOUT="${CLIENT_TIMEOUT:-3s}"
PROXY_CONNECT_TIMEOUT="${PROXY_CONNECT_TIMEOUT:-1s}"
PROXY_READ_TIMEOUT="${PROXY_READ_TIMEOUT:-4500ms}"
UPSTREAM_KEEPALIVE="${UPSTREAM_KEEPALIVE:-32}"
WORKER_PROCESSES="${WORKER_PROCESSES:-auto}"
NGINX_RUN_DIR="${NGINX_RUN_DIR:-/tmp/nginx}"
ACCESS_LOG="${ACCESS_LOG:-/dev/stdout}"
ERROR_LOG="${ERROR_LOG:-stderr}"
# Named webhook sources (README "Webhook sources"): space-separated `name` or `name:rps:burst`.
WEBHOOK_SOURCES_NGINX="${WEBHOOK_SOURCES_NGINX:-}"

[ -n "$(printf '%s' "$UPSTREAM_SERVERS" | tr -d ' ,')" ] ||
  fail "UPSTREAM_SERVERS is required: space- or comma-separated host:port entries, e.g. 'runtime1:8000 runtime2:8000' (got '')"

UPSTREAM_SERVER_LINES=""
for server in $(printf '%s' "$UPSTREAM_SERVERS" | tr ',' ' '); do
  host="${server%:*}"
  port="${server##*:}"
  case "$host" in
    '' | *[!A-Za-z0-9._-]*) fail "UPSTREAM_SERVERS entries must be host:port with a DNS name or IPv4 address as host (got '$server')" ;;
  esac
  [ "$host" != "$server" ] || fail "UPSTREAM_SERVERS entries must be host:port with a DNS name or IPv4 address as host (got '$server')"
  require_int "UPSTREAM_SERVERS port of '$server'" "$port" 1 65535
  # max_fails/fail_timeout: a runtime that refused a connection is skipped for 1 s: long enough
  # to spare a dead one a flood of attempts, short enough that a rolling restart (down for well
  # under a second) does not black out its runtime for long (bench/faults scenario c: 10 s gave
  # 551 NGINX 503s in 8 s at 100 req/s, 1 s gave 98).
  line="        server ${host}:${port} max_fails=1 fail_timeout=1s;"
  UPSTREAM_SERVER_LINES="${UPSTREAM_SERVER_LINES}${UPSTREAM_SERVER_LINES:+
}${line}"
done

# Host sent to the runtimes. Unset: the Host the client sent ($host), right for compose and
# `npm run local`. Set: that name, for upstreams that route by Host (Container Apps ingress: the
# runtime's FQDN; $host there would be the proxy's own FQDN and the request would come back here).
# shellcheck disable=SC2016 # NGINX's own $host, written literally on purpose
UPSTREAM_HOST_VALUE='$host'
if [ -n "$UPSTREAM_HOST_HEADER" ]; then
  hh_name="${UPSTREAM_HOST_HEADER%:*}"
  case "$hh_name" in
    '' | *[!A-Za-z0-9.-]* | .* | -* | *..*)
      fail "UPSTREAM_HOST_HEADER must be a DNS name with an optional :port, e.g. 'webhook-runtime.internal.example.azurecontainerapps.io' (got '$UPSTREAM_HOST_HEADER')" ;;
  esac
  [ "${#hh_name}" -le 253 ] ||
    fail "UPSTREAM_HOST_HEADER must be a DNS name of at most 253 characters (got '$UPSTREAM_HOST_HEADER')"
  [ "$hh_name" = "$UPSTREAM_HOST_HEADER" ] ||
    require_int "UPSTREAM_HOST_HEADER port of '$UPSTREAM_HOST_HEADER'" "${UPSTREAM_HOST_HEADER##*:}" 1 65535
  UPSTREAM_HOST_VALUE="$UPSTREAM_HOST_HEADER"
fi

case "$LISTEN_ADDRESS" in
  '' | *[!0-9.]*) fail "LISTEN_ADDRESS must be an IPv4 address such as 0.0.0.0 or 127.0.0.1 (got '$LISTEN_ADDRESS')" ;;
esac
require_int LISTEN_PORT "$LISTEN_PORT" 1 65535
require_int MAX_BODY_BYTES "$MAX_BODY_BYTES" 1 104857600
require_int RATE_LIMIT_RPS "$RATE_LIMIT_RPS" 1 100000
# NGINX refuses burst=0 (limit_req: "invalid burst value"): at least 1.
require_int RATE_LIMIT_BURST "$RATE_LIMIT_BURST" 1 100000
require_int UPSTREAM_KEEPALIVE "$UPSTREAM_KEEPALIVE" 1 1024
[ "$WORKER_PROCESSES" = auto ] || require_int WORKER_PROCESSES "$WORKER_PROCESSES" 1 64

# Every timeout stays below Shopify's 5 s sender timeout, the strictest of the common senders.
duration_ms CLIENT_TIMEOUT "$CLIENT_TIMEOUT" 4999 >/dev/null
connect_ms="$(duration_ms PROXY_CONNECT_TIMEOUT "$PROXY_CONNECT_TIMEOUT" 4999)"
read_ms="$(duration_ms PROXY_READ_TIMEOUT "$PROXY_READ_TIMEOUT" 4999)"
[ "$connect_ms" -lt "$read_ms" ] ||
  fail "PROXY_CONNECT_TIMEOUT must be shorter than PROXY_READ_TIMEOUT (got '$PROXY_CONNECT_TIMEOUT' and '$PROXY_READ_TIMEOUT')"

# One exact route per named source, each with its own per-client zone, so one sender's flood never
# spends another's allowance. A source without :rps:burst gets RATE_LIMIT_RPS/RATE_LIMIT_BURST.
# Zone names: webhook_source_<name>, '-' written '_' (a source name has no '_', so none collide).
sources_usage="WEBHOOK_SOURCES_NGINX entries must be name or name:rps:burst, the name 1-32 of a-z, 0-9 and '-' not starting with '-', e.g. 'github:100:200 stripe'"
WEBHOOK_SOURCE_ZONE_LINES="    # No WEBHOOK_SOURCES_NGINX: no named sources; every /webhooks/<name> is a 404."
WEBHOOK_SOURCE_LOCATION_LINES="        # No WEBHOOK_SOURCES_NGINX: no named source is served."
WEBHOOK_SOURCE_RATE_LINES=""
seen=" "
set -f # the entries are split on blanks, never globbed
for entry in $WEBHOOK_SOURCES_NGINX; do
  name="${entry%%:*}"
  rps="$RATE_LIMIT_RPS"
  burst="$RATE_LIMIT_BURST"
  if [ "$name" != "$entry" ]; then
    rest="${entry#*:}"
    rps="${rest%%:*}"
    burst="${rest#*:}"
    [ "$rps" != "$rest" ] || fail "$sources_usage (got '$entry')"
    case "$burst" in *:*) fail "$sources_usage (got '$entry')" ;; esac
    require_int "WEBHOOK_SOURCES_NGINX rps of '$entry'" "$rps" 1 100000
    require_int "WEBHOOK_SOURCES_NGINX burst of '$entry'" "$burst" 1 100000
  fi
  case "$name" in
    '' | -* | *[!a-z0-9-]*) fail "$sources_usage (got '$entry')" ;;
  esac
  [ "${#name}" -le 32 ] || fail "$sources_usage (got '$entry')"
  case "$seen" in
    *" $name "*) fail "WEBHOOK_SOURCES_NGINX names each source once (got '$name' twice)" ;;
  esac
  seen="$seen$name "
  zone="webhook_source_$(printf '%s' "$name" | tr '-' '_')"
  if [ "$seen" = " $name " ]; then
    WEBHOOK_SOURCE_ZONE_LINES=""
    WEBHOOK_SOURCE_LOCATION_LINES=""
  fi
  # 1 MB per source: about 8,000 client addresses (128-byte states); the oldest are evicted first.
  WEBHOOK_SOURCE_ZONE_LINES="${WEBHOOK_SOURCE_ZONE_LINES}${WEBHOOK_SOURCE_ZONE_LINES:+
}    limit_req_zone \$binary_remote_addr zone=${zone}:1m rate=${rps}r/s;"
  WEBHOOK_SOURCE_RATE_LINES="${WEBHOOK_SOURCE_RATE_LINES}${WEBHOOK_SOURCE_RATE_LINES:+
}        /webhooks/${name} ${rps};"
  WEBHOOK_SOURCE_LOCATION_LINES="${WEBHOOK_SOURCE_LOCATION_LINES}${WEBHOOK_SOURCE_LOCATION_LINES:+
}        location = /webhooks/${name} {
            if (\$webhook_exact_path = 0) {
                return 404;
            }
            if (\$request_method != POST) {
                return 405;
            }
            limit_req zone=${zone} burst=${burst} nodelay;
            proxy_pass http://webhook_runtimes;
        }"
done
set +f

REAL_IP_FROM_LINES="    # No TRUSTED_PROXY_CIDR: X-Forwarded-For is never believed; the client is the peer address."
if [ -n "$(printf '%s' "$TRUSTED_PROXY_CIDR" | tr -d ' ,')" ]; then
  REAL_IP_FROM_LINES=""
  for cidr in $(printf '%s' "$TRUSTED_PROXY_CIDR" | tr ',' ' '); do
    case "$cidr" in
      *[!0-9A-Fa-f:./]* | */*/* | /*) fail "TRUSTED_PROXY_CIDR entries must be IP addresses or CIDR ranges such as 10.0.1.0/24 (got '$cidr')" ;;
    esac
    REAL_IP_FROM_LINES="${REAL_IP_FROM_LINES}${REAL_IP_FROM_LINES:+
}    set_real_ip_from ${cidr};"
  done
fi

case "$NGINX_RUN_DIR" in
  /*) ;;
  *) fail "NGINX_RUN_DIR must be an absolute path (got '$NGINX_RUN_DIR')" ;;
esac
for value in "$NGINX_RUN_DIR" "$ACCESS_LOG" "$ERROR_LOG"; do
  case "$value" in
    *[\;\ \	\{\}\$\'\"]* | '') fail "NGINX_RUN_DIR, ACCESS_LOG and ERROR_LOG must be non-empty paths without spaces, quotes, ';', '{', '}' or '\$' (got '$value')" ;;
  esac
done
mkdir -p "$NGINX_RUN_DIR"

# --- Render ----------------------------------------------------------------------------------------
export UPSTREAM_SERVER_LINES REAL_IP_FROM_LINES UPSTREAM_HOST_VALUE LISTEN_ADDRESS LISTEN_PORT MAX_BODY_BYTES \
  RATE_LIMIT_RPS RATE_LIMIT_BURST CLIENT_TIMEOUT PROXY_CONNECT_TIMEOUT PROXY_READ_TIMEOUT \
  UPSTREAM_KEEPALIVE WORKER_PROCESSES NGINX_RUN_DIR ACCESS_LOG ERROR_LOG \
  WEBHOOK_SOURCE_ZONE_LINES WEBHOOK_SOURCE_LOCATION_LINES WEBHOOK_SOURCE_RATE_LINES
# envsubst's SHELL-FORMAT: the literal names it may replace, never expanded here.
# shellcheck disable=SC2016
names='${UPSTREAM_SERVER_LINES} ${REAL_IP_FROM_LINES} ${UPSTREAM_HOST_VALUE} ${LISTEN_ADDRESS} ${LISTEN_PORT} ${MAX_BODY_BYTES}
${RATE_LIMIT_RPS} ${RATE_LIMIT_BURST} ${CLIENT_TIMEOUT} ${PROXY_CONNECT_TIMEOUT} ${PROXY_READ_TIMEOUT}
${UPSTREAM_KEEPALIVE} ${WORKER_PROCESSES} ${NGINX_RUN_DIR} ${ACCESS_LOG} ${ERROR_LOG}
${WEBHOOK_SOURCE_ZONE_LINES} ${WEBHOOK_SOURCE_LOCATION_LINES} ${WEBHOOK_SOURCE_RATE_LINES}'

tmp="${output}.tmp.$$"
envsubst "$names" <"$template" >"$tmp"
# A placeholder left behind means the template names a variable this script does not provide.
# shellcheck disable=SC2016 # a regex for a literal ${NAME}, not an expansion
if grep -n '\${[A-Z_][A-Z0-9_]*}' "$tmp" >&2; then
  rm -f "$tmp"
  fail "the template uses placeholders this script does not render (lines above)"
fi
mv "$tmp" "$output"
printf '%s: rendered %s (upstreams: %s; upstream Host: %s; listen %s:%s; sources:%s)\n' "$me" "$output" "$(printf '%s' "$UPSTREAM_SERVERS" | tr -s ', ' '  ')" "$UPSTREAM_HOST_VALUE" "$LISTEN_ADDRESS" "$LISTEN_PORT" "${seen% }"
