#!/usr/bin/env bash
# Install the lambda-release helper into its own virtual environment and put
# only its console script on PATH (appended, so the image's python and sam
# stay first). Parameters arrive as environment variables on the run step:
#   LR_STR_HELPER_SOURCE  empty: the pinned release from PyPI; else a pip
#                         requirement, a local path or a wheel file ($VAR expanded).
#   LR_BOOL_WITH_CHECK    1: also install the template check's extra (cfn-lint).
#   LR_STR_HELPER_HOME    where the environment lives (default ~/.lambda-release,
#                         the folder the install command caches).
#   LR_STR_CACHE_KEY_FILE with LR_STR_MODE=key: where to write the cache key's
#                         text (the install command checksums it).
# With uv the install takes seconds; an image without uv gets uv first (with pip,
# into the helper's folder, so it is cached too), and plain pip only if that fails.
# An environment restored from the cache whose key matches is used as it is.
# The pinned version below is bumped by scripts/release.py together with the
# package: a test fails when the two differ.
LR_HELPER_VERSION="1.0.0"

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

lr_requirement() {
  # $1: the source (empty: PyPI at the pinned version). The [check] extra brings
  # cfn-lint, which only the template check needs.
  local extra=""
  if lr_true "${LR_BOOL_WITH_CHECK:-}"; then extra="[check]"; fi
  if [ -n "${1:-}" ]; then
    printf '%s%s\n' "$1" "${extra}"
  else
    printf 'lambda-release%s==%s\n' "${extra}" "${LR_HELPER_VERSION}"
  fi
}

