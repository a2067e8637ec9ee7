#!/usr/bin/env bash
# secrets.sh <foundation-outputs.json>
#
# Writes what the platform needs in the environment's Key Vault before the platform stack is
# planned, and keeps it out of Terraform state (a value Terraform writes is in its state file in
# clear text). Idempotent: a re-run changes nothing that exists.
#
# - The webhook signing secret (`webhook_secret_name`): created only when missing, as Standard
#   Webhooks' `whsec_` + base64 of 32 random bytes. An existing secret is never overwritten:
#   senders hold it, so rotation is a deliberate act, not a side effect of a deploy. The value goes
#   from /dev/urandom into a 0600 temp file (removed on exit) read by `az ... --file`: it is never
#   in a variable, an argument list, stdout or the log.
# - The gateway's TLS certificate (`gateway_certificate_name`), by `gateway_certificate_source`:
#     import       the PFX at GATEWAY_PFX_PATH (secure file gateway-tls-<env>.pfx) with password
#                  GATEWAY_PFX_PASSWORD; skipped when the vault's current version has the same SHA-1
#                  thumbprint, so re-runs do not pile up versions. az takes the password only as
#                  --password (Azure DevOps masks it in logs; the agent is single-use).
#     self-signed  Key Vault issues one (CN and SAN dns = `gateway_host_name`, 12 months, auto-renew)
#                  when none exists; Key Vault renews it, the pipeline never replaces it.
#
# Needs the deploying identity's Key Vault Secrets Officer and Certificates Officer roles (granted
# by the foundation apply just before: 403s are retried while they propagate, see lib/common.sh) and
# a reachable vault (run between `data-plane-access.sh open` and `close`).
#   CERT_WAIT_ATTEMPTS / CERT_WAIT_SECONDS  wait for Key Vault to issue a certificate (30 × 5 s)
#   EXPECTED_GATEWAY_CERTIFICATE_SOURCE     what the pipeline prepared for (it downloads a PFX only
#                                           for import); a stack that says otherwise is refused
set -euo pipefail
umask 077

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$here/lib/common.sh"

[ $# -eq 1 ] || {
  printf 'usage: %s <foundation-outputs.json>\n' "$DEPLOY_SCRIPT_NAME" >&2
  exit 2
}
outputs="$1"
require_command az jq openssl

vault="$(output_required "$outputs" key_vault_name)"
secret_name="$(output_required "$outputs" webhook_secret_name)"
cert_name="$(output_required "$outputs" gateway_certificate_name)"
cert_source="$(output_required "$outputs" gateway_certificate_source)"
host="$(output_required "$outputs" gateway_host_name)"

work="$(mktemp -d)"
# The secret's temp file goes with the directory, also when the job is cancelled (TERM/INT end the
# script through `exit`, which runs the EXIT trap).
trap 'rm -rf "$work"' EXIT
trap 'exit 143' TERM INT

ensure_webhook_secret() {
  local file="$work/webhook-secret"
  # --output none everywhere: az answers `secret show` and `secret set` with the value.
  if az_retry --missing-ok keyvault secret show --vault-name "$vault" --name "$secret_name" --output none; then
    log "secret $secret_name exists in $vault: left unchanged"
    return 0
  fi
  is_not_found "$AZ_STDERR" || die "cannot tell whether secret $secret_name exists in $vault"
  log "secret $secret_name is not in $vault: creating it"
  {
    printf 'whsec_'
    head -c 32 /dev/urandom | base64 | tr -d '\n'
  } >"$file"
  if ! az_retry keyvault secret set --vault-name "$vault" --name "$secret_name" \
    --file "$file" --encoding utf-8 --content-type text/plain --output none; then
    rm -f "$file"
    if grep -Eqi 'deleted but recoverable|ObjectIsDeletedButRecoverable' <<<"$AZ_STDERR"; then
      die "secret $secret_name is soft-deleted in $vault: recover it (az keyvault secret recover) to keep the value senders hold, or purge it, then re-run"
    fi
    die "cannot create secret $secret_name in $vault"
  fi
  rm -f "$file"
  log "secret $secret_name created in $vault (whsec_ + 32 random bytes; the value is not shown)"
}

# Writes the certificate's `az keyvault certificate show` JSON to $work/certificate.json and
# returns 0, or returns 1 when the vault has no such certificate; any other error is fatal.
show_certificate() {
  if az_retry --missing-ok keyvault certificate show --vault-name "$vault" --name "$cert_name" --output json \
    >"$work/certificate.json"; then
    return 0
  fi
  is_not_found "$AZ_STDERR" || die "cannot read certificate $cert_name from $vault"
  return 1
}

# Key Vault issues a self-signed certificate asynchronously: wait for the operation to complete.
wait_for_certificate() {
  local attempts="${CERT_WAIT_ATTEMPTS:-30}" pause="${CERT_WAIT_SECONDS:-5}" attempt status
  for ((attempt = 1; ; attempt++)); do
    if az_retry --missing-ok keyvault certificate pending show --vault-name "$vault" --name "$cert_name" \
      --output json >"$work/pending.json"; then
      status="$(jq -r '.status // empty' "$work/pending.json")"
    elif is_not_found "$AZ_STDERR"; then
      status=completed # no pending operation left: the certificate is issued
    else
      die "cannot read the pending operation of certificate $cert_name in $vault"
    fi
    case "$status" in
      completed) return 0 ;;
      inProgress) ;;
      *) die "Key Vault did not issue certificate $cert_name: status '$status' $(jq -c '.statusDetails // .error // empty' "$work/pending.json" 2>/dev/null)" ;;
    esac
    [ "$attempt" -lt "$attempts" ] || die "certificate $cert_name is still being issued after $attempts checks"
    log "certificate $cert_name is being issued (check $attempt of $attempts), next in ${pause}s"
    sleep "$pause"
  done
}

