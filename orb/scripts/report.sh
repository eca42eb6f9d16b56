#!/usr/bin/env bash
# Runs with `when: always`, after the release or rollback step: the report of what the
# record names (`lambda-release report`), as Markdown and HTML, into the folder the job
# stores as artifacts, and the Markdown printed at the end of the job's output. It never
# fails the job: the job's outcome is the release's.
#   LR_STR_RECORD_FILE  the record the deploy or rollback step wrote (its release id)
#   LR_STR_REPORT_DIR   where report.md and report.html go
# The Markdown is also exported for the job's later steps (a notifier's: the slack orb's
# notify, orb/examples/notify_slack.yml) as LAMBDA_RELEASE_REPORT_MARKDOWN, through
# $BASH_ENV, quoted by Python's shlex: nothing in it is ever evaluated.
set -euo pipefail
# bash 4.4+; the AL2 SAM images ship bash 4.2 (docs/orb.md): there each $(...) is checked
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


record_field() {
  # A field of the record ($2: id, rollback or log), "" when absent or not JSON.
  python3 -c '
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
except (OSError, ValueError):
    data = {}
data = data if isinstance(data, dict) else {}
value = (data.get("log") or {}).get("location") if sys.argv[2] == "log" else data.get(sys.argv[2])
print(value if isinstance(value, str) else "")
' "$1" "$2"
}

export_markdown() {
  # $1: report.md. Appends `export LAMBDA_RELEASE_REPORT_MARKDOWN=...` to $BASH_ENV: the
  # text with control characters other than line breaks shown escaped (as the helper shows
  # every text), cut at a line to Slack's 12,000 characters for a markdown block (a note
  # says so), quoted for the shell by shlex.quote (a string in single quotes).
  [ -n "${BASH_ENV:-}" ] || return 0
  python3 -c '
import shlex, sys
LIMIT = 12000
try:
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        text = f.read()
except OSError:
    text = ""
def shown(c):
    if c == "\n" or (c.isprintable() and c not in "\u2028\u2029"):
        return c
    return "\\x%02x" % ord(c) if ord(c) < 256 else "\\u%04x" % ord(c)
text = "".join(shown(c) for c in text.replace("\r\n", "\n"))
if len(text) > LIMIT:
    note = "\n\n*(cut to %d characters: the whole report is in the job\x27s artifacts, report.md)*\n" % LIMIT
    room = LIMIT - len(note)
    cut = text.rfind("\n", 0, room)
    text = text[: cut if cut > 0 else room] + note
print("export LAMBDA_RELEASE_REPORT_MARKDOWN=" + shlex.quote(text))
' "$1" >> "${BASH_ENV}" \
    || echo "lambda-release/report: LAMBDA_RELEASE_REPORT_MARKDOWN not exported (BASH_ENV ${BASH_ENV} not writable); the job's outcome stands" >&2
  return 0
}

main() {
  local record dir id log
  # Not substituted: store_artifacts takes the same paths literally.
  record="${LR_STR_RECORD_FILE:-}"
  dir="${LR_STR_REPORT_DIR:-}"
  # A value is one value: a line break in a parameter is bad input (exit 2), as everywhere.
  lr_one_line record_file "${record}" || return
  lr_one_line report_dir "${dir}" || return
  if [ -z "${dir}" ]; then
    echo "lambda-release/report: report_dir is empty; give a folder for the report" >&2
    return 2
  fi
  mkdir -p "${dir}"
  id="$(record_field "${record}" id)"
  [ -n "${id}" ] || id="$(record_field "${record}" rollback)"
  if [ -z "${id}" ]; then
    printf '%s\n' "No release was recorded by this job (see its record, ${record}, and its log)." \
      | tee "${dir}/report.md"
    export_markdown "${dir}/report.md"
    return 0
  fi
  # LR_ARGS, as in every script: it always starts with the helper's subcommand (never empty)
  LR_ARGS=(report "--release=${id}")
  log="$(record_field "${record}" log)"
  [ -z "${log}" ] || LR_ARGS+=("--log-bucket=${log}")
  if ! lambda-release "${LR_ARGS[@]}" --output=html --output-file="${dir}/report.html" \
    || ! lambda-release "${LR_ARGS[@]}" --output=markdown --output-file="${dir}/report.md"; then
    echo "lambda-release/report: no report of ${id} (see the lines above); the job's outcome stands"
    printf '%s\n' "No report of ${id}: see the job's output." > "${dir}/report.md"
    export_markdown "${dir}/report.md"
    return 0
  fi
  echo "release report (also stored as an artifact: ${dir}/report.html):"
  cat "${dir}/report.md"
  export_markdown "${dir}/report.md"
}

if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
