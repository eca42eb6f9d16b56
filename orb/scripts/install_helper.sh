#!/usr/bin/env bash
# Install the lambda-release helper into its own virtual environment and put only its
# console script on PATH (appended, so the image's python and sam stay first), pinned
# by hash: the helper and its whole dependency closure come from the lock below, shipped
# with this orb version (`uv pip install --require-hashes`), so no name on an index and
# no re-resolution can bring in other code beside the deploy credentials.
# Parameters arrive as environment variables on the run step:
#   LR_STR_HELPER_SOURCE  empty (or this orb's version): the helper pinned below, by hash;
#                         https://.../lambda_release-X-py3-none-any.whl#sha256=HEX: a
#                         release artifact, checked against its sha256; git+URL@COMMIT (40
#                         hex: git checks the content); a local wheel, a folder holding one
#                         wheel, or a source folder. The dependencies always come from the lock.
#   LR_BOOL_WITH_CHECK    1: also install the template check's extra (cfn-lint).
#   LR_STR_HELPER_HOME    where the environment lives (default ~/.lambda-release,
#                         the folder the install command caches).
#   LR_STR_CACHE_KEY_FILE with LR_STR_MODE=key: where to write the cache key's text.
# uv comes from the image when it has one (SAM images from 2026-01), else from its PyPI
# wheel pinned by sha256 below (no pip, no unpinned `pip install uv`). The helper needs
# Python 3.11+: the image's python3 when it is that new, else uv's own CPython (the Amazon
# Linux 2023 images have python3 3.9; uv checks its download against the sha256 it carries).
# The pinned version below is bumped by `orbtools release`, the lock by `orbtools lock`.
LR_HELPER_VERSION="1.0.0"
LR_UV_VERSION="0.13.9"

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

