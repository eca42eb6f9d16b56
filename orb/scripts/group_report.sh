#!/usr/bin/env bash
# The report of a group release (or group rollback): the group's record (the JSON result of
# `group deploy` / `group rollback`) as a Markdown table, one row per member (wave, stack,
# region, release, outcome), and each member release's own `lambda-release report` as an
# HTML page beside it, all in one folder stored as artifacts; the Markdown is printed at the
# end of the job's output. It runs `when: always` and never fails the job.
#   LR_STR_RECORD_FILE  the group record the release or rollback step wrote
#   LR_STR_REPORT_DIR   folder for report.md and the members' pages
# Neither is substituted: store_artifacts takes the same paths literally.
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


lr_group_markdown() {
  # $1: the group record; $2: the report folder. Writes $2/report.md and prints one line
  # per member release (page, stack, region, alias, release id, tab-separated) for its page.
  python3 -c '
import json, re, sys
record, folder = sys.argv[1], sys.argv[2]
try:
    with open(record, encoding="utf-8") as f:
        data = json.load(f)
except (OSError, ValueError):
    data = {}
data = data if isinstance(data, dict) else {}
members = data.get("members") if isinstance(data.get("members"), list) else []
def cell(value):
    text = "-" if value in (None, "") else str(value)
    return re.sub(r"[\x00-\x1f|]", " ", text)
if not data.get("group"):
    lines = ["No group release was recorded by this job (see its record, %s, and its log)." % record]
    pages = []
else:
    stopped = data.get("stopped_at_wave")
    title = "# Group %s release %s to %s: %s%s" % (
        cell(data.get("group")), cell(data.get("id")), cell(data.get("alias")),
        cell(data.get("outcome")), " at wave %s" % cell(stopped) if stopped else "")
    lines = [title, "", "| wave | stack | region | release | outcome | report |",
             "| --- | --- | --- | --- | --- | --- |"]
    pages = []
    for m in members:
        if not isinstance(m, dict):
            continue
        release = m.get("release") or ""
        page = ""
        if release and re.fullmatch(r"[A-Za-z0-9._:-]{1,128}", str(release)):
            page = re.sub(r"[^A-Za-z0-9.-]", "_", "%s-%s-%s.html" % (m.get("wave"), m.get("region"), m.get("stack")))
            pages.append("\t".join(str(x) for x in (page, m.get("stack"), m.get("region"), m.get("alias") or data.get("alias"), release)))
        lines.append("| %s | %s | %s | %s | %s | %s |" % (
            cell(m.get("wave")), cell(m.get("stack")), cell(m.get("region")), cell(release),
            cell(m.get("outcome")), page or "-"))
with open(folder + "/report.md", "w", encoding="utf-8") as out:
    out.write("\n".join(lines) + "\n")
for page in pages:
    print(page)
' "$1" "$2"
}

main() {
  local record dir pages page stack region alias release
  record="${LR_STR_RECORD_FILE:-}"
  dir="${LR_STR_REPORT_DIR:-}"
  # A value is one value: a line break in a parameter is bad input (exit 2), as everywhere.
  lr_one_line record_file "${record}" || return
  lr_one_line report_dir "${dir}" || return
  if [ -z "${dir}" ]; then
    echo "lambda-release/group_report: report_dir is empty; give a folder for the report" >&2
    return 2
  fi
  mkdir -p -- "${dir}"
  pages="$(lr_group_markdown "${record}" "${dir}")" || pages=""
  if [ -n "${pages}" ]; then
    while IFS=$'\t' read -r page stack region alias release; do
      # LR_ARGS, as in every script: it always starts with the helper's subcommand.
      LR_ARGS=(report "--release=${release}" "--stack=${stack}" "--region=${region}"
        "--alias=${alias}" --output=html "--output-file=${dir}/${page}")
      if ! lambda-release "${LR_ARGS[@]}"; then
        echo "lambda-release/group_report: no page for ${stack} in ${region} (see the lines above); the job's outcome stands"
      fi
    done <<< "${pages}"
  fi
  echo "group report (also stored as an artifact: ${dir}/report.md):"
  cat -- "${dir}/report.md"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