ensure_self_signed_certificate() {
  if show_certificate; then
    log "certificate $cert_name exists in $vault (self-signed, Key Vault renews it): left unchanged"
    wait_for_certificate
    return 0
  fi
  az keyvault certificate get-default-policy --output json >"$work/default-policy.json"
  jq -e '.x509CertificateProperties | objects' "$work/default-policy.json" >/dev/null ||
    die "az keyvault certificate get-default-policy answered an unexpected shape (no x509CertificateProperties)"
  # Key Vault's default policy (RSA 2048, exportable PKCS#12 as the gateway needs, key usages incl.
  # keyCertSign so TLS clients accept the certificate as its own trust anchor) with this host name.
  jq --arg host "$host" '
    .x509CertificateProperties.subject = "CN=\($host)"
    | .x509CertificateProperties.subjectAlternativeNames = {dnsNames: [$host]}
    | .x509CertificateProperties.validityInMonths = 12
    | .lifetimeActions = [{action: {actionType: "AutoRenew"}, trigger: {daysBeforeExpiry: 90}}]
  ' "$work/default-policy.json" >"$work/policy.json"
  log "asking $vault to issue self-signed certificate $cert_name for $host (12 months, auto-renewed)"
  az_retry keyvault certificate create --vault-name "$vault" --name "$cert_name" \
    --policy "@$work/policy.json" --output none
  wait_for_certificate
  log "certificate $cert_name issued"
}

# SHA-1 thumbprint (upper-case hex, Key Vault's x509ThumbprintHex) of the PFX's own certificate.
pfx_thumbprint() {
  local pfx="$1" pem fingerprint match
  # OpenSSL 3 refuses PFX files encrypted with the old RC2/3DES algorithms without -legacy.
  pem="$(openssl pkcs12 -in "$pfx" -nokeys -clcerts -passin env:GATEWAY_PFX_PASSWORD 2>/dev/null)" ||
    pem="$(openssl pkcs12 -legacy -in "$pfx" -nokeys -clcerts -passin env:GATEWAY_PFX_PASSWORD 2>/dev/null)" ||
    die "cannot open the PFX at $pfx (is GATEWAY_PFX_PASSWORD its password?)"
  fingerprint="$(openssl x509 -noout -fingerprint -sha1 <<<"$pem" 2>/dev/null)" ||
    die "the PFX at $pfx holds no certificate for its private key"
  openssl x509 -noout -checkend 0 <<<"$pem" >/dev/null ||
    die "the certificate in the PFX at $pfx has expired"
  match="$(openssl x509 -noout -checkhost "$host" <<<"$pem")"
  [[ "$match" == *"does match"* ]] ||
    die "the certificate in the PFX at $pfx is not valid for $host (gateway_host_name)"
  fingerprint="${fingerprint#*=}"
  fingerprint="${fingerprint//:/}"
  printf '%s\n' "${fingerprint^^}"
}

ensure_imported_certificate() {
  local pfx="${GATEWAY_PFX_PATH:-}" new current=""
  [ -n "$pfx" ] && [ -r "$pfx" ] ||
    die "gateway_certificate_source is import, but GATEWAY_PFX_PATH ('$pfx') is not a readable PFX (secure file gateway-tls-<env>.pfx)"
  # An Azure DevOps variable that is not defined reaches a script as its own macro text.
  [ -n "${GATEWAY_PFX_PASSWORD+set}" ] && [ "${GATEWAY_PFX_PASSWORD:-}" != "\$(GATEWAY_PFX_PASSWORD)" ] ||
    die "gateway_certificate_source is import, but GATEWAY_PFX_PASSWORD is not set (secret variable in group webhooks-<env>)"
  export GATEWAY_PFX_PASSWORD
  new="$(pfx_thumbprint "$pfx")"
  if show_certificate; then
    current="$(jq -r '.x509ThumbprintHex // empty' "$work/certificate.json")"
  fi
  if [ -n "$current" ] && [ "${current^^}" = "$new" ]; then
    log "certificate $cert_name in $vault already has thumbprint $new: not imported again"
    return 0
  fi
  log "importing certificate $cert_name into $vault (thumbprint ${current:-none} -> $new)"
  local -a password=()
  [ -z "$GATEWAY_PFX_PASSWORD" ] || password=(--password "$GATEWAY_PFX_PASSWORD")
  az_retry keyvault certificate import --vault-name "$vault" --name "$cert_name" \
    --file "$pfx" "${password[@]}" --output none
  log "certificate $cert_name imported"
}

expected="${EXPECTED_GATEWAY_CERTIFICATE_SOURCE:-$cert_source}"
[ "$expected" = "$cert_source" ] ||
  die "the foundation's gateway_certificate_source is '$cert_source' but the pipeline prepared for '$expected': make gatewayCertificateSource in azure-pipelines.yml match the stack config"

ensure_webhook_secret
case "$cert_source" in
  self-signed) ensure_self_signed_certificate ;;
  import) ensure_imported_certificate ;;
  *) die "gateway_certificate_source is '$cert_source'; expected import or self-signed" ;;
esac
