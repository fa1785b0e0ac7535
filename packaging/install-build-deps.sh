#!/usr/bin/env bash
# Installs everything CommitteeAudit needs to build, test and run, from Debian 12's
# own archive (run as root on a bare machine; the README's first commands call it).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt_get() { if [ "$(id -u)" = 0 ]; then apt-get "$@"; else sudo apt-get "$@"; fi; }
apt_get update -q
apt_get install -y -q --no-install-recommends \
  ca-certificates build-essential cmake ninja-build pkg-config \
  qt6-base-dev qt6-svg-dev libqcustomplot-dev libgl-dev \
  libtorch-dev libopenblas0-pthread \
  libhdf5-dev nlohmann-json3-dev libpcre2-dev libcli11-dev libzip-dev libpugixml-dev libicu-dev \
  libgtest-dev libgmock-dev libbenchmark-dev \
  python3 python3-h5py python3-numpy \
  xvfb xauth fonts-dejavu-core
