#!/usr/bin/env bash
# The oldest bash and python3 this workplace can install, as an image profile for the
# orb's tests and `orbtools run --image-profile`: DEST/bin/bash and DEST/bin/python3.
# Debian's bullseye packages (bash 5.1, python3 3.9, the python3 of the Amazon Linux
# 2023 SAM images), downloaded and unpacked by apt with a private sources list: nothing
# is installed into the machine. Bash 4.2 (the Amazon Linux 2 images) is in no registry
# reachable here; tests/orb/test_bash42.py refuses what 4.2 lacks instead.
set -euo pipefail
DEST="${1:?usage: oldest_image_tools.sh DEST}"
mkdir -p "${DEST}"
DEST="$(cd "${DEST}" && pwd)"  # apt reads relative paths from /etc/apt
SUITE="${SUITE:-bullseye}"
work="${DEST}/apt"
mkdir -p "${work}/lists/partial" "${work}/cache/archives/partial" "${work}/debs" "${work}/parts" "${DEST}/root" "${DEST}/bin"
printf 'deb http://deb.debian.org/debian %s main\n' "${SUITE}" > "${work}/sources.list"
apt_opts=(
  -o "Dir::Etc::SourceList=${work}/sources.list" -o "Dir::Etc::SourceParts=${work}/parts"
  -o "Dir::State::Lists=${work}/lists" -o "Dir::Cache=${work}/cache"
  -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root"
)
apt-get "${apt_opts[@]}" -q update
(cd "${work}/debs" && apt-get "${apt_opts[@]}" -qq download \
  "bash/${SUITE}" "python3.9-minimal/${SUITE}" "libpython3.9-minimal/${SUITE}" "libpython3.9-stdlib/${SUITE}")
for deb in "${work}"/debs/*.deb; do dpkg-deb -x "${deb}" "${DEST}/root"; done
ln -sf "${DEST}/root/bin/bash" "${DEST}/bin/bash"
ln -sf "${DEST}/root/usr/bin/python3.9" "${DEST}/bin/python3"
"${DEST}/bin/bash" -c 'echo "bash ${BASH_VERSION}"' > "${DEST}/versions"
"${DEST}/bin/python3" -c 'import platform; print("python3", platform.python_version())' >> "${DEST}/versions"
cat "${DEST}/versions"
