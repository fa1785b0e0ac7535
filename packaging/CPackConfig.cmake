# Installation layout (desktop integration, documentation, licences) and the Debian package.
# Included from the top-level CMakeLists.txt. The executable's own install rule is in
# app/CMakeLists.txt (bin/committee-audit).
#
#   cmake --install build --prefix /usr/local     installs the files below
#   cd build && cpack -G DEB                      committee-audit_<version>_<arch>.deb
#
# The package's dependencies come from dpkg-shlibdeps (the Debian packages that ship the
# libraries the executable links: Qt 6, QCustomPlot, HDF5, libtorch, ...) plus the few that
# no linker sees (below). Without dpkg-shlibdeps (not a Debian system) they are listed by hand.
include(GNUInstallDirs)

set(CA_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/committee-audit)

# --- Desktop integration (freedesktop.org) -------------------------------------------------
install(FILES ${PROJECT_SOURCE_DIR}/packaging/committee-audit.desktop
        DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/io.github.committeeaudit.CommitteeAudit.metainfo.xml
        DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/committee-audit.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)

# --- Documentation and licences --------------------------------------------------------------
# `copyright` is Debian's machine-readable summary; LICENSE the GPL text; the data embedded in
# the executable (resources/) keeps its own licence texts.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/copyright ${PROJECT_SOURCE_DIR}/LICENSE
              ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CA_DOC_DIR})
# Debian wants the changelog gzipped (-n: no timestamp, so the package is reproducible). A new
# version needs an entry in packaging/changelog and a <release> in the metainfo.
find_program(CA_GZIP gzip)
if(CA_GZIP)
  execute_process(COMMAND ${CA_GZIP} -9nc ${PROJECT_SOURCE_DIR}/packaging/changelog
                  OUTPUT_FILE ${PROJECT_BINARY_DIR}/changelog.gz)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog)
  install(FILES ${PROJECT_BINARY_DIR}/changelog.gz DESTINATION ${CA_DOC_DIR})
endif()
install(FILES ${PROJECT_SOURCE_DIR}/resources/demo/mmlu/LICENSE.hendrycks-test.txt
              ${PROJECT_SOURCE_DIR}/resources/tokenizers/olmoe-1b-7b-0924/LICENSE.allenai-OLMo.txt
        DESTINATION ${CA_DOC_DIR}/licenses)
install(FILES ${PROJECT_SOURCE_DIR}/resources/chat_templates/README.md
        DESTINATION ${CA_DOC_DIR}/licenses RENAME chat-templates.md)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CA_DOC_DIR}/docs
        FILES_MATCHING PATTERN "*.md" PATTERN "*.png" PATTERN "*.svg")

# --- CPack: the .deb -------------------------------------------------------------------------
set(CPACK_PACKAGE_NAME committee-audit)
set(CPACK_PACKAGE_VENDOR "The CommitteeAudit developers")
set(CA_PACKAGE_MAINTAINER "The CommitteeAudit developers <committee-audit@users.noreply.github.com>"
    CACHE STRING "Maintainer field of the Debian package (Name <email>)")
set(CPACK_PACKAGE_CONTACT "${CA_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_RESOURCE_FILE_README ${PROJECT_SOURCE_DIR}/README.md)
set(CPACK_STRIP_FILES ON)  # as Debian ships executables; debug info stays in the build tree
if(NOT CPACK_GENERATOR)
  set(CPACK_GENERATOR DEB)
endif()

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # committee-audit_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
# The synopsis line is CPACK_PACKAGE_DESCRIPTION_SUMMARY; this is the extended description.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "CommitteeAudit records which experts a Mixture-of-Experts language model\n"
    "routes each token to (OLMoE, Qwen3-MoE and DeepSeek-V2 checkpoints, run\n"
    "natively with libtorch) and audits that routing: expert contribution, the\n"
    "domain-invariant Standing Committee, Jaccard overlap, Gini concentration and\n"
    "token-level attribution, as a desktop application and headless subcommands.")
# CPack joins list items with "; " in Description: keep it one string.
string(REPLACE ";" "" CPACK_DEBIAN_PACKAGE_DESCRIPTION "${CPACK_DEBIAN_PACKAGE_DESCRIPTION}")

find_program(CA_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(CA_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  # Debian 12 names, for a package built elsewhere.
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6, libstdc++6, libgcc-s1, libqt6core6, libqt6gui6, libqt6widgets6, libqt6printsupport6, "
      "libqt6svg6, libqcustomplot2.1-qt6, libhdf5-103-1, libhdf5-cpp-103-1, libtorch1.13, "
      "libpcre2-8-0, zlib1g, libicu72")
  string(REPLACE ";" "" CPACK_DEBIAN_PACKAGE_DEPENDS "${CPACK_DEBIAN_PACKAGE_DEPENDS}")
endif()
# libtorch runs its matrix products through whichever BLAS is installed; OpenBLAS (threaded)
# is the fast one the benchmarks use. Wayland sessions work through XWayland without qt6-wayland.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libopenblas0-pthread")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "qt6-wayland")

include(CPack)