# begin lock (orbtools lock writes it)
LR_HELPER_SHA256=""
lr_lock() {
  # One package a line: `check ` marks the template check's extra.
  cat <<'LOCK'
boto3==1.43.108 --hash=sha256:19e9da95ef0c494e27052049a42137550e66730509bb613e76eaa30ddf9a7170
botocore==1.43.127 --hash=sha256:aa0e3188679a2164a2098a14ea9b59520520cb573aaee9999d852480691e134a
check cfn-lint==1.58.0 --hash=sha256:9d9f06043160756a6158f5c3f92a44ce38254b1c578127461608305bc8262987
jmespath==1.1.0 --hash=sha256:a5663118de4908c91729bea0acadca56526eb2698e83de10cd116ae0f4e97c64
check jsonpatch==1.48 --hash=sha256:389f25f006940b7bc939c33ca0f6cf8875527dc70599520652a269040ce40b63
check jsonpointer==3.12 --hash=sha256:89f391335ee2719ae72149e1bf30a4d4c7c5d92f15a3f53faa8d20cc7c6c7f19
check mpmath==1.3.0 --hash=sha256:a0b2b9fe80bbcd81a6647ff13108738cfb482d481d826cc0e02f5b35e5c88d2c
check networkx==3.6.1 ; python_full_version < '3.12' --hash=sha256:d47fbf302e7d9cbbb9e2555a0d267983d2aa476bac30e90dfbe5669bd57f3762
check networkx==3.7 ; python_full_version >= '3.12' --hash=sha256:e3fd2c13a7814cee3746340d8d7f8598a67f16a58bf47fb7f8793fab6efca1b0
python-dateutil==2.9.0.post0 --hash=sha256:a8b2bc7bffae282281c8140a97d3aa9c14da0b136dfe83f850eea9a5f7470427
pyyaml==6.0.4 --hash=sha256:71bb5b87465d88d1dfc577115af6d435bff9b26f2512936f610c26aa55966028 --hash=sha256:622aa875fa6533f25fedcffe23079357d65a690d462200afed5d8e9d0e01ebee --hash=sha256:49e38a95e24738908ea852e61df0abc58d1e4d4f974ccdb2386eaee412bedc67 --hash=sha256:4d3bbc5e8a84a5a6775adecac786f489510a7159b1c343d6f31426d888cfdd6e --hash=sha256:45e37dd647db9d67b757444c74060c064ace5fdaa08f42bf4fda3812275d423e --hash=sha256:93bfb2459195406a518e2f487a9bbf01df240175f31e06f5a252ac6734c7bbf0 --hash=sha256:84e97378010f3da8daf673b82d39ed638098d236a1b760d61c0c1348a642bd70 --hash=sha256:f5c410f9e2ffc9286279a46f2e8c107edaf3b1123510af59c828a9c15b23c9db --hash=sha256:41b4669c3a8fd5750e594dff59d3e62d40e321fec467b50449603710ed0a68f3 --hash=sha256:50588147ab2c6a59b5f990a4905db80899a6c2bd197e046a6201f1e67587e794 --hash=sha256:4d1e8d6e345b4b4424a05a11e699e999e65a88f422f73636f8a0b354bf219ffa --hash=sha256:a56491babf0d976625807953bd192dd9de973fccb3270e77b1a795b152a26175 --hash=sha256:ed9b957abb12f6ffcd92d5db32fa3ffd4e4a8423d80ddd51b4efa63b42f6a76b --hash=sha256:c604dc2613c417130479cdd6e55c2faa691b6365aa82b3dafddfcecc2eaf1ac7 --hash=sha256:f1a4a85b419f5cb6470dd4be5f766bc59532f11b9c22c076b58a0348f05dca5f --hash=sha256:132c3c7c37a8e6f334921b05cfea5d26e241d792dcbb4db0462129d25ca53b43 --hash=sha256:872d2a592289061c1b987e335b3568a2616b474be02bd0608d8f551a385441cd --hash=sha256:c57e40928738c4a202852759f9e1ee2c7063429a9469ee1ac15651bbf7d69963 --hash=sha256:8e0cd755ce5e9009fd95f9c553e5942478feb8f7dffa19435641fcdc3c20e8ca --hash=sha256:2c11be5ab4d9f603a598b5ce93a2064ae38087bdf1b384c5397170054cda4e36
check regex==2026.12.2 --hash=sha256:42a73a3e4e5c9cfb33dafd8e529721039969ca74d4621c762c2863233bc7e8e8 --hash=sha256:cc27b9346a90c33d2020cc104409a47e16d83e592f38dd047e59732d1f765910 --hash=sha256:4e6e0a5898286d9ce750413eb4122276515d1fc5a449d4e14a4125c63546f59a --hash=sha256:95d967d13ef9d244398b3702497dca621fd8368587f03929d30b576f00065f5a --hash=sha256:867c425d1ae16151f400bdbcf4988f4ce681fbe732fd25e443f64b9b98f77a8f --hash=sha256:9628caa93f2dae602e241ba98379b3cad71e676c06e801bf78945ae4b5034667 --hash=sha256:0f936d294db51e03444eebf1f59b7293ee37d8293d876ed82032a4214667701c --hash=sha256:c2c1ebba97bcb7dce7bad6cdd31e4f046ab2f7c4e636dc2377a3088d56f45383 --hash=sha256:8b2431399acfa6140cbf3eb4db751d858438be4b3c4be35049be4fc188119ed9 --hash=sha256:eaec4c1bd84b9936c57b86924046bd2e51d736055a10f7aeebef500074dc99d0 --hash=sha256:6bcc7d206a1f28730167d7802f43408788c020281035cf15bec2f29289d64907 --hash=sha256:fc7bc643df9b65325e38c797d3e19a8bf70e88318f0bfb5490dda4fb3d50dd5e --hash=sha256:c3943b2ee9733e5e2daceba470c9defcaa4a3a0b444fe7f9f10067850df63966 --hash=sha256:58abee9044e5ce0186b2e134abe8e989c01827780e86db0d81af084688c3393f --hash=sha256:2598eb7d574f826ce5e502d251593604fc8d762364550a287fc6057d16c807b0 --hash=sha256:9ac257e77ae1b982389c2573a95992ed10910827dac4803356667e83c7f34d4a --hash=sha256:a365b773ebcca4d841361a968021e9b681f61a12bf7383206619c74af808508b --hash=sha256:d7b8f6e87ba7b715006f284cdfb81dcfb8f6a2f6f5eadc455e0aeed860981eb2 --hash=sha256:64b741dcea5eeaf8a3647049e5da368914173cf069fb7992b2147c229d3120fd --hash=sha256:642702ec141b1b8a56cb30217a06674dbd8270b12f0a1e704b18117ee04737bd --hash=sha256:76d74a7a27af14862353bd362b90e65ca1cfbf1931ca80aa73d41795a1de9be5
check ruamel-yaml==0.19.1 --hash=sha256:27592957fedf6e0b62f281e96effd28043345e0e66001f97683aa9a40c667c93
s3transfer==0.19.3 --hash=sha256:24eb7535804306355e31c952a90022bf5b2f9d760f9a11062c7493a217c08553
six==1.17.0 --hash=sha256:4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274
check sympy==1.14.0 --hash=sha256:e091cc3e99d2141a0ba2847328f5479b05d94a6635cb96148ccb3f34671bd8f5
check typing-extensions==4.16.0 --hash=sha256:481caa481374e813c1b176ada14e97f1f67a4539ce9cfeb3f350d78d6370c2e8
urllib3==2.8.0 --hash=sha256:0cf3cae568d36aa9576b28dfb35f11328f1cb974ca7647d9475ebb86c75ac6e3
LOCK
}
# end lock

