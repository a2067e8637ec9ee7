#!/bin/sh
# Azure Functions custom handler executable (host.json customHandler.description.defaultExecutablePath).
#
# The Functions host starts this file and forwards each HTTP request of the `webhook`, `webhooks` and `healthz`
# functions (enableForwardingHttpRequest) to FUNCTIONS_CUSTOMHANDLER_PORT on localhost. NGINX cannot read
# the environment at run time, so this script renders the same template with the same render.sh
# as the container image, checks it with `nginx -t`, and replaces itself with NGINX (exec): the
# handler process the host supervises IS NGINX.
#
# Differences from the container image, all forced by the Functions host:
#   - LISTEN_PORT comes from FUNCTIONS_CUSTOMHANDLER_PORT and NGINX listens on 127.0.0.1 only;
#   - 127.0.0.1 (the host's own proxy hop) is always a trusted proxy, so the client address that
#     the platform front end put in X-Forwarded-For survives;
#   - UPSTREAM_SERVERS etc. come from the function app's application settings.
set -eu

home="${WEBHOOK_PROXY_HOME:-$(cd "$(dirname "$0")" && pwd)}"
nginx_bin="${NGINX_BIN:-nginx}"

if [ -z "${FUNCTIONS_CUSTOMHANDLER_PORT:-}" ]; then
  echo "start-nginx.sh: FUNCTIONS_CUSTOMHANDLER_PORT is not set (the Functions host sets it for a custom handler)" >&2
  exit 1
fi

LISTEN_PORT="$FUNCTIONS_CUSTOMHANDLER_PORT"
LISTEN_ADDRESS="${LISTEN_ADDRESS:-127.0.0.1}"
TRUSTED_PROXY_CIDR="127.0.0.1/32${TRUSTED_PROXY_CIDR:+ $TRUSTED_PROXY_CIDR}"
NGINX_RUN_DIR="${NGINX_RUN_DIR:-/tmp/webhook-nginx}"
export LISTEN_PORT LISTEN_ADDRESS TRUSTED_PROXY_CIDR NGINX_RUN_DIR

conf="$NGINX_RUN_DIR/nginx.conf"
sh "$home/render.sh" "$home/nginx.conf.template" "$conf"
"$nginx_bin" -t -q -p "$NGINX_RUN_DIR" -c "$conf" -e "${ERROR_LOG:-stderr}"
exec "$nginx_bin" -p "$NGINX_RUN_DIR" -c "$conf" -e "${ERROR_LOG:-stderr}" -g 'daemon off;'
