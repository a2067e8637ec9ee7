#!/usr/bin/env bash
# smoke-inputs.sh <foundation-outputs.json> <platform-outputs.json> <out-dir>
#
# Gathers what the smoke test needs and hands it to the job's later steps as pipeline variables
# (Azure DevOps `##vso[task.setvariable]` lines on stdout):
#
#   SMOKE_WEBHOOK_SECRET  the Standard Webhooks secret, read from Key Vault (the one the runtime
#                         verifies with, so no copy in a variable group can drift from it); set with
#                         issecret=true, so the agent masks it and maps it into no step's
#                         environment unless the step asks. It is printed nowhere else.
#   SMOKE_URL             the platform's `webhook_url` output
#   SMOKE_RESOLVE         <gateway_host_name>:<gateway_public_ip>: the smoke client connects to the
#                         gateway's IP with SNI and Host = the host name (like curl --resolve), so
#                         it tests this deployment whether or not DNS points at it yet
#   SMOKE_CA_FILE         for a self-signed gateway certificate: its public PEM, downloaded from Key
#                         Vault into <out-dir>, which the client trusts as its only CA (TLS is still
#                         verified); empty for an imported certificate (the system CAs apply)
#
# Runs between `data-plane-access.sh open` and `close` (Key Vault is private).
set -euo pipefail
umask 077

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$here/lib/common.sh"

[ $# -eq 3 ] || {
  printf 'usage: %s <foundation-outputs.json> <platform-outputs.json> <out-dir>\n' "$DEPLOY_SCRIPT_NAME" >&2
  exit 2
}
foundation="$1"
platform="$2"
out_dir="$3"
require_command az jq

vault="$(output_required "$foundation" key_vault_name)"
secret_name="$(output_required "$foundation" webhook_secret_name)"
cert_name="$(output_required "$foundation" gateway_certificate_name)"
cert_source="$(output_required "$foundation" gateway_certificate_source)"
host="$(output_required "$foundation" gateway_host_name)"
url="$(output_required "$platform" webhook_url)"
ip="$(output_required "$platform" gateway_public_ip)"

# --resolve applies to the URL's host only: a URL for another host would bypass it unnoticed.
url_host="${url#*://}"
url_host="${url_host%%/*}"
url_host="${url_host%%:*}"
[ "$url_host" = "$host" ] ||
  die "webhook_url '$url' is not on gateway_host_name '$host': the smoke test would not reach this gateway"

mkdir -p "$out_dir"
secret="$(az_retry keyvault secret show --vault-name "$vault" --name "$secret_name" --output json |
  jq -r '.value // empty')"
[[ "$secret" == whsec_?* ]] ||
  die "secret $secret_name in $vault is not a Standard Webhooks secret (whsec_...); value not shown"
printf '##vso[task.setvariable variable=SMOKE_WEBHOOK_SECRET;issecret=true]%s\n' "$secret"
unset secret
log "SMOKE_WEBHOOK_SECRET read from $vault/$secret_name (secret variable, masked)"

printf '##vso[task.setvariable variable=SMOKE_URL]%s\n' "$url"
printf '##vso[task.setvariable variable=SMOKE_RESOLVE]%s\n' "$host:$ip"
log "smoke target: $url through $ip"

ca_file=""
if [ "$cert_source" = self-signed ]; then
  ca_file="$out_dir/gateway-ca.pem"
  rm -f "$ca_file" # az refuses to overwrite a file
  az_retry keyvault certificate download --vault-name "$vault" --name "$cert_name" \
    --file "$ca_file" --encoding PEM
  grep -q 'BEGIN CERTIFICATE' "$ca_file" || die "certificate $cert_name downloaded from $vault is not a PEM"
  log "trusting the self-signed gateway certificate $cert_name (public part only) for the smoke test"
fi
printf '##vso[task.setvariable variable=SMOKE_CA_FILE]%s\n' "$ca_file"
