# shellcheck shell=bash
# Helpers shared by the deploy scripts in pipelines/deploy/ (sourced, never run on its own).
#
# - Every name comes from the foundation stack's `terraform output -json` (the `foundation-<env>`
#   artifact): one source, nothing hard-coded here or in the pipeline.
# - Log lines go to stderr; stdout carries only what a caller reads (Azure DevOps `##vso[...]`
#   logging commands, or data).
# - `az_retry` retries only "forbidden"-type answers: the foundation apply has just granted the
#   deploying identity its data-plane roles and the open step has just added a network rule, and
#   both take minutes to take effect. Any other error fails at once (it will not fix itself).

# `set -e` also inside $(...): without it a `die` in a command substitution would only end the
# subshell, and the script would go on with an empty value.
shopt -s inherit_errexit

DEPLOY_SCRIPT_NAME="${DEPLOY_SCRIPT_NAME:-$(basename "$0")}"

log() {
  printf '%s: %s\n' "$DEPLOY_SCRIPT_NAME" "$*" >&2
}

die() {
  # In Azure DevOps the message also lands in the run's error summary.
  if [ -n "${TF_BUILD:-}" ]; then
    printf '##vso[task.logissue type=error]%s: %s\n' "$DEPLOY_SCRIPT_NAME" "$*"
  fi
  printf '%s: error: %s\n' "$DEPLOY_SCRIPT_NAME" "$*" >&2
  exit 1
}

require_command() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "'$c' is not on PATH"
  done
}

# output_value FILE NAME: the string value of output NAME in a `terraform output -json` file.
# Fails when the output is missing or not a string; an empty string is returned as is.
output_value() {
  local file="$1" name="$2"
  [ -r "$file" ] || die "cannot read the stack outputs file '$file'"
  jq -er --arg n "$name" '.[$n].value | strings' "$file" 2>/dev/null ||
    die "output '$name' is missing from '$file' (or is not a string): is the stack applied and its outputs artifact current?"
}

# output_required FILE NAME: like output_value, but an empty string is an error too.
output_required() {
  local value
  value="$(output_value "$1" "$2")"
  [ -n "$value" ] || die "output '$2' in '$1' is empty"
  printf '%s\n' "$value"
}

is_forbidden() {
  # Key Vault: "(Forbidden) ... ForbiddenByRbac" / "ForbiddenByFirewall"; ARM: AuthorizationFailed;
  # ACR: "unauthorized" / "denied" / 403 while AcrPush or the IP rule is not effective yet.
  grep -Eqi 'forbidden|authorizationfailed|\b403\b|\bunauthori[sz]ed\b|\bdenied\b|not allowed access' <<<"$1"
}

is_not_found() {
  # az exits 3 for a missing resource; the message names it (SecretNotFound, CertificateNotFound,
  # MANIFEST_UNKNOWN / NAME_UNKNOWN for a registry tag or repository).
  grep -Eqi 'notfound|not found|manifest_unknown|name_unknown|\b404\b' <<<"$1"
}

# The stderr of the last az_retry call, for the caller's not-found test.
AZ_STDERR=""

# az_retry [--missing-ok] ARGS...: `az ARGS...`, retried with exponential backoff while it answers
# "forbidden". stdout passes through (redirect it, never capture secrets into the log); the final
# attempt's stderr is kept in AZ_STDERR and printed, except a not-found with --missing-ok (the
# caller expects it: "create when missing"). Returns az's exit code.
#   DEPLOY_RETRY_ATTEMPTS  attempts in all (default 12)
#   DEPLOY_RETRY_SECONDS   first pause, doubled per attempt up to 60 s (default 5): ~9 minutes in all,
#                          longer than Entra role assignments usually take to propagate.
az_retry() {
  local attempts="${DEPLOY_RETRY_ATTEMPTS:-12}" delay="${DEPLOY_RETRY_SECONDS:-5}"
  local attempt=1 rc errfile missing_ok=""
  if [ "${1:-}" = --missing-ok ]; then
    missing_ok=1
    shift
  fi
  errfile="$(mktemp)"
  while :; do
    rc=0
    az "$@" 2>"$errfile" || rc=$?
    AZ_STDERR="$(cat "$errfile")"
    if [ "$rc" -eq 0 ]; then
      break
    fi
    if ! is_forbidden "$AZ_STDERR" || [ "$attempt" -ge "$attempts" ]; then
      if [ -z "$missing_ok" ] || ! is_not_found "$AZ_STDERR"; then
        printf '%s\n' "$AZ_STDERR" >&2
      fi
      break
    fi
    log "az ${1:-} ${2:-} ${3:-}: forbidden (attempt $attempt of $attempts; a new role assignment or network rule is not effective yet), retrying in ${delay}s"
    sleep "$delay"
    delay=$((delay * 2 > 60 ? 60 : delay * 2))
    attempt=$((attempt + 1))
  done
  rm -f "$errfile"
  return "$rc"
}
