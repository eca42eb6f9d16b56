#!/usr/bin/env bash
# Static guardrails on the SAM template before anything is built: production
# must never call $LATEST, canaries need alarms, names must differ per stack.
# The findings are written as SARIF for store_artifacts (code-scanning tools
# read it); the text report is printed only when there are findings.
#   LR_STR_TEMPLATE  the template (default template.yaml)
#   LR_STR_SARIF     where the SARIF report goes (default lambda-release/check.sarif)
set -euo pipefail
shopt -s inherit_errexit

# begin lr_common: the same in every script (tests/orb/test_scripts.py compares them)
lr_subst() {
  # $1 with $NAME and ${NAME} replaced by the variable's value (empty when unset): what
  # `circleci env subst` does, used when the executor has the CircleCI CLI, the same
  # rule here otherwise. Only names are looked up: nothing is evaluated or run.
  local out
  if command -v circleci >/dev/null 2>&1 && out="$(printf '%s' "$1" | circleci env subst 2>/dev/null)"; then
    printf '%s' "${out}"
    return 0
  fi
  local text="$1" name=""
  out=""
  while [[ "${text}" == *'$'* ]]; do
    out+="${text%%\$*}"
    text="${text#*\$}"
    if [[ "${text}" =~ ^\{([A-Za-z_][A-Za-z0-9_]*)\} ]]; then
      name="${BASH_REMATCH[1]}"
      text="${text:${#name}+2}"
    elif [[ "${text}" =~ ^[A-Za-z_][A-Za-z0-9_]* ]]; then
      name="${BASH_REMATCH[0]}"
      text="${text:${#name}}"
    else
      out+='$'
      continue
    fi
    out+="${!name-}"
  done
  printf '%s' "${out}${text}"
}

lr_true() {
  # CircleCI writes a boolean parameter into `environment:` as 1 or 0.
  case "${1:-}" in 1|true) return 0 ;; *) return 1 ;; esac
}

lr_split() {
  # $2 split into words by the shell's quoting rules (quotes, backslashes; nothing is
  # expanded or run), one word per line; exit 2 naming parameter $1 when it cannot be.
  python3 -c '
import shlex, sys
name, text = sys.argv[1], sys.argv[2]
try:
    words = shlex.split(text)
except ValueError as exc:
    # Never the text: it may hold a secret substituted from a project variable.
    sys.stderr.write(f"lambda-release: {name} cannot be split into words ({exc}); close the quote or escape it with a backslash\n")
    sys.exit(2)
for word in words:
    if "\n" in word:
        sys.stderr.write(f"lambda-release: {name}: a word holds a line break; no argument may\n")
        sys.exit(2)
    print(word)
' "$1" "$2"
}
# end lr_common

main() {
  local template sarif
  template="$(lr_subst "${LR_STR_TEMPLATE:-}")"
  template="${template:-template.yaml}"
  sarif="$(lr_subst "${LR_STR_SARIF:-}")"
  sarif="${sarif:-lambda-release/check.sarif}"
  if [ ! -f "${template}" ]; then
    echo "lambda-release/check: template ${template} not found in $(pwd); set the template parameter (or app_dir)" >&2
    return 2
  fi
  mkdir -p "$(dirname "${sarif}")"
  local status=0
  lambda-release check "${template}" --output=sarif > "${sarif}" || status=$?
  if [ "${status}" -eq 0 ]; then
    echo "lambda-release/check: ${template}: no findings (SARIF: ${sarif})"
    return 0
  fi
  # One more run for a readable report; the first run's status is the step's.
  lambda-release check "${template}" || true
  echo "lambda-release/check: findings stored as SARIF in ${sarif}" >&2
  return "${status}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
