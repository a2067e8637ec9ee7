# shellcheck shell=bash
# Shared by the TEST DOUBLES in ./bin (az, docker, curl). They stand in for the real CLIs in
# pipelines/deploy/*.test.ts because Azure is unreachable from development and CI machines; the real
# scripts run unchanged with ./bin first on PATH.
#
# TEST_DOUBLE_STATE  JSON "cloud" the doubles answer from and update (see bin/az for its shape)
# TEST_DOUBLE_LOG    every call's argv, one JSON array per line, program name first
#
# Injected failures: `"failures": [{"match": "az keyvault secret set", "times": 2, "stderr": "...",
# "exit": 1}]` makes the next 2 calls whose argv (joined by spaces) starts with `match` fail so.
# The jq programs passed to state/update use jq variables ($v), not shell ones.
# shellcheck disable=SC2016
: "${TEST_DOUBLE_STATE:?test double: set TEST_DOUBLE_STATE to the JSON state file}"
: "${TEST_DOUBLE_LOG:?test double: set TEST_DOUBLE_LOG to the call log file}"

record() {
  jq -cn '$ARGS.positional' --args -- "$@" >>"$TEST_DOUBLE_LOG"
}

state() {
  jq "$@" "$TEST_DOUBLE_STATE"
}

update() {
  local tmp
  tmp="$(mktemp "$TEST_DOUBLE_STATE.XXXXXX")"
  jq "$@" "$TEST_DOUBLE_STATE" >"$tmp"
  mv "$tmp" "$TEST_DOUBLE_STATE"
}

# Fails this call as configured when an injected failure matches it (argv joined by spaces).
inject_failure() {
  local index
  index="$(state -r --arg call "$*" \
    '(.failures // []) | to_entries | map(select(.value.match as $m | .value.times > 0 and ($call | startswith($m)))) | first | .key // empty')"
  [ -n "$index" ] || return 0
  update --argjson i "$index" '.failures[$i].times -= 1'
  state -r --argjson i "$index" '.failures[$i].stderr // "injected failure"' >&2
  exit "$(state -r --argjson i "$index" '.failures[$i].exit // 1')"
}

unsupported() {
  printf 'test double: "%s" is not modelled; extend pipelines/deploy/test-doubles if the scripts need it\n' "$*" >&2
  exit 2
}

# True when the egress IP in the state may reach a resource (.keyvaults.X or .registries.X):
# a public resource, or one whose IP rules list the agent's egress IP (with or without /32).
reachable() {
  state -e --arg kind "$1" --arg name "$2" '
    .egressIp as $ip | .[$kind][$name] as $r
    | ($r.denyByDefault | not) or (($r.ipRules // []) | any(. == $ip or . == ($ip + "/32")))
  ' >/dev/null
}
