#!/usr/bin/env bash
# Install the lambda-release helper into its own virtual environment and put
# only its console script on PATH (appended, so the image's python and sam
# stay first). Parameters arrive as environment variables on the run step:
#   LR_STR_HELPER_SOURCE  empty: the pinned release from PyPI; else a pip
#                         requirement, a local path or a wheel file.
#   LR_BOOL_WITH_CHECK    true: also install the template check's extra (cfn-lint).
#   LR_STR_HELPER_HOME    where the environment lives (default ~/.lambda-release).
# The pinned version below is bumped by scripts/release.py together with the
# package: a test fails when the two differ.
LR_HELPER_VERSION="0.1.0"

lr_requirement() {
  # $1: the source (empty: PyPI at the pinned version). The [check] extra brings
  # cfn-lint, which only the template check needs.
  local extra=""
  # CircleCI renders a boolean parameter as true/false.
  case "${LR_BOOL_WITH_CHECK:-}" in true|1) extra="[check]" ;; esac
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

lr_install_into() {
  # $1: the virtual environment; $2: the requirement. uv (in the SAM image)
  # is much faster than pip; pip is the fall-back for other images.
  local venv="$1" requirement="$2"
  if command -v uv >/dev/null 2>&1; then
    # Only when missing: older uv releases have no --allow-existing.
    [ -x "${venv}/bin/python" ] || uv venv --quiet "${venv}"
    uv pip install --quiet --python "${venv}/bin/python" "${requirement}"
  else
    if ! command -v python3 >/dev/null 2>&1; then
      echo "lambda-release/install: neither uv nor python3 is on PATH; use the orb's default executor or install Python 3.11+ first" >&2
      return 2
    fi
    python3 -m venv "${venv}"
    "${venv}/bin/python" -m pip install --quiet --disable-pip-version-check "${requirement}"
  fi
}

main() {
  local home="${LR_STR_HELPER_HOME:-}"
  if [ -z "${home}" ]; then home="${HOME}/.lambda-release"; fi
  local source="${LR_STR_HELPER_SOURCE:-}"
  case "${source}" in
    /*|./*|../*)
      source="$(lr_local_source "${source}")" ;;
  esac
  local requirement
  requirement="$(lr_requirement "${source}")"
  echo "Installing ${requirement} into ${home}/venv"
  lr_install_into "${home}/venv" "${requirement}"
  mkdir -p "${home}/bin"
  ln -sf "${home}/venv/bin/lambda-release" "${home}/bin/lambda-release"
  # $PATH is expanded when $BASH_ENV is sourced; the folder is single-quoted
  # so that nothing in it is ever expanded.
  local q="'\\''"
  # shellcheck disable=SC2016
  printf 'export PATH="$PATH":'"'"'%s'"'"'\n' "${home//\'/${q}}/bin" >> "${BASH_ENV}"
  "${home}/bin/lambda-release" --version
}

# Tests source this file with LR_SOURCE_ONLY=1 to call the functions one by one.
if [ -z "${LR_SOURCE_ONLY:-}" ]; then
  main "$@"
fi
