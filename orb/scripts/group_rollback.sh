#!/usr/bin/env bash
# Undo the group release this pipeline's group_deploy made, and only that one:
# `lambda-release group rollback FILE --group-release ID` undoes every member release still in
# effect, newest wave first, each through rollback's own path; idempotent, and finished by
# running it again after a kill. The id comes from the group_deploy job's record (through the
# workspace) or, when no record reached the workspace, from the group's log by this
# pipeline's id; never "the latest" (an approval left in an older pipeline must not undo a
# newer group release).
#   LR_STR_GROUP_FILE      the group file (default lambda-release.group.yml)
#   LR_STR_ALIAS           the alias (empty: the file's, else the branch decides)
#   LR_STR_GROUP_RELEASE   explicit group release id (beats the record)
#   LR_STR_DEPLOY_RECORD   the group_deploy job's record file (read for its id)
#   CIRCLE_PIPELINE_ID     this pipeline's id (CircleCI sets it), to search the group's log
#   LR_STR_REASON          why; the approver found by the approver step is appended
#   LR_STR_PROFILE_NAME    named AWS profile (default: the environment's credentials)
#   LR_INT_PIPELINE_NUMBER << pipeline.number >>, exported as CIRCLE_PIPELINE_NUMBER
#   LR_STR_RECORD_FILE     where to write the group rollback's record (its JSON result)
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

lr_record_group_id() {
  # The group release id in the group_deploy record $1, or nothing (no record, a placeholder).
  local record="$1"
  if [ -z "${record}" ] || [ ! -s "${record}" ]; then return 0; fi
  python3 -c '
import json, sys
try:
    data = json.load(open(sys.argv[1], encoding="utf-8"))
except (OSError, ValueError) as exc:
    sys.stderr.write("lambda-release/group_rollback: the group record %s is unreadable (%s); looking in the group log\n" % (sys.argv[1], exc))
    sys.exit(0)
gid = data.get("id") if isinstance(data, dict) and data.get("group") else ""
print(gid if isinstance(gid, str) else "")
' "${record}"
}

lr_log_group_id() {
  # The newest group release this pipeline made ($1: the pipeline id), from the group's log.
  local pipeline="$1" listing
  LR_ARGS=(group history "${LR_FILE}" --output=json --limit=50)
  lr_common_args
  listing="$(lambda-release "${LR_ARGS[@]}")" || return 1
  printf '%s' "${listing}" | python3 -c '
import json, sys
data = json.load(sys.stdin)
rows = data.get("releases", []) if isinstance(data, dict) else []
ids = [r.get("id", "") for r in rows if isinstance(r, dict) and r.get("pipeline_id") == sys.argv[1]]
print(ids[0] if ids else "")
' "${pipeline}"
}

lr_common_args() {
  # --alias and --profile when set (checked by lr_inputs).
  if [ -n "${LR_ALIAS}" ]; then LR_ARGS+=("--alias=${LR_ALIAS}"); fi
  if [ -n "${LR_PROFILE}" ]; then LR_ARGS+=("--profile=${LR_PROFILE}"); fi
  return 0
}

lr_inputs() {
  # Every value checked before anything runs: one value on one line (exit 2 naming it).
  LR_FILE="$(lr_subst "${LR_STR_GROUP_FILE:-}")"
  LR_ALIAS="$(lr_subst "${LR_STR_ALIAS:-}")"
  LR_PROFILE="$(lr_subst "${LR_STR_PROFILE_NAME:-}")"
  LR_GROUP_RELEASE="$(lr_subst "${LR_STR_GROUP_RELEASE:-}")"
  LR_DEPLOY_RECORD="$(lr_subst "${LR_STR_DEPLOY_RECORD:-}")"
  lr_one_line group_file "${LR_FILE}" || return
  lr_one_line alias "${LR_ALIAS}" || return
  lr_one_line profile_name "${LR_PROFILE}" || return
  lr_one_line group_release "${LR_GROUP_RELEASE}" || return
  lr_one_line deploy_record "${LR_DEPLOY_RECORD}" || return
  lr_one_line record_file "${LR_STR_RECORD_FILE:-}" || return
  LR_FILE="${LR_FILE:-lambda-release.group.yml}"
  case "${LR_FILE}" in -*) LR_FILE="./${LR_FILE}" ;; esac
  if [ ! -f "${LR_FILE}" ]; then
    echo "lambda-release/group_rollback: no group file ${LR_FILE} in $(pwd); set group_file to the file's path in the repository" >&2
    return 2
  fi
  return 0
}

lr_group_release_id() {
  local id pipeline
  if [ -n "${LR_GROUP_RELEASE}" ]; then
    printf '%s\n' "${LR_GROUP_RELEASE}"
    return 0
  fi
  id="$(lr_record_group_id "${LR_DEPLOY_RECORD}")" || return
  if [ -n "${id}" ]; then
    printf '%s\n' "${id}"
    return 0
  fi
  pipeline="${CIRCLE_PIPELINE_ID:-}"
  if [ -n "${pipeline}" ]; then
    echo "lambda-release/group_rollback: no group release id in ${LR_DEPLOY_RECORD:-(no record)}; looking up pipeline ${pipeline} in the group's log" >&2
    id="$(lr_log_group_id "${pipeline}")" || return 1
  fi
  if [ -z "${id}" ]; then
    echo "lambda-release/group_rollback: no group release id: the group record ${LR_DEPLOY_RECORD:-(unset)} is missing and the group's log has no release of pipeline ${pipeline:-(unknown)}; set the group_release parameter (lambda-release group history lists them)" >&2
    return 2
  fi
  printf '%s\n' "${id}"
}

main() {
  lr_pipeline_number || return
  lr_inputs || return
  local id
  id="$(lr_group_release_id)" || return
  if [ -z "${id}" ]; then
    # Never "the latest": an empty id would undo whatever group release is newest.
    echo "lambda-release/group_rollback: the group release id is empty; refusing to guess which to undo" >&2
    return 2
  fi
  local reason record="${LR_STR_RECORD_FILE:-}"
  reason="$(lr_subst "${LR_STR_REASON:-}")"
  # A YAML block (reason: |) is one reason: its lines become spaces.
  reason="${reason//$'\r'/}"
  reason="${reason//$'\n'/ }"
  reason="${reason:-group rollback from CircleCI} (approved by ${LAMBDA_RELEASE_APPROVER:-unknown})"
  LR_ARGS=(group rollback "${LR_FILE}" "--group-release=${id}" "--reason=${reason}" --output=json)
  lr_common_args
  if [ -z "${record}" ]; then
    lambda-release "${LR_ARGS[@]}"
    return
  fi
  # The JSON result is the group rollback's record; tee shows it in the log too, and
  # pipefail keeps the helper's exit status.
  mkdir -p -- "$(dirname -- "${record}")"
  lambda-release "${LR_ARGS[@]}" | tee -- "${record}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
