#!/usr/bin/env bash
# Builds the .deb from a finished build tree and checks it the way a user meets it: dpkg-deb's view of
# it, lintian (no errors), the desktop file and AppStream metainfo validators, then installs it
# (dpkg -i as root on a machine that does not have it yet; otherwise extracted into a temporary root),
# runs the installed CLI and GUI on a synthesized sample with the built-in model, and removes it.
#   installer/test-package.sh [BUILD_DIR]
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
work=$(mktemp -d)
installed_here=0
cleanup() {
  if [ "$installed_here" = 1 ]; then dpkg -r attnscope >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
step() { echo "test-package: $*"; }

step "building the package"
(cd "$build" && cpack -G DEB -B "$work/pkg" >/dev/null)
deb=$(ls "$work"/pkg/attnscope_*.deb)

step "dpkg-deb --info / --contents"
info=$(dpkg-deb --info "$deb")
for dep in libtorch1.13 libqt6widgets6 libopenblas0-openmp libportaudio2 libsndfile1 libsoxr0 libgif7 qt6-qpa-plugins; do
  grep -q "Depends:.*$dep" <<<"$info" || fail "Depends lacks $dep"
done
contents=$(dpkg-deb --contents "$deb")
for f in usr/bin/attnscope usr/bin/attnscope-cli usr/share/attnscope/models/builtin.pt \
         usr/share/attnscope/models/learn/transformer.cbor usr/share/attnscope/models/learn/las-location.cbor \
         usr/share/applications/io.github.attnscope.AttnScope.desktop \
         usr/share/metainfo/io.github.attnscope.AttnScope.metainfo.xml \
         usr/share/icons/hicolor/scalable/apps/io.github.attnscope.AttnScope.svg \
         usr/share/icons/hicolor/48x48/apps/io.github.attnscope.AttnScope.png \
         usr/share/man/man1/attnscope.1.gz usr/share/man/man1/attnscope-cli.1.gz \
         usr/share/doc/attnscope/copyright usr/share/doc/attnscope/changelog.gz; do
  grep -q " \./$f\$" <<<"$contents" || fail "the package lacks /$f"
done

step "lintian"
lintian --fail-on error --suppress-tags arch-dep-package-has-big-usr-share "$deb" 2>/dev/null || fail "lintian reports errors"

step "desktop file, AppStream metainfo and man pages"
dpkg-deb -x "$deb" "$work/root"
desktop-file-validate "$work/root/usr/share/applications/io.github.attnscope.AttnScope.desktop"
appstreamcli validate --no-net "$work/root/usr/share/metainfo/io.github.attnscope.AttnScope.metainfo.xml" >/dev/null
for page in attnscope attnscope-cli; do
  warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$work/root/usr/share/man/man1/$page.1.gz" 2>&1 >/dev/null)
  [ -z "$warnings" ] || fail "man page $page: $warnings"
done

prefix="$work/root/usr"
if [ "$(id -u)" = 0 ] && ! dpkg -s attnscope >/dev/null 2>&1 && [ -z "${ATTNSCOPE_PACKAGE_EXTRACT_ONLY:-}" ]; then
  step "dpkg -i"
  dpkg -i "$deb" >/dev/null || fail "dpkg -i failed (missing dependencies?)"
  installed_here=1
  prefix=/usr
else
  step "not root, or attnscope is already installed: testing the extracted tree"
fi

step "installed attnscope-cli on a synthesized sample"
export HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
mkdir -p "$HOME"
espeak-ng -v en-us -w "$work/sample.wav" "The installed program reads this sentence." \
  || fail "espeak-ng is needed to make the sample"
unset ATTNSCOPE_BUILTIN_MODEL
"$prefix/bin/attnscope-cli" info builtin | grep -q "($prefix/share/attnscope/models/builtin.pt)" \
  || fail "the installed CLI does not use the installed built-in model"
"$prefix/bin/attnscope-cli" transcribe "$work/sample.wav" --json "$work/sample.json" >/dev/null
grep -q '"schema": *"attnscope.transcript/1"' "$work/sample.json" || fail "no transcript JSON"
grep -q '"tokens"' "$work/sample.json" || fail "the transcript has no tokens"
"$prefix/bin/attnscope-cli" history las-dot --csv - | head -1 | grep -q '^step,minutes,' \
  || fail "the installed CLI does not find the shipped training histories"
"$prefix/bin/attnscope-cli" history builtin --csv - | sed -n 2p | grep -q '^0,' \
  || fail "the installed built-in model does not carry its training history from step 0"

step "installed attnscope --screenshot under offscreen"
QT_QPA_PLATFORM=offscreen "$prefix/bin/attnscope" --screenshot "$work/shot.png" "$work/sample.wav"
[ "$(head -c 8 "$work/shot.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "the screenshot is not a PNG"

if [ "$installed_here" = 1 ]; then
  step "dpkg -r"
  dpkg -r attnscope >/dev/null
  installed_here=0
  [ ! -e /usr/bin/attnscope ] && [ ! -e /usr/share/attnscope ] || fail "files are left after dpkg -r"
  dpkg -s attnscope 2>/dev/null | grep -q "Status: install ok installed" && fail "still installed"
fi
step "all checks passed"
