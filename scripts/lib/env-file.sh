# shellcheck shell=bash
# Sourced by the scripts that write settings for Compose into the project's `.env`, the file Compose
# reads for variable substitution, so that a new shell's `compose up` sees them too.
#
# env_file_set FILE KEY VALUE: sets KEY=VALUE in FILE (created when missing), replacing an
# uncommented KEY= line in place and keeping every other line as it was.
# env_file_get FILE KEY: prints KEY's value in FILE (empty when absent).
env_file_set() {
  local file=$1 key=$2 value=$3 tmp
  touch "$file"
  tmp=$(mktemp "$file.XXXXXX")
  awk -v k="$key" -v line="$key=$value" '
    index($0, k "=") == 1 { if (!done) print line; done = 1; next }
    { print }
    END { if (!done) print line }
  ' "$file" >"$tmp"
  # Keep the file's mode (a .env holding passwords may be 0600).
  chmod --reference="$file" "$tmp" 2>/dev/null || true
  mv "$tmp" "$file"
}

env_file_get() {
  [[ -r $1 ]] || return 0
  awk -v k="$2" 'index($0, k "=") == 1 { v = substr($0, length(k) + 2) } END { print v }' "$1"
}
