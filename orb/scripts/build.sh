#!/usr/bin/env bash
# sam build, through the helper so that the deploy step uses exactly this
# build output (.aws-sam/build). No --use-container by default: a Docker
# executor has no daemon; the SAM build image already has the runtime.
#   LR_STR_TEMPLATE          the template (default template.yaml)
#   LR_STR_EXTRA_BUILD_ARGS  extra `sam build` arguments, split by the shell's
#                            rules (--use-container --parameter-overrides "A=1 B=2");
#                            an unclosed quote is refused, never joined.
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

lr_build_args() {
  local template="$1" listing item
  printf '%s\n' build "--template-file=${template}"
  listing="$(lr_split extra_build_args "$(lr_subst "${LR_STR_EXTRA_BUILD_ARGS:-}")")" || return 2
  if [ -n "${listing}" ]; then
    while IFS= read -r item; do
      # --sam-arg=VALUE, never "--sam-arg VALUE": a value starting with "--" must
      # not be mistaken for an option of the helper.
      printf '%s\n' "--sam-arg=${item}"
    done < <(printf "%s\n" "${listing}")
  fi
  return 0
}

main() {
  local template
  template="$(lr_subst "${LR_STR_TEMPLATE:-}")"
  template="${template:-template.yaml}"
  if [ ! -f "${template}" ]; then
    echo "lambda-release/build: template ${template} not found in $(pwd); set the template parameter (or app_dir)" >&2
    return 2
  fi
  local -a args=()
  local listing
  listing="$(lr_build_args "${template}")" || return
  mapfile -t args < <(printf "%s" "${listing}")
  lambda-release "${args[@]}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
