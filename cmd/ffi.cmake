# zcbench ffi: the sink library (native side), the Python and Node.js host
# scripts and the Rust consumer. They land next to the zcbench binary in
# the build tree and in ${CMAKE_INSTALL_LIBEXECDIR}/zcbench when installed;
# cmd/ffi.c looks there.
add_library(zc_ffi_sink MODULE ${CMAKE_SOURCE_DIR}/plugins/ffi_sink.c)
set_target_properties(zc_ffi_sink PROPERTIES
  PREFIX "" OUTPUT_NAME zcbench_ffi_sink
  C_VISIBILITY_PRESET hidden
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
# Python loads this library too: an ASan/TSan-instrumented one would abort
# there (the sanitizer runtime must come first), so it is built plain.
get_target_property(_ffi_copts zc_ffi_sink COMPILE_OPTIONS)
get_target_property(_ffi_lopts zc_ffi_sink LINK_OPTIONS)
foreach(_v _ffi_copts _ffi_lopts)
  if(${_v})
    list(FILTER ${_v} EXCLUDE REGEX "sanitize")
  else()
    set(${_v} "")
  endif()
endforeach()
set_target_properties(zc_ffi_sink PROPERTIES COMPILE_OPTIONS "${_ffi_copts}"
  LINK_OPTIONS "${_ffi_lopts}")
target_link_options(zc_ffi_sink PRIVATE -Wl,--no-undefined)
add_dependencies(zcbench zc_ffi_sink)

# The host scripts (Python, Node.js), copied beside the binary.
foreach(_h py js)
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/zcbench_ffi_host.${_h}
    COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_SOURCE_DIR}/scripts/ffi_host.${_h}
            ${CMAKE_BINARY_DIR}/zcbench_ffi_host.${_h}
    DEPENDS ${CMAKE_SOURCE_DIR}/scripts/ffi_host.${_h})
  install(PROGRAMS ${CMAKE_SOURCE_DIR}/scripts/ffi_host.${_h}
          DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/zcbench
          RENAME zcbench_ffi_host.${_h})
endforeach()
add_custom_target(zc_ffi_host ALL DEPENDS ${CMAKE_BINARY_DIR}/zcbench_ffi_host.py
                  ${CMAKE_BINARY_DIR}/zcbench_ffi_host.js)
add_dependencies(zcbench zc_ffi_host)

# koffi for the Node.js host: scripts/setup.sh installs it from the npm
# registry into scripts/node_modules (never globally); zcbench looks there
# (ZC_NODE_MODULES), beside itself, and in the install folder.
set(ZC_NODE_MODULES ${CMAKE_SOURCE_DIR}/scripts/node_modules)
target_compile_definitions(zcbench PRIVATE ZC_NODE_MODULES="${ZC_NODE_MODULES}")
if(EXISTS ${ZC_NODE_MODULES}/koffi)
  install(DIRECTORY ${ZC_NODE_MODULES}/
          DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/zcbench/node_modules)
endif()

# The Rust consumer: one file, rustc alone (no cargo, no crates; Debian's
# 1.63 or newer). No rustc: zcbench ffi skips --consumer rust, saying why.
find_program(ZC_RUSTC rustc)
if(ZC_RUSTC)
  set(_rs_werror "")
  if(ZC_WERROR)
    set(_rs_werror -D warnings)
  endif()
  add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/zcbench_ffi_consumer
    COMMAND ${CMAKE_COMMAND} -E env --unset=MAKEFLAGS --unset=MFLAGS
            ${ZC_RUSTC} --edition 2021 -C opt-level=3 -C debuginfo=1
            ${_rs_werror} -o ${CMAKE_BINARY_DIR}/zcbench_ffi_consumer
            ${CMAKE_SOURCE_DIR}/plugins/ffi_consumer.rs
    DEPENDS ${CMAKE_SOURCE_DIR}/plugins/ffi_consumer.rs VERBATIM)
  add_custom_target(zc_ffi_consumer ALL
                    DEPENDS ${CMAKE_BINARY_DIR}/zcbench_ffi_consumer)
  add_dependencies(zcbench zc_ffi_consumer)
  install(PROGRAMS ${CMAKE_BINARY_DIR}/zcbench_ffi_consumer
          DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/zcbench)
else()
  message(STATUS "rustc not found: zcbench ffi's Rust consumer is skipped")
endif()

install(TARGETS zc_ffi_sink LIBRARY
        DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/zcbench)

# test_ffi loads the sink, the host scripts and the Rust consumer from the
# build tree.
if(BUILD_TESTING AND COMMAND cmake_language)
  set(_ffi_deps zc_ffi_sink zc_ffi_host)
  if(ZC_RUSTC)
    list(APPEND _ffi_deps zc_ffi_consumer)
  endif()
  # (EVAL: a deferred call would read the variables only when it runs)
  foreach(_t test_ffi test_ffirun)
    cmake_language(EVAL CODE
      "cmake_language(DEFER CALL add_dependencies ${_t} ${_ffi_deps})")
  endforeach()
endif()
