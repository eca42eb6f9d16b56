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
# inherit_errexit (bash 4.4+) where there is one; every function called in $(...) returns its
# failures explicitly, since bash 4.2 runs command substitutions without -e.
shopt -s inherit_errexit 2>/dev/null || true

# begin lr_common: the same in every script (tests/orb/test_scripts.py compares them)
# Bash 4.2 (the Amazon Linux 2 SAM images) and later: no namerefs, no ${x@Q}, no
# mapfile -d, no inherit_errexit (4.4; guarded where set), and an array that may be
# empty is expanded as ${a[@]+"${a[@]}"} (4.2's set -u calls an empty one unbound).
# tests/orb/test_bash42.py lists the constructs and refuses them.
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

lr_one_line() {
  # $1: a parameter's name; $2: its value, which is one argument. A line break in it
  # is refused (exit 2, naming the parameter, never the value: it may be a secret).
  case "$2" in
    *$'\n'*|*$'\r'*)
      echo "lambda-release: the ${1} parameter holds a line break; give one value on one line" >&2
      return 2 ;;
  esac
  return 0
}

lr_split() {
  # $2 split into words by the shell's quoting rules (quotes, backslashes; nothing is
  # expanded or run), one word per line; exit 2 naming parameter $1 when it cannot be,
  # or when a word holds a line break (so one line is always exactly one word).
  python3 -c '
import shlex, sys
name, text = sys.argv[1], sys.argv[2]
try:
    words = shlex.split(text)
except ValueError as exc:
    # Never the text: it may hold a secret substituted from a project variable.
    sys.stderr.write("lambda-release: %s cannot be split into words (%s); close the quote or escape it with a backslash\n" % (name, exc))
    sys.exit(2)
for word in words:
    if "\n" in word or "\r" in word:
        sys.stderr.write("lambda-release: %s: a word holds a line break; no argument may\n" % name)
        sys.exit(2)
    print(word)
' "$1" "$2"
}

lr_sam_args() {
  # Appends --sam-arg=WORD to LR_ARGS for each word of $2 (parameter $1): "=" so that a
  # word starting with "--" is never read as an option of the helper.
  local listing word
  listing="$(lr_split "$1" "$2")" || return 2
  [ -n "${listing}" ] || return 0
  while IFS= read -r word; do
    LR_ARGS+=("--sam-arg=${word}")
  done <<< "${listing}"
  return 0
}
# end lr_common


lr_target_args() {
  # Sets LR_ARGS (after "target"); a single value holding a line break is refused (exit 2).
  LR_ARGS=(target)
  local pattern name value var
  for pattern in $(lr_subst "${LR_STR_PRODUCTION_BRANCH:-}"); do
    # Word splitting on spaces and line breaks is the documented rule (a list);
    # globbing is off (set -f).
    LR_ARGS+=("--production-branch=${pattern}")
  done
  for name in prod_alias staging_alias stack_prefix prod_stack staging_stack; do
    var="LR_STR_${name^^}"
    value="$(lr_subst "${!var:-}")"
    lr_one_line "${name}" "${value}" || return
    if [ -n "${value}" ]; then LR_ARGS+=("--${name//_/-}=${value}"); fi
  done
  case "${LR_ENUM_TARGET_ENVIRONMENT:-auto}" in
    auto|"") ;;
    *) LR_ARGS+=("--environment=${LR_ENUM_TARGET_ENVIRONMENT}") ;;
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
  lr_one_line alias "${alias}" || return
  lr_one_line stack "${stack}" || return
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
  lr_target_args || return
  local exports
  exports="$(lambda-release "${LR_ARGS[@]}")"
  printf '%s\n' "${exports}" >> "${BASH_ENV}"
  printf '%s\n' "${exports}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
