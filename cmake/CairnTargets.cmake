# Helpers that give every Cairn target the same flags.
#
#   cairn_library(NAME SOURCES ... [DEPS ...])      static library cairn_<NAME>
#   cairn_test(NAME SOURCES ... [DEPS ...] [LABELS ...])  gtest binary, registered with CTest
#   cairn_executable(NAME SOURCES ... [DEPS ...])

add_library(cairn_options INTERFACE)
target_include_directories(cairn_options INTERFACE ${PROJECT_SOURCE_DIR})
target_compile_options(cairn_options INTERFACE -Wall -Wextra -Werror -Wno-missing-field-initializers)
target_compile_definitions(cairn_options INTERFACE
  CAIRN_VERSION="${PROJECT_VERSION}"
  BOOST_ASIO_NO_DEPRECATED
  BOOST_BEAST_USE_STD_STRING_VIEW)
if(CAIRN_SANITIZE)
  target_compile_options(cairn_options INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  target_link_options(cairn_options INTERFACE -fsanitize=address,undefined)
endif()

if(CAIRN_FUZZ)
  # Instrument every library for coverage; the fuzz targets add the driver.
  target_compile_options(cairn_options INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  target_link_options(cairn_options INTERFACE -fsanitize=address,undefined)
endif()

function(cairn_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(cairn_${name} STATIC ${ARG_SOURCES})
  target_link_libraries(cairn_${name} PUBLIC cairn_options ${ARG_DEPS})
endfunction()

function(cairn_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE cairn_options ${ARG_DEPS})
endfunction()

function(cairn_test name)
  if(NOT CAIRN_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE cairn_options ${ARG_DEPS} GTest::gtest_main GTest::gmock)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_test(NAME ${name} COMMAND ${name} --gtest_brief=1)
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 600)
endfunction()
