#!/usr/bin/env bash
# data-plane-access.sh open|close <foundation-outputs.json> [keyvault,registry]
#
# Lets this pipeline agent reach the environment's private data planes for the length of one job,
# and no longer. The foundation stack leaves Key Vault (and a Premium registry) with public network
# access ON but default action Deny, and names in its output `deployer_ip_rule_targets` the data
# planes a Microsoft-hosted agent (random public egress IP, outside the VNet) cannot otherwise
# reach. For each of them:
#
#   open   finds the agent's egress IP (EGRESS_IP_URL, an IPv4 is required), adds <ip>/32 to the Key
#          Vault firewall / <ip> to the registry firewall, records the rule in a state file, then
#          waits until the data plane answers (the rule takes a moment to apply; bounded).
#   close  removes exactly the rules the state file records: never a rule that was there before
#          open (an operator's or another agent's), and the default action (Deny) is never touched.
#          Run it in a step with `condition: always()` in the same job, so a failed step between
#          open and close cannot leave the firewall open.
#
# An empty `deployer_ip_rule_targets` (a self-hosted agent inside the VNet, e.g. Managed DevOps
# Pools, or public resources like dev's Standard registry) makes both a logged no-op. The optional
# third argument restricts open to some targets (least access: the secrets job opens only the vault).
#
# Environment:
#   DATA_PLANE_ACCESS_STATE    state file (default $AGENT_TEMPDIRECTORY/data-plane-access.state: one
#                              per job, shared by its steps)
#   EGRESS_IP_URL              answers the caller's public IPv4 as plain text (default ipify)
#   DATA_PLANE_WAIT_ATTEMPTS   tries before open gives up on a data plane (default 30)
#   DATA_PLANE_WAIT_SECONDS    pause between them (default 10)
#   DEPLOY_RETRY_*             see lib/common.sh (403s while a role assignment propagates)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$here/lib/common.sh"

usage() {
  printf 'usage: %s open|close <foundation-outputs.json> [keyvault,registry]\n' "$DEPLOY_SCRIPT_NAME" >&2
  exit 2
}

[ $# -ge 2 ] && [ $# -le 3 ] || usage
action="$1"
outputs="$2"
only="${3:-}"
state="${DATA_PLANE_ACCESS_STATE:-${AGENT_TEMPDIRECTORY:-${TMPDIR:-/tmp}}/data-plane-access.state}"
egress_url="${EGRESS_IP_URL:-https://api.ipify.org}"
wait_attempts="${DATA_PLANE_WAIT_ATTEMPTS:-30}"
wait_seconds="${DATA_PLANE_WAIT_SECONDS:-10}"

valid_target() {
  case "$1" in
    keyvault | registry) return 0 ;;
    *) return 1 ;;
  esac
}

# A typo in the job's target list would open nothing and fail later, far from the cause.
if [ -n "$only" ]; then
  IFS=',' read -ra requested <<<"$only"
  for t in "${requested[@]}"; do
    valid_target "$t" || die "unknown target '$t' on the command line; known targets: keyvault, registry"
  done
fi

# The targets to open, one per line: deployer_ip_rule_targets, restricted to $only when given.
targets() {
  local raw t seen=","
  local -a list
  raw="$(output_value "$outputs" deployer_ip_rule_targets)"
  IFS=',' read -ra list <<<"$raw"
  for t in "${list[@]}"; do
    t="${t//[[:space:]]/}"
    [ -n "$t" ] || continue
    valid_target "$t" || die "deployer_ip_rule_targets names '$t'; known targets: keyvault, registry"
    if [ -n "$only" ] && [[ ",$only," != *",$t,"* ]]; then
      continue
    fi
    if [[ "$seen" != *",$t,"* ]]; then
      seen="$seen$t,"
      printf '%s\n' "$t"
    fi
  done
}

resource_name() {
  case "$1" in
    keyvault) output_required "$outputs" key_vault_name ;;
    registry) output_required "$outputs" registry_name ;;
  esac
}