lr_uv_wheel() {
  # "URL SHA256" of uv's wheel for this machine (requirements/uv.txt pins the same hashes);
  # LR_UV_WHEEL_URL may point elsewhere (a mirror, a test), the hash never changes.
  local url sha
  case "$(uname -m)" in
    x86_64)
      url="https://files.pythonhosted.org/packages/3d/aa/26d64642d808de4a652579ef950d7cd2d37f080a8babf9c67c6b75fc4c3f/uv-${LR_UV_VERSION}-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
      sha="d7f459fe4fd247d830351c75686d3996ace3c6f3f728eb0e85a30b7ada0cef19" ;;
    aarch64|arm64)
      url="https://files.pythonhosted.org/packages/57/15/94b6cd62ac3ff6550288328e8035288875197cbc183f51554b266a69877b/uv-${LR_UV_VERSION}-py3-none-manylinux_2_17_aarch64.manylinux2014_aarch64.musllinux_1_1_aarch64.whl"
      sha="5435c5ce14a56431208ca0996416d310f1598e8c2c8ba707688985a16bb82dbe" ;;
    *) return 1 ;;
  esac
  printf '%s %s\n' "${LR_UV_WHEEL_URL:-${url}}" "${sha}"
}

lr_sha256() {
  # The sha256 of file $1 (coreutils where there is one, else Python's hashlib).
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum < "$1" | cut -d' ' -f1
    return
  fi
  python3 -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$1"
}

lr_fetch() {
  # $1 (a URL) into file $2: curl where there is one, else Python's urllib.
  if command -v curl >/dev/null 2>&1; then
    curl --fail --silent --show-error --location --retry 3 --output "$2" "$1"
    return
  fi
  python3 -c 'import shutil, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=60) as r, open(sys.argv[2], "wb") as f:
    shutil.copyfileobj(r, f)' "$1" "$2"
}

lr_uv() {
  # uv from PATH (the image's), else the pinned wheel's uv in $1/tools (fetched once,
  # its sha256 checked, unpacked with python3's zipfile: no pip, no venv). Prints its path.
  local home="$1" tools="$1/tools" wheel url sha got
  if command -v uv >/dev/null 2>&1; then command -v uv; return 0; fi
  if [ -x "${tools}/uv" ] && [ "$(cat "${tools}/uv.sha256" 2>/dev/null || true)" = "${LR_UV_VERSION}" ]; then
    printf '%s\n' "${tools}/uv"
    return 0
  fi
  read -r url sha < <(lr_uv_wheel) || { echo "lambda-release/install: no uv wheel for $(uname -m)" >&2; return 1; }
  mkdir -p "${tools}"
  wheel="${tools}/uv.whl"
  lr_fetch "${url}" "${wheel}" || { echo "lambda-release/install: could not download uv ${LR_UV_VERSION}" >&2; return 1; }
  got="$(lr_sha256 "${wheel}")" || return 1
  if [ "${got}" != "${sha}" ]; then
    rm -f "${wheel}"
    echo "lambda-release/install: uv's wheel has sha256 ${got}, not the pinned ${sha}; refusing it" >&2
    return 1
  fi
  python3 -c 'import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.endswith(".data/scripts/uv"))
    open(sys.argv[2], "wb").write(z.read(name))' "${wheel}" "${tools}/uv" || return 1
  chmod 755 "${tools}/uv"
  rm -f "${wheel}"
  printf '%s\n' "${LR_UV_VERSION}" > "${tools}/uv.sha256"
  printf '%s\n' "${tools}/uv"
}

