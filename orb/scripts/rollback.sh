#!/usr/bin/env bash
# Undo the release this pipeline's deploy made, and only that one: the
# release id comes from the deploy job's record (through the workspace) or,
# when no record reached the workspace (CircleCI skips persist_to_workspace
# after a failed step), from the release log by this pipeline's id. So a
# re-run or a second approval is a no-op and an approval left in an older
# pipeline cannot undo a newer release (the helper refuses, naming it).
#   LR_STR_RELEASE       explicit release id (beats the record)
#   LR_STR_DEPLOY_RECORD the deploy job's record file (read for its release id)
#   CIRCLE_PIPELINE_ID   this pipeline's id (CircleCI sets it), to search the log
#   LR_STR_REASON        why; the approver found by the approver step is appended
#   LR_STR_REGION        AWS region (default: the environment's)
#   LR_STR_PROFILE_NAME  named AWS profile (default: the environment's credentials)
#   LR_STR_LOG_BUCKET    where the release log is (default: the stack's tag, else the deploy's bucket)
#   LR_INT_PIPELINE_NUMBER << pipeline.number >>, exported as CIRCLE_PIPELINE_NUMBER
#   LR_STR_RECORD_FILE   where to write the rollback's own record (its JSON output)
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

lr_record_release_id() {
  # The release id in the deploy record $1, or nothing (no record, or a placeholder).
  local record="$1"
  if [ -z "${record}" ] || [ ! -s "${record}" ]; then return 0; fi
  python3 -c '
import json, sys
try:
    data = json.load(open(sys.argv[1], encoding="utf-8"))
except (OSError, ValueError) as exc:
    sys.stderr.write(f"lambda-release/rollback: the deploy record {sys.argv[1]} is unreadable ({exc}); looking in the release log\n")
    sys.exit(0)
rid = data.get("release_id") or data.get("id") or "" if isinstance(data, dict) else ""
print(rid if isinstance(rid, str) else "")
' "${record}"
}

lr_log_release_id() {
  # The newest release this pipeline made, from the release log ($1: the pipeline id).
  local pipeline="$1" listing
  LR_ARGS=(history "--stack=${LAMBDA_RELEASE_STACK}" "--alias=${LAMBDA_RELEASE_ALIAS}"
    "--pipeline-id=${pipeline}" --output=json)
  lr_aws_args || return
  listing="$(lambda-release "${LR_ARGS[@]}")" || return 1
  printf '%s' "${listing}" | python3 -c '
import json, sys
entries = json.load(sys.stdin)
ids = [e.get("id", "") for e in entries if isinstance(e, dict) and e.get("kind", "release") == "release"]
print(ids[0] if ids else "")
'
}

lr_aws_args() {
  # Appends --region / --profile / --log-bucket to LR_ARGS when they are set; a value
  # holding a line break is refused (exit 2), never split.
  local region profile log_bucket
  region="$(lr_subst "${LR_STR_REGION:-}")"
  profile="$(lr_subst "${LR_STR_PROFILE_NAME:-}")"
  log_bucket="$(lr_subst "${LR_STR_LOG_BUCKET:-}")"
  lr_one_line region "${region}" || return
  lr_one_line profile_name "${profile}" || return
  lr_one_line log_bucket "${log_bucket}" || return
  if [ -n "${region}" ]; then LR_ARGS+=("--region=${region}"); fi
  if [ -n "${profile}" ]; then LR_ARGS+=("--profile=${profile}"); fi
  if [ -n "${log_bucket}" ]; then LR_ARGS+=("--log-bucket=${log_bucket}"); fi
  return 0
}

lr_release_id() {
  local release record pipeline
  release="$(lr_subst "${LR_STR_RELEASE:-}")"
  record="$(lr_subst "${LR_STR_DEPLOY_RECORD:-}")"
  lr_one_line release "${release}" || return
  lr_one_line deploy_record "${record}" || return
  if [ -n "${release}" ]; then
    printf '%s\n' "${release}"
    return 0
  fi
  release="$(lr_record_release_id "${record}")" || return
  if [ -n "${release}" ]; then
    printf '%s\n' "${release}"
    return 0
  fi
  # Built into every CircleCI job since 2024 (orbs cannot read pipeline values).
  pipeline="${CIRCLE_PIPELINE_ID:-}"
  if [ -n "${pipeline}" ]; then
    echo "lambda-release/rollback: no release id in ${record:-(no record)}; looking up pipeline ${pipeline} in the release log" >&2
    release="$(lr_log_release_id "${pipeline}")" || return 1
  fi
  if [ -z "${release}" ]; then
    echo "lambda-release/rollback: no release id: the deploy record ${record:-(unset)} is missing and the release log has no release of pipeline ${pipeline:-(unknown)}; set the release parameter" >&2
    return 2
  fi
  printf '%s\n' "${release}"
}

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

main() {
  if [ -z "${LAMBDA_RELEASE_STACK:-}" ] || [ -z "${LAMBDA_RELEASE_ALIAS:-}" ]; then
    echo "lambda-release/rollback: no target: run lambda-release/target first, or set alias and stack" >&2
    return 2
  fi
  lr_pipeline_number || return
  local release
  release="$(lr_release_id)" || return
  if [ -z "${release}" ]; then
    # Never "the latest": an empty id would undo whatever release is newest.
    echo "lambda-release/rollback: the release id is empty; refusing to guess which release to undo" >&2
    return 2
  fi
  local reason record
  reason="$(lr_subst "${LR_STR_REASON:-}")"
  # A YAML block (reason: |) is one reason: its lines become spaces, as deploy.sh does,
  # since the helper refuses a line break in free text.
  reason="${reason//$'\r'/}"
  reason="${reason//$'\n'/ }"
  reason="${reason:-rollback from CircleCI} (approved by ${LAMBDA_RELEASE_APPROVER:-unknown})"
  record="${LR_STR_RECORD_FILE:-}"
  lr_one_line record_file "${record}" || return
  # "--option=value": a value starting with "-" is never read as an option.
  LR_ARGS=(rollback "--stack=${LAMBDA_RELEASE_STACK}" "--alias=${LAMBDA_RELEASE_ALIAS}"
    "--release=${release}" "--reason=${reason}")
  lr_aws_args || return
  if [ -z "${record}" ]; then
    lambda-release "${LR_ARGS[@]}"
    return
  fi
  # The JSON result is the rollback's record; tee shows it in the log too, and
  # pipefail keeps the helper's exit status.
  mkdir -p -- "$(dirname -- "${record}")"
  lambda-release "${LR_ARGS[@]}" --output=json | tee -- "${record}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
