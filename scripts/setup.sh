#!/usr/bin/env bash
# Sets up gbiz-review on a Debian machine: the system packages it needs (with
# apt-get, only when missing), a .venv, and the project with pinned versions.
# Safe to run again: it only does what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  tesseract-ocr tesseract-ocr-jpn tesseract-ocr-script-jpan  # OCR with the Japanese models
  poppler-utils                                              # PDF pages (pdf2image, pdfimages)
  kanjidic                                                   # kanji readings: the フリガナ tie-breaker (matching/kana.py)
  sane-utils libsane-dev                                     # scanners, and headers for python-sane
  fonts-ipafont-gothic fonts-ipafont-mincho fonts-ipaexfont-gothic fonts-ipaexfont-mincho
  fonts-noto-cjk                                             # the sample generator's faces
  gcc g++ python3-dev python3-venv pkg-config                # python-sane and tesserocr build from source
  libtesseract-dev libleptonica-dev                          # tesserocr against Debian's Tesseract
  chromium                                                   # the review UI's browser tests (Playwright drives it; never `playwright install`)
)

missing=()
for package in "${SYSTEM_PACKAGES[@]}"; do
  [[ "$package" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
  echo "setup: gbiz-review needs Python 3.11 or newer ($PYTHON is $("$PYTHON" --version 2>&1))" >&2; exit 1; }

if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.gbiz-review-installed
if [[ ! -f $stamp || pyproject.toml -nt $stamp || constraints.txt -nt $stamp ]]; then
  echo "setup: installing the project into .venv (pinned by constraints.txt)"
  .venv/bin/python -m pip install -q "pip==26.3"  # pinned like everything else
  # tesserocr is built here against Debian's libtesseract (its PyPI wheel
  # bundles another Tesseract whose output differs); ocr/ checks they match.
  .venv/bin/python -m pip install -q -c constraints.txt --no-binary tesserocr -e '.[test,fast]'
  touch "$stamp"
fi
# Pinned versions that work together; this fails loudly if the index moved under us.
.venv/bin/python -m pip check >/dev/null
