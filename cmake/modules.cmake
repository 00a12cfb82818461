# etpu_module(NAME SOURCES ... DEPS ...): one static library per folder under src/.
function(etpu_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(etpu_${name} STATIC ${M_SOURCES})
  target_include_directories(etpu_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src
                                          ${PROJECT_BINARY_DIR}/src)
  target_compile_options(etpu_${name} PRIVATE ${ETPU_WARNINGS})
  target_link_libraries(etpu_${name} PUBLIC ${M_DEPS})
endfunction()

# etpu_tests(NAME SOURCES ... DEPS ...): one GoogleTest binary per module; tests sit beside their code.
function(etpu_tests name)
  if(NOT ETPU_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name}_test ${T_SOURCES})
  target_compile_options(${name}_test PRIVATE ${ETPU_WARNINGS})
  target_link_libraries(${name}_test PRIVATE ${T_DEPS} etpu_testutil GTest::gtest GTest::gtest_main)
  gtest_discover_tests(${name}_test DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "ETPU_SHARED_DIR=${ETPU_SHARED_DIR}")
endfunction()
