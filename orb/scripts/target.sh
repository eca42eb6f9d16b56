#!/usr/bin/env bash
# Work out the release target from the branch and export it through $BASH_ENV
# (LAMBDA_RELEASE_ENVIRONMENT, _ALIAS, _STACK, _BRANCH) for the later steps.
# Parameters (environment variables on the run step; empty means "not set"):
#   LR_STR_PRODUCTION_BRANCH  branch patterns releasing to production, separated by spaces
#   LR_STR_PROD_ALIAS LR_STR_STAGING_ALIAS LR_STR_STACK_PREFIX
#   LR_STR_PROD_STACK LR_STR_STAGING_STACK
#   LR_ENUM_TARGET_ENVIRONMENT auto (from the branch), prod or staging
#   LR_STR_ALIAS LR_STR_STACK explicit alias and stack: skip the branch rule entirely
# Strings go through lr_subst first (`$VAR`, `${VAR}`), as CircleCI's own orbs do.
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


lr_target_args() {
  # Prints one argument per line; nothing here is split by a shell.
  local pattern value
  for pattern in $(lr_subst "${LR_STR_PRODUCTION_BRANCH:-}"); do
    # Word splitting on spaces is the documented rule; globbing is off (set -f).
    printf '%s\n' "--production-branch=${pattern}"
  done
  value="$(lr_subst "${LR_STR_PROD_ALIAS:-}")"
  if [ -n "${value}" ]; then printf '%s\n' "--prod-alias=${value}"; fi
  value="$(lr_subst "${LR_STR_STAGING_ALIAS:-}")"
  if [ -n "${value}" ]; then printf '%s\n' "--staging-alias=${value}"; fi
  value="$(lr_subst "${LR_STR_STACK_PREFIX:-}")"
  if [ -n "${value}" ]; then printf '%s\n' "--stack-prefix=${value}"; fi
  value="$(lr_subst "${LR_STR_PROD_STACK:-}")"
  if [ -n "${value}" ]; then printf '%s\n' "--prod-stack=${value}"; fi
  value="$(lr_subst "${LR_STR_STAGING_STACK:-}")"
  if [ -n "${value}" ]; then printf '%s\n' "--staging-stack=${value}"; fi
  case "${LR_ENUM_TARGET_ENVIRONMENT:-auto}" in
    auto|"") ;;
    *) printf '%s\n' "--environment=${LR_ENUM_TARGET_ENVIRONMENT}" ;;
  esac
  return 0
}

lr_quote() {
  # Single-quote for $BASH_ENV: inside '...' bash expands nothing.
  local q="'\\''"
  printf "'%s'" "${1//\'/${q}}"
}

main() {
  set -f
  local alias stack
  alias="$(lr_subst "${LR_STR_ALIAS:-}")"
  stack="$(lr_subst "${LR_STR_STACK:-}")"
  if [ -n "${alias}" ] || [ -n "${stack}" ]; then
    if [ -z "${alias}" ] || [ -z "${stack}" ]; then
      echo "lambda-release/target: alias and stack must be given together (or neither, to use the branch rule)" >&2
      return 2
    fi
    {
      printf 'export LAMBDA_RELEASE_ALIAS=%s\n' "$(lr_quote "${alias}")"
      printf 'export LAMBDA_RELEASE_STACK=%s\n' "$(lr_quote "${stack}")"
    } >> "${BASH_ENV}"
    echo "explicit target: alias ${alias}, stack ${stack}"
    return 0
  fi
  if ! command -v lambda-release >/dev/null 2>&1; then
    echo "lambda-release/target: the helper is not on PATH; run lambda-release/install first" >&2
    return 2
  fi
  if [ -z "${CIRCLE_BRANCH:-}" ] && [ "${LR_ENUM_TARGET_ENVIRONMENT:-auto}" = "auto" ]; then
    echo "lambda-release/target: this pipeline has no branch (a tag build?); set target_environment to prod or staging, or give alias and stack" >&2
    return 2
  fi
  local -a args=()
  local listing
  listing="$(lr_target_args)" || return
  mapfile -t args < <(printf "%s" "${listing}")
  local exports
  exports="$(lambda-release target "${args[@]}")"
  printf '%s\n' "${exports}" >> "${BASH_ENV}"
  printf '%s\n' "${exports}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
