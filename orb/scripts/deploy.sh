#!/usr/bin/env bash
# Release: snapshot the aliases, sam deploy with the alias override, and
# settle the release from what the aliases show; write the record file.
# The target (LAMBDA_RELEASE_STACK / _ALIAS) comes from the target step
# through $BASH_ENV. Parameters (environment variables on the run step; every
# string goes through lr_subst first, so `${CIRCLE_SHA1}` and `$BUCKET` work):
#   LR_STR_PARAMETER_OVERRIDES  SAM's syntax: A=1 B="x y" (lines are spaces too)
#   LR_STR_S3_BUCKET            artifacts bucket; or LR_BOOL_RESOLVE_S3=1
#   LR_STR_CAPABILITIES         capabilities separated by commas and/or spaces
#   LR_STR_REGION               AWS region (default: the environment's)
#   LR_STR_PROFILE_NAME         named AWS profile (default: the environment's credentials)
#   LR_STR_IMAGE_REPOSITORIES   Function=URI pairs for image functions, commas/spaces
#   LR_BOOL_RESOLVE_IMAGE_REPOS let SAM create the image repositories
#   LR_STR_EXTRA_DEPLOY_ARGS    extra `sam deploy` arguments, split by the shell's rules
#   LR_STR_SECRET_PARAMETERS    secret template parameters' names, commas/spaces
#   LR_STR_ALLOW_ROLLED_BACK_CODE a reason to release code a rollback undid (recorded)
#   LR_INT_PIPELINE_NUMBER << pipeline.number >>, exported as CIRCLE_PIPELINE_NUMBER
#   LR_STR_RECORD_FILE          where to write the release record (JSON); literal, as
#                               store_artifacts and persist_to_workspace take it
#   LR_INT_BAKE_MINUTES         minutes to bake a release that succeeded (0: none); the
#                               helper checks the number (exit 2 naming it)
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

lr_list() {
  # Appends $2=ITEM to LR_ARGS for each item of parameter $1's value $3, split on commas,
  # spaces and line breaks (a list: a line break only separates two items).
  local -a words=()
  local word
  IFS=$', \t\r\n' read -r -d '' -a words < <(printf '%s\n' "$3") || true
  for word in ${words[@]+"${words[@]}"}; do
    [ -n "${word}" ] && LR_ARGS+=("$2=${word}")
  done
  return 0
}

lr_deploy_args() {
  # Sets LR_ARGS, the helper's arguments. Every user value is joined to its option with
  # "=": a value starting with "-" can never be read as an option, and each value is
  # one argument (a single value holding a line break is refused, exit 2).
  LR_ARGS=(deploy "--stack=${LAMBDA_RELEASE_STACK}" "--alias=${LAMBDA_RELEASE_ALIAS}")
  local overrides
  overrides="$(lr_subst "${LR_STR_PARAMETER_OVERRIDES:-}")"
  if [ -n "${overrides//[[:space:]]/}" ]; then
    # SAM's own syntax, whose lines are spaces; the helper parses it and refuses what
    # it cannot read (exit 2).
    overrides="${overrides//$'\r'/}"
    LR_ARGS+=("--parameter-overrides=${overrides//$'\n'/ }")
  fi
  local bucket
  bucket="$(lr_subst "${LR_STR_S3_BUCKET:-}")"
  lr_one_line s3_bucket "${bucket}" || return
  if [ -n "${bucket}" ] && lr_true "${LR_BOOL_RESOLVE_S3:-}"; then
    echo "lambda-release/deploy: set s3_bucket or resolve_s3, not both" >&2
    return 2
  fi
  if [ -n "${bucket}" ]; then LR_ARGS+=("--s3-bucket=${bucket}"); fi
  if lr_true "${LR_BOOL_RESOLVE_S3:-}"; then LR_ARGS+=(--resolve-s3); fi
  lr_list capabilities --capabilities "$(lr_subst "${LR_STR_CAPABILITIES:-}")"
  lr_list image_repositories --image-repositories "$(lr_subst "${LR_STR_IMAGE_REPOSITORIES:-}")"
  if lr_true "${LR_BOOL_RESOLVE_IMAGE_REPOS:-}"; then LR_ARGS+=(--resolve-image-repos); fi
  lr_list secret_parameters --secret-parameter "$(lr_subst "${LR_STR_SECRET_PARAMETERS:-}")"
  local reason
  reason="$(lr_subst "${LR_STR_ALLOW_ROLLED_BACK_CODE:-}")"
  if [ -n "${reason//[[:space:]]/}" ]; then
    # Free text: its lines become spaces (the helper refuses a line break in a reason).
    reason="${reason//$'\r'/}"
    LR_ARGS+=("--allow-rolled-back-code=${reason//$'\n'/ }")
  fi
  local region profile record log_bucket
  region="$(lr_subst "${LR_STR_REGION:-}")"
  profile="$(lr_subst "${LR_STR_PROFILE_NAME:-}")"
  log_bucket="$(lr_subst "${LR_STR_LOG_BUCKET:-}")"
  record="${LR_STR_RECORD_FILE:-}"
  lr_one_line region "${region}" || return
  lr_one_line profile_name "${profile}" || return
  lr_one_line log_bucket "${log_bucket}" || return
  lr_one_line record_file "${record}" || return
  if [ -n "${region}" ]; then LR_ARGS+=("--region=${region}"); fi
  if [ -n "${profile}" ]; then LR_ARGS+=("--profile=${profile}"); fi
  if [ -n "${log_bucket}" ]; then LR_ARGS+=("--log-bucket=${log_bucket}"); fi
  if [ -n "${record}" ]; then LR_ARGS+=("--record-file=${record}"); fi
  local bake="${LR_INT_BAKE_MINUTES:-0}"
  if [ -n "${bake}" ] && [ "${bake}" != "0" ]; then LR_ARGS+=("--bake=${bake}"); fi
  lr_sam_args extra_deploy_args "$(lr_subst "${LR_STR_EXTRA_DEPLOY_ARGS:-}")" || return
  return 0
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
    echo "lambda-release/deploy: no target: run lambda-release/target first (it exports LAMBDA_RELEASE_STACK and LAMBDA_RELEASE_ALIAS)" >&2
    return 2
  fi
  lr_pipeline_number || return
  lr_deploy_args || return
  local record="${LR_STR_RECORD_FILE:-}"
  if [ -n "${record}" ]; then
    mkdir -p -- "$(dirname -- "${record}")"
  fi
  lambda-release "${LR_ARGS[@]}"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
