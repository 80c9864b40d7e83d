# zcbench ffi: the sink library (native side) and the Python host script.
# Both land next to the zcbench binary in the build tree and in
# ${CMAKE_INSTALL_LIBEXECDIR}/zcbench when installed; cmd/ffi.c looks there.
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

add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/zcbench_ffi_host.py
  COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_SOURCE_DIR}/scripts/ffi_host.py
          ${CMAKE_BINARY_DIR}/zcbench_ffi_host.py
  DEPENDS ${CMAKE_SOURCE_DIR}/scripts/ffi_host.py)
add_custom_target(zc_ffi_host ALL DEPENDS ${CMAKE_BINARY_DIR}/zcbench_ffi_host.py)
add_dependencies(zcbench zc_ffi_host)

install(TARGETS zc_ffi_sink LIBRARY
        DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/zcbench)
install(PROGRAMS ${CMAKE_SOURCE_DIR}/scripts/ffi_host.py
        DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/zcbench
        RENAME zcbench_ffi_host.py)

# test_ffi loads the sink and the host script from the build tree.
if(BUILD_TESTING AND COMMAND cmake_language)
  cmake_language(DEFER CALL add_dependencies test_ffi zc_ffi_sink zc_ffi_host)
endif()
