#!/usr/bin/env bash
# Installs everything AttnScope needs from Debian 12's packages. Idempotent: apt-get skips
# what is already there. Runs as root, or through sudo when not.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  # build
  cmake ninja-build g++ ccache pkg-config
  # engine
  libtorch-dev
  libopenblas0-openmp          # LibTorch calls the system BLAS; the reference one is ~30x slower
  libsndfile1-dev libsoxr-dev portaudio19-dev nlohmann-json3-dev zlib1g-dev
  libgif-dev                   # the Learn view's replay as an animated GIF
  # the trainer: speech synthesizers and the English text it reads
  libespeak-ng-dev flite1-dev fortunes wordnet-base
  # GUI
  qt6-base-dev qt6-svg-dev libgl-dev
  # reference word times for recorded speech (scripts/pocketsphinx-word-times.sh)
  pocketsphinx pocketsphinx-en-us
  # test audio and the file-capture ALSA device used by the recording tests
  espeak-ng sox libasound2-plugins
  # the whisper.cpp parity test writes its random-weight models with shared/'s numpy script
  python3-numpy
  # the .deb and its checks (installer/): icons, dependency list, lintian, validators, man pages
  librsvg2-bin dpkg-dev lintian desktop-file-utils appstream man-db qt6-qpa-plugins
)

# Only refresh the package lists when something is missing: keeps repeat runs fast and offline-safe.
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Make sure the OpenMP OpenBLAS is the BLAS that LibTorch's libblas.so.3 resolves to.
arch_triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
openblas="/usr/lib/${arch_triplet}/openblas-openmp/libblas.so.3"
if [ -e "$openblas" ]; then
  $SUDO update-alternatives --set "libblas.so.3-${arch_triplet}" "$openblas" >/dev/null
fi
openlapack="/usr/lib/${arch_triplet}/openblas-openmp/liblapack.so.3"
if [ -e "$openlapack" ]; then
  $SUDO update-alternatives --set "liblapack.so.3-${arch_triplet}" "$openlapack" >/dev/null
fi
echo "install-deps: done"