lr_local_source() {
  # A wheel file, a source folder (it has pyproject.toml), or a folder holding
  # exactly one wheel (what a build job persisted to the workspace).
  local source="$1"
  if [ -f "${source}" ] || [ -f "${source}/pyproject.toml" ]; then
    printf '%s\n' "${source}"
    return 0
  fi
  if [ -d "${source}" ]; then
    local -a wheels=("${source}"/*.whl)
    if [ "${#wheels[@]}" -eq 1 ] && [ -f "${wheels[0]}" ]; then
      printf '%s\n' "${wheels[0]}"
      return 0
    fi
    echo "lambda-release/install: helper_source ${source} does not hold exactly one wheel; give the wheel file itself" >&2
    return 2
  fi
  echo "lambda-release/install: helper_source ${source} does not exist; give a wheel, a source folder, or leave it empty for lambda-release==${LR_HELPER_VERSION}" >&2
  return 2
}

lr_resolved_requirement() {
  local source
  source="$(lr_subst "${LR_STR_HELPER_SOURCE:-}")"
  case "${source}" in
    /*|./*|../*)
      source="$(lr_local_source "${source}")" || return ;;
  esac
  lr_requirement "${source}"
}

lr_cache_key() {
  # What the environment depends on: the requirement (and a local wheel's content),
  # the Python it is built on, the machine. Any change makes a new cache key.
  local requirement="$1" python
  python="$(command -v python3 || echo none)"
  printf 'requirement %s\n' "${requirement}"
  case "${requirement}" in
    /*|./*|../*)
      local path="${requirement%\[check\]}"
      if [ -f "${path}" ]; then printf 'sha256 %s\n' "$(sha256sum < "${path}" | cut -d' ' -f1)"; fi ;;
  esac
  printf 'python %s %s\n' "${python}" "$("${python}" --version 2>&1 || true)"
  printf 'machine %s\n' "$(uname -sm)"
}

lr_pip() {
  # "$@" (a python -m pip command) for the helper's own folders: never a user install, whatever
  # the environment asks (PIP_USER=1 breaks --target and venvs); images run as root, so pip's
  # warning about it is noise (older pips ignore both variables).
  PIP_USER=0 PIP_ROOT_USER_ACTION=ignore "$@"
}

lr_uv() {
  # uv from PATH (the newer SAM images have it), else one installed by pip into $1/tools
  # (cached with the helper): with --target (no virtual environment to make first, which
  # alone takes seconds), else into a venv. Prints its path; fails, saying why, when none works.
  local home="$1" tools="$1/tools"
  if command -v uv >/dev/null 2>&1; then command -v uv; return 0; fi
  if [ -x "${tools}/bin/uv" ]; then printf '%s\n' "${tools}/bin/uv"; return 0; fi
  command -v python3 >/dev/null 2>&1 || return 1
  rm -rf "${tools}"
  if lr_pip python3 -m pip install --quiet --disable-pip-version-check --target "${tools}" uv >&2 \
      && [ -x "${tools}/bin/uv" ]; then
    printf '%s\n' "${tools}/bin/uv"
    return 0
  fi
  echo "lambda-release/install: pip could not install uv into ${tools}; trying a virtual environment" >&2
  rm -rf "${tools}"
  python3 -m venv "${tools}" >&2 || return 1
  lr_pip "${tools}/bin/python" -m pip install --quiet --disable-pip-version-check uv >&2 || return 1
  [ -x "${tools}/bin/uv" ] || return 1
  printf '%s\n' "${tools}/bin/uv"
}

lr_install_into() {
  # $1: the helper's folder; $2: the requirement.
  local home="$1" requirement="$2" uv venv="$1/venv"
  if uv="$(lr_uv "${home}")"; then
    # Only when missing: older uv releases have no --allow-existing.
    [ -x "${venv}/bin/python" ] || "${uv}" venv --quiet --python "$(command -v python3 || echo python3)" "${venv}"
    "${uv}" pip install --quiet --python "${venv}/bin/python" "${requirement}"
    return
  fi
  if ! command -v python3 >/dev/null 2>&1; then
    echo "lambda-release/install: neither uv nor python3 is on PATH; use the orb's default executor or install Python 3.11+ first" >&2
    return 2
  fi
  echo "lambda-release/install: uv could not be installed (see above); using pip (slower)" >&2
  python3 -m venv "${venv}"
  lr_pip "${venv}/bin/python" -m pip install --quiet --disable-pip-version-check "${requirement}"
}

lr_home() {
  local home
  home="$(lr_subst "${LR_STR_HELPER_HOME:-}")"
  printf '%s\n' "${home:-${HOME}/.lambda-release}"
}

write_key() {
  local requirement file="${LR_STR_CACHE_KEY_FILE:-/tmp/lambda-release-helper.cache-key}"
  requirement="$(lr_resolved_requirement)" || return
  lr_cache_key "${requirement}" > "${file}"
  echo "helper cache key (${file}):"
  cat "${file}"
}

main() {
  local home requirement key
  home="$(lr_home)"
  requirement="$(lr_resolved_requirement)" || return
  key="$(lr_cache_key "${requirement}")"
  if [ -x "${home}/venv/bin/lambda-release" ] && [ "$(cat "${home}/cache-key" 2>/dev/null || true)" = "${key}" ]; then
    echo "Using ${requirement} from ${home}/venv (restored from the cache)"
  else
    echo "Installing ${requirement} into ${home}/venv"
    rm -rf "${home}/venv"
    lr_install_into "${home}" "${requirement}"
    printf '%s\n' "${key}" > "${home}/cache-key"
  fi
  mkdir -p "${home}/bin"
  ln -sf "${home}/venv/bin/lambda-release" "${home}/bin/lambda-release"
  # $PATH is expanded when $BASH_ENV is sourced; the folder is single-quoted
  # so that nothing in it is ever expanded.
  local q="'\\''"
  # shellcheck disable=SC2016
  printf 'export PATH="$PATH":'"'"'%s'"'"'\n' "${home//\'/${q}}/bin" >> "${BASH_ENV}"
  # The version from the package's metadata: the CLI's own --version would import boto3
  # (a third of a second in every job) only to say what the next step's start shows anyway.
  "${home}/venv/bin/python" -c \
    'import importlib.metadata as m; print("lambda-release", m.version("lambda-release"))'
}

# Tests source this file with LR_SOURCE_ONLY=1 to call the functions one by one.
if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  if [ "${LR_STR_MODE:-install}" = "key" ]; then write_key; else main "$@"; fi
fi
