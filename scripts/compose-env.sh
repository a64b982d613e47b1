#!/usr/bin/env bash
# Write what compose.yaml needs into the project's .env, keeping every other line of it.
#
#   scripts/compose-env.sh
#
#   POSTGRES_PASSWORD, REDIS_PASSWORD   generated once (48 hex characters, URL-safe); kept if set
#   AGENT_VERSION                       package.json's version: what a compose build reports
#   NODE_VERSION                        .node-version: the build checks NODE_IMAGE runs it
#
# Compose reads .env from the project folder for substitution, so every later shell's
# `compose up`/`build` sees the same values. scripts/base-images.sh writes the base-image names
# there too. Environment: ENV_FILE (default: .env in the project root).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/env-file.sh
. "$ROOT/scripts/lib/env-file.sh"
ENV_FILE=${ENV_FILE:-$ROOT/.env}

case ${1:-} in
  "") ;;
  -h | --help) sed -n '2,13s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) sed -n '2,13s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac

new=0
[[ -e $ENV_FILE ]] || new=1
touch "$ENV_FILE"
# Passwords land here: readable by the owner only when the file is new.
((new)) && chmod 600 "$ENV_FILE"
for key in POSTGRES_PASSWORD REDIS_PASSWORD; do
  if [[ -z $(env_file_get "$ENV_FILE" "$key") ]]; then
    env_file_set "$ENV_FILE" "$key" "$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
    printf '[compose-env] %s: generated\n' "$key"
  fi
done
env_file_set "$ENV_FILE" AGENT_VERSION "$(node -p "require('$ROOT/package.json').version")"
env_file_set "$ENV_FILE" NODE_VERSION "$(cat "$ROOT/.node-version")"
printf '[compose-env] %s: AGENT_VERSION=%s NODE_VERSION=%s\n' "$ENV_FILE" \
  "$(env_file_get "$ENV_FILE" AGENT_VERSION)" "$(env_file_get "$ENV_FILE" NODE_VERSION)"