lr_parse_source() {
  # Sets LR_KIND (pinned, url, git, wheel, folder), LR_SPEC and LR_SHA from helper_source;
  # exit 2 naming the parameter for anything else.
  local source
  source="$(lr_subst "${LR_STR_HELPER_SOURCE:-}")"
  lr_one_line helper_source "${source}" || return
  LR_SPEC="" LR_SHA=""
  case "${source}" in
    ""|"${LR_HELPER_VERSION}"|"lambda-release==${LR_HELPER_VERSION}")
      LR_KIND=pinned
      if [ -z "${LR_HELPER_SHA256}" ]; then
        echo "lambda-release/install: this orb carries no hash of a published helper ${LR_HELPER_VERSION} (lambda-release is not on PyPI yet); set helper_source to the release's wheel: https://.../lambda_release-${LR_HELPER_VERSION}-py3-none-any.whl#sha256=<its sha256>" >&2
        return 2
      fi
      LR_SHA="${LR_HELPER_SHA256}" ;;
    https://*.whl\#sha256=*)
      LR_KIND=url LR_SPEC="${source%%#*}" LR_SHA="${source##*#sha256=}"
      if ! [[ "${LR_SHA}" =~ ^[0-9a-f]{64}$ ]]; then
        echo "lambda-release/install: helper_source: the sha256 after #sha256= must be 64 hex digits" >&2
        return 2
      fi ;;
    https://*|http://*)
      echo "lambda-release/install: helper_source: a URL must be an https wheel with its hash: https://.../NAME.whl#sha256=<64 hex digits>" >&2
      return 2 ;;
    git+*)
      if ! [[ "${source}" =~ @[0-9a-f]{40}$ ]]; then
        echo "lambda-release/install: helper_source: a git URL must end with @ and a full 40-digit commit (a branch or tag can move)" >&2
        return 2
      fi
      LR_KIND=git LR_SPEC="${source}" ;;
    /*|./*|../*)
      lr_local_source "${source}" || return ;;
    [0-9]*)
      echo "lambda-release/install: helper_source ${source}: this orb's lock pins helper ${LR_HELPER_VERSION} and its dependencies by hash; for another version use that orb version, or its wheel URL with #sha256=" >&2
      return 2 ;;
    *)
      echo "lambda-release/install: helper_source is none of: empty, ${LR_HELPER_VERSION}, an https wheel URL with #sha256=, git+URL@COMMIT, a local path (./ or /)" >&2
      return 2 ;;
  esac
  return 0
}

lr_local_source() {
  # A wheel file, a folder holding exactly one wheel (what a build job persisted to the
  # workspace), or a source folder (it has pyproject.toml).
  local source="$1"
  local -a wheels=()
  if [ -d "${source}" ]; then wheels=("${source}"/*.whl); fi
  if [ -f "${source}" ]; then
    LR_KIND=wheel LR_SPEC="$(cd "$(dirname -- "${source}")" && pwd)/$(basename -- "${source}")"
  elif [ "${#wheels[@]}" -eq 1 ] && [ -f "${wheels[0]}" ]; then
    LR_KIND=wheel LR_SPEC="$(cd -- "${source}" && pwd)/$(basename -- "${wheels[0]}")"
  elif [ -f "${source}/pyproject.toml" ]; then
    LR_KIND=folder LR_SPEC="$(cd -- "${source}" && pwd)"
  elif [ -d "${source}" ]; then
    echo "lambda-release/install: helper_source ${source} does not hold exactly one wheel; give the wheel file itself" >&2
    return 2
  else
    echo "lambda-release/install: helper_source ${source} does not exist; give a wheel, a folder holding one, or a source folder" >&2
    return 2
  fi
  if [ "${LR_KIND}" = wheel ]; then LR_SHA="$(lr_sha256 "${LR_SPEC}")" || return 1; fi
  return 0
}

lr_extra() {
  if lr_true "${LR_BOOL_WITH_CHECK:-}"; then printf '[check]'; fi
  return 0
}

lr_requirements() {
  # The lock's lines for this install (the check extra's only with_check), then the
  # helper's own line with its hash (git and source folders are installed after, alone).
  local line with_check=0 extra
  if lr_true "${LR_BOOL_WITH_CHECK:-}"; then with_check=1; fi
  extra="$(lr_extra)"
  while IFS= read -r line; do
    case "${line}" in
      "check "*) if [ "${with_check}" = 1 ]; then printf '%s\n' "${line#check }"; fi ;;
      ?*) printf '%s\n' "${line}" ;;
    esac
  done < <(lr_lock)
  case "${LR_KIND}" in
    pinned) printf 'lambda-release%s==%s --hash=sha256:%s\n' "${extra}" "${LR_HELPER_VERSION}" "${LR_SHA}" ;;
    url) printf 'lambda-release%s @ %s --hash=sha256:%s\n' "${extra}" "${LR_SPEC}" "${LR_SHA}" ;;
    wheel) printf 'lambda-release%s @ file://%s --hash=sha256:%s\n' "${extra}" "${LR_SPEC}" "${LR_SHA}" ;;
  esac
  return 0
}

lr_python() {
  # python3 when it is 3.11+ (the helper's floor), else the request uv resolves to an
  # installed 3.11+ or downloads (its own CPython builds, checked against their sha256).
  if command -v python3 >/dev/null 2>&1 \
      && python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    command -v python3
    return 0
  fi
  printf '%s\n' '>=3.11'
}

lr_cache_key() {
  # What the environment depends on: the source, the lock, the Python, the machine.
  local python
  python="$(lr_python)"
  printf 'source %s %s %s%s\n' "${LR_KIND}" "${LR_SPEC}" "${LR_SHA}" "$(lr_extra)"
  printf 'lock %s\n' "$(lr_lock | cksum)"
  case "${python}" in
    ">="*) printf 'python %s\n' "${python}" ;;
    *) printf 'python %s %s\n' "${python}" "$("${python}" --version 2>&1 || true)" ;;
  esac
  printf 'machine %s\n' "$(uname -sm)"
}

lr_install_into() {
  # $1: the helper's folder. Every package by hash; git and source folders alone after.
  local home="$1" uv python venv="$1/venv" reqs="$1/requirements.txt"
  python="$(lr_python)"
  lr_requirements > "${reqs}"
  if uv="$(lr_uv "${home}")"; then
    UV_PYTHON_INSTALL_DIR="${home}/python" "${uv}" venv --quiet --python "${python}" "${venv}"
    "${uv}" pip install --quiet --require-hashes --python "${venv}/bin/python" -r "${reqs}"
    case "${LR_KIND}" in
      git) "${uv}" pip install --quiet --no-deps --python "${venv}/bin/python" "lambda-release$(lr_extra) @ ${LR_SPEC}" ;;
      folder) "${uv}" pip install --quiet --no-deps --python "${venv}/bin/python" "${LR_SPEC}" ;;
    esac
    "${uv}" pip check --quiet --python "${venv}/bin/python"
    return
  fi
  if [ "${python}" = ">=3.11" ]; then
    echo "lambda-release/install: no uv, and python3 is older than 3.11; use an image with uv or Python 3.11+" >&2
    return 2
  fi
  # No uv (no download possible): pip checks the same hashes.
  echo "lambda-release/install: uv could not be had (see above); using pip with the same hashes (slower)" >&2
  python3 -m venv "${venv}"
  PIP_USER=0 PIP_ROOT_USER_ACTION=ignore "${venv}/bin/python" -m pip install --quiet \
    --disable-pip-version-check --require-hashes -r "${reqs}"
  case "${LR_KIND}" in
    git) PIP_USER=0 "${venv}/bin/python" -m pip install --quiet --no-deps "lambda-release$(lr_extra) @ ${LR_SPEC}" ;;
    folder) PIP_USER=0 "${venv}/bin/python" -m pip install --quiet --no-deps "${LR_SPEC}" ;;
  esac
}

lr_home() {
  local home
  home="$(lr_subst "${LR_STR_HELPER_HOME:-}")"
  printf '%s\n' "${home:-${HOME}/.lambda-release}"
}

write_key() {
  local file="${LR_STR_CACHE_KEY_FILE:-/tmp/lambda-release-helper.cache-key}"
  lr_parse_source || return
  lr_cache_key > "${file}"
  echo "helper cache key (${file}):"
  cat -- "${file}"
}

main() {
  local home key
  home="$(lr_home)"
  lr_parse_source || return
  key="$(lr_cache_key)" || return
  if [ -x "${home}/venv/bin/lambda-release" ] && [ "$(cat "${home}/cache-key" 2>/dev/null || true)" = "${key}" ]; then
    echo "Using the helper in ${home}/venv (restored from the cache)"
  else
    echo "Installing the helper (${LR_KIND}) into ${home}/venv, every package by hash"
    rm -rf "${home}/venv"
    mkdir -p "${home}"
    lr_install_into "${home}"
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
