#!/usr/bin/env bash
# images.sh <foundation-outputs.json> <tag>
#
# Builds the two images on this agent with Docker and pushes them to the environment's registry
# (`registry_name` / `registry_login_server`), tagged <tag> (the run's Build.BuildId: the tag the
# synthesized platform stack names).
#
# Why not `az acr build`: ACR Tasks build on shared Microsoft agents outside the VNet, and a
# registry with public network access off (or default action Deny) refuses their pushes. That
# would need a dedicated ACR agent pool in the VNet; building here reaches the registry through
# this agent's own network path instead (its IP rule from data-plane-access.sh, or the VNet).
#
# Idempotent: a tag the registry already has is neither built nor pushed again, so a re-run of a
# failed stage pushes only what is missing (and never moves a tag an environment already runs).
# `az acr login` exchanges the service connection's Entra token for a registry token (AcrPush,
# granted by the foundation apply; 401/403s are retried while it propagates): no admin user, no
# password.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$here/lib/common.sh"

[ $# -eq 2 ] || {
  printf 'usage: %s <foundation-outputs.json> <tag>\n' "$DEPLOY_SCRIPT_NAME" >&2
  exit 2
}
outputs="$1"
tag="$2"
require_command az jq docker

# Docker's tag grammar: a tag that is not valid would fail only after the build.
[[ "$tag" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || die "'$tag' is not a valid image tag"
registry="$(output_required "$outputs" registry_name)"
login_server="$(output_required "$outputs" registry_login_server)"

# Repository, Dockerfile and build context (relative to the repository root) of each image.
images=(
  "webhook-runtime runtime/Dockerfile ."
  "webhook-nginx nginx/Dockerfile nginx"
)

cd "$here/../.."

tag_exists() {
  if az_retry --missing-ok acr repository show --name "$registry" --image "$1:$tag" --output none; then
    return 0
  fi
  is_not_found "$AZ_STDERR" || die "cannot tell whether $registry has $1:$tag"
  return 1
}

# docker push, retried like az while AcrPush propagates (docker says "denied" / "unauthorized").
push() {
  local attempts="${DEPLOY_RETRY_ATTEMPTS:-12}" delay="${DEPLOY_RETRY_SECONDS:-5}" attempt errfile
  errfile="$(mktemp)"
  for ((attempt = 1; ; attempt++)); do
    if docker push "$1" 2>"$errfile"; then
      rm -f "$errfile"
      return 0
    fi
    if ! is_forbidden "$(cat "$errfile")" || [ "$attempt" -ge "$attempts" ]; then
      cat "$errfile" >&2
      rm -f "$errfile"
      die "docker push $1 failed"
    fi
    log "docker push $1: not authorised yet (attempt $attempt of $attempts), retrying in ${delay}s"
    sleep "$delay"
    delay=$((delay * 2 > 60 ? 60 : delay * 2))
  done
}

missing=()
for image in "${images[@]}"; do
  read -r repository _ _ <<<"$image"
  if tag_exists "$repository"; then
    log "$login_server/$repository:$tag is in the registry already: not built or pushed again"
  else
    missing+=("$image")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  log "every image of tag $tag is in $registry"
  exit 0
fi

az_retry acr login --name "$registry" >&2

for image in "${missing[@]}"; do
  read -r repository dockerfile context <<<"$image"
  ref="$login_server/$repository:$tag"
  log "building $ref from $dockerfile"
  # linux/amd64: what Container Apps runs, whatever the agent's own architecture.
  docker build --platform linux/amd64 -f "$dockerfile" -t "$ref" "$context" >&2
  push "$ref" >&2
  log "pushed $ref"
done
