#!/usr/bin/env bash
# Release a group: `lambda-release group deploy FILE`, wave by wave (issue 33; docs/waves.md).
# The helper builds once per distinct template, releases each wave's targets (a stack in a
# region each) through deploy's own path, bakes between waves, stops before the next wave on
# any failure or alarm and (on_failure: rollback) undoes every member released. One process
# for the whole group: the order, the bakes and the undo need one that sees every member.
# Its JSON result is the group's record. Parameters (environment variables on the run step;
# strings go through lr_subst first, so `$GROUP_FILE` and `${ALIAS}` work):
#   LR_STR_GROUP_FILE      the group file (default lambda-release.group.yml)
#   LR_STR_ALIAS           the alias (empty: the file's, else the branch decides)
#   LR_STR_PROFILE_NAME    named AWS profile (default: the environment's credentials)
#   LR_BOOL_DRY_RUN        run each member's pre-flight only: nothing built or changed
#   LR_INT_PIPELINE_NUMBER << pipeline.number >>, exported as CIRCLE_PIPELINE_NUMBER
#   LR_STR_RECORD_FILE     where to write the group's record (its JSON result); literal, as
#                          store_artifacts and persist_to_workspace take it
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

lr_pipeline_number() {
  # CircleCI has no CIRCLE_PIPELINE_NUMBER variable: the job passes << pipeline.number >>
  # (pipeline_number), exported here for the helper's release log; digits only.
  local number
  number="${LR_INT_PIPELINE_NUMBER:-0}"
  [ "${number}" != 0 ] || return 0
  if ! [[ "${number}" =~ ^[0-9]+$ ]]; then
    echo "lambda-release: the pipeline_number parameter must be digits (give << pipeline.number >>)" >&2
    return 2
  fi
  export CIRCLE_PIPELINE_NUMBER="${number}"
}

lr_group_args() {
  # Sets LR_ARGS, the helper's arguments; every user value joined to its option with "="
  # (a value starting with "-" is never an option) and refused when it holds a line break.
  local file alias profile record
  file="$(lr_subst "${LR_STR_GROUP_FILE:-}")"
  alias="$(lr_subst "${LR_STR_ALIAS:-}")"
  profile="$(lr_subst "${LR_STR_PROFILE_NAME:-}")"
  record="${LR_STR_RECORD_FILE:-}"
  lr_one_line group_file "${file}" || return
  lr_one_line alias "${alias}" || return
  lr_one_line profile_name "${profile}" || return
  lr_one_line record_file "${record}" || return
  file="${file:-lambda-release.group.yml}"
  if [ ! -f "${file}" ]; then
    echo "lambda-release/group_deploy: no group file ${file} in $(pwd); set group_file to the file's path in the repository" >&2
    return 2
  fi
  # The file is the positional argument, right after the action: a name starting with "-"
  # gets "./" so that it is never read as an option.
  case "${file}" in -*) file="./${file}" ;; esac
  LR_ARGS=(group deploy "${file}" --output=json)
  if [ -n "${alias}" ]; then LR_ARGS+=("--alias=${alias}"); fi
  if [ -n "${profile}" ]; then LR_ARGS+=("--profile=${profile}"); fi
  if lr_true "${LR_BOOL_DRY_RUN:-}"; then LR_ARGS+=(--dry-run); fi
  return 0
}

main() {
  lr_pipeline_number || return
  lr_group_args || return
  local record="${LR_STR_RECORD_FILE:-}"
  if [ -z "${record}" ]; then
    lambda-release "${LR_ARGS[@]}"
    return
  fi
  # The JSON result is the group's record; tee shows it in the log too (progress lines go
  # to stderr), and pipefail keeps the helper's exit status.
  mkdir -p -- "$(dirname -- "${record}")"
  lambda-release "${LR_ARGS[@]}" | tee -- "${record}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