is_ipv4() {
  local octet
  local -a octets
  [[ "$1" =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || return 1
  IFS='.' read -ra octets <<<"$1"
  for octet in "${octets[@]}"; do
    [ "$((10#$octet))" -le 255 ] || return 1
  done
}

egress_ip() {
  local body ip
  body="$(curl -fsS --max-time 10 --retry 3 --retry-delay 2 "$egress_url")" ||
    die "cannot discover this agent's egress IP from $egress_url"
  ip="$(printf '%s' "$body" | tr -d '[:space:]')"
  is_ipv4 "$ip" || die "$egress_url answered '${ip:0:60}', which is not an IPv4 address"
  printf '%s\n' "$ip"
}

# The IP rules a data plane has now, one per line, a /32 suffix dropped (Key Vault keeps CIDRs).
current_rules() {
  case "$1" in
    keyvault) az_retry keyvault network-rule list --name "$2" --output json | jq -r '.ipRules[]?.value // empty' ;;
    registry) az_retry acr network-rule list --name "$2" --output json | jq -r '.ipRules[]?.ipAddressOrRange // empty' ;;
  esac | sed 's#/32$##'
}

# One cheap data-plane read that the deploying identity's roles allow.
probe() {
  case "$1" in
    keyvault) az keyvault secret list --vault-name "$2" --maxresults 1 --output none ;;
    registry) az acr repository list --name "$2" --top 1 --output none ;;
  esac
}

wait_until_reachable() {
  local target="$1" name="$2" attempt
  for ((attempt = 1; ; attempt++)); do
    if probe "$target" "$name" 2>/dev/null; then
      log "$target $name answers this agent"
      return 0
    fi
    [ "$attempt" -lt "$wait_attempts" ] ||
      die "$target $name still refuses this agent after $wait_attempts tries (close removes the rule)"
    log "$target $name does not answer yet (try $attempt of $wait_attempts), next in ${wait_seconds}s"
    sleep "$wait_seconds"
  done
}

open_access() {
  local found target name ip rule rules
  local -a list=()
  found="$(targets)"
  [ -z "$found" ] || mapfile -t list <<<"$found"
  if [ "${#list[@]}" -eq 0 ]; then
    log "no data plane to open (deployer_ip_rule_targets='$(output_value "$outputs" deployer_ip_rule_targets)'${only:+, restricted to $only}): this agent reaches them without an IP rule"
    return 0
  fi
  ip="$(egress_ip)"
  log "this agent's egress IP is $ip"
  touch "$state"
  for target in "${list[@]}"; do
    name="$(resource_name "$target")"
    rules="$(current_rules "$target" "$name")"
    if grep -qxF "$ip" <<<"$rules"; then
      log "$target $name already allows $ip through a rule this job did not add: left as it is, close will not remove it"
      continue
    fi
    if [ "$target" = keyvault ]; then rule="$ip/32"; else rule="$ip"; fi
    # Recorded before the add, so that close also removes a rule whose add timed out after it
    # took effect (removing a rule that is not there is a no-op for az).
    printf '%s\t%s\t%s\n' "$target" "$name" "$rule" >>"$state"
    log "adding $rule to the $target $name firewall"
    case "$target" in
      keyvault) az_retry keyvault network-rule add --name "$name" --ip-address "$rule" --output none ;;
      registry) az_retry acr network-rule add --name "$name" --ip-address "$rule" --output none ;;
    esac
  done
  for target in "${list[@]}"; do
    name="$(resource_name "$target")"
    wait_until_reachable "$target" "$name"
  done
}

close_access() {
  local target name rule failed=0 left
  if [ ! -s "$state" ]; then
    log "no rule recorded in $state: nothing to close"
    rm -f "$state"
    return 0
  fi
  left="$(mktemp)"
  while IFS=$'\t' read -r -u 3 target name rule; do
    [ -n "$target" ] || continue
    log "removing $rule from the $target $name firewall (added by this job's open step)"
    case "$target" in
      keyvault) az_retry keyvault network-rule remove --name "$name" --ip-address "$rule" --output none ;;
      registry) az_retry acr network-rule remove --name "$name" --ip-address "$rule" --output none ;;
      *) false ;;
    esac || {
      failed=1
      printf '%s\t%s\t%s\n' "$target" "$name" "$rule" >>"$left"
      log "could not remove $rule from the $target $name firewall"
    }
  done 3< <(sort -u "$state")
  if [ "$failed" -ne 0 ]; then
    mv "$left" "$state"
    die "some rules are still in place (listed in $state); remove them with az keyvault/acr network-rule remove, or the next foundation apply will (Terraform owns the rule lists)"
  fi
  rm -f "$left" "$state"
  log "every rule this job added is removed"
}

require_command az jq
case "$action" in
  open)
    require_command curl
    open_access
    ;;
  close) close_access ;;
  *) usage ;;
esac
