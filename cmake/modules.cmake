# etpu_module(NAME SOURCES ... DEPS ... PUBLIC_DEPS ...): one static library per folder under src/.
#   DEPS         what the module's sources use: linked PRIVATE.
#   PUBLIC_DEPS  what the module's headers include: linked PUBLIC, so its includers get them too.
# scripts/check_layering.sh checks both lists against the #include lines (no module may include
# a header of a module it does not declare). Modules include each other's headers as
# "<folder>/x.h" from src/, so src/ (and the generated headers under the build tree) is a
# build-tree-only include path; an installed consumer sees include/ only (etpu::etpu, below).
function(etpu_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(etpu_${name} STATIC ${M_SOURCES})
  target_include_directories(etpu_${name} PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                             $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src> $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/src>)
  target_compile_options(etpu_${name} PRIVATE ${ETPU_WARNINGS})
  target_link_libraries(etpu_${name} PUBLIC ${M_PUBLIC_DEPS} PRIVATE ${M_DEPS})
  set_property(GLOBAL APPEND PROPERTY ETPU_MODULE_TARGETS etpu_${name})  # for the combined library
endfunction()

# etpu_tests(NAME SOURCES ... DEPS ...): one GoogleTest binary per module; tests sit beside their code.
# etpu_tests(NAME SOURCES ... DEPS ... [SHARED_SETUP suite...]): one ctest entry per test, except
# the SHARED_SETUP suites, whose tests share an expensive SetUpTestSuite and so run as one entry
# (one process) each.
function(etpu_tests name)
  if(NOT ETPU_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;DEPS;SHARED_SETUP" ${ARGN})
  add_executable(${name}_test ${T_SOURCES})
  target_compile_options(${name}_test PRIVATE ${ETPU_WARNINGS})
  target_link_libraries(${name}_test PRIVATE ${T_DEPS} etpu_testutil GTest::gtest GTest::gtest_main)
  set(filter "")
  foreach(suite IN LISTS T_SHARED_SETUP)
    string(APPEND filter ":${suite}.*")
    add_test(NAME ${suite} COMMAND ${name}_test --gtest_filter=${suite}.*)
    set_tests_properties(${suite} PROPERTIES ENVIRONMENT "ETPU_SHARED_DIR=${ETPU_SHARED_DIR}")
  endforeach()
  if(filter)
    string(SUBSTRING "${filter}" 1 -1 filter)
    gtest_discover_tests(${name}_test DISCOVERY_TIMEOUT 60 TEST_FILTER "-${filter}"
                         PROPERTIES ENVIRONMENT "ETPU_SHARED_DIR=${ETPU_SHARED_DIR}")
  else()
    gtest_discover_tests(${name}_test DISCOVERY_TIMEOUT 60
                         PROPERTIES ENVIRONMENT "ETPU_SHARED_DIR=${ETPU_SHARED_DIR}")
  endif()
endfunction()
