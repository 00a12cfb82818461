# The installable package: one static library `etpu` (every module's objects in one archive),
# the public headers (include/etpu/), and an exported CMake package, so that an out-of-tree
# project does
#     find_package(etpu REQUIRED)
#     target_link_libraries(app PRIVATE etpu::etpu)
# One archive rather than one per module: a consumer links one target and never meets the
# module graph (link order, internal targets); the modules stay separate libraries inside the
# build, where the layering check (scripts/check_layering.sh) needs them. Run-time data (the
# device catalog, devices/devices.json) is compiled into the library, so nothing else is
# installed for it. Components: `etpu_dev` (library, headers, CMake package), `etpu_tools`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_property(etpu_modules GLOBAL PROPERTY ETPU_MODULE_TARGETS)
set(etpu_objects "")
set(etpu_third_party "")
foreach(m ${etpu_modules})
  list(APPEND etpu_objects $<TARGET_OBJECTS:${m}>)
  get_target_property(libs ${m} LINK_LIBRARIES)
  foreach(l ${libs})
    if(l MATCHES "::")
      list(APPEND etpu_third_party ${l})
    endif()
  endforeach()
endforeach()
list(REMOVE_DUPLICATES etpu_third_party)
# etpuConfig.cmake.in finds these packages for the consumer; a new one must be added there.
set(etpu_known_third_party fmt::fmt flatbuffers::flatbuffers nlohmann_json::nlohmann_json PNG::PNG JPEG::JPEG
                            OpenSSL::Crypto)
foreach(l ${etpu_third_party})
  if(NOT l IN_LIST etpu_known_third_party)
    message(FATAL_ERROR "etpu: module link dependency ${l} is not found by cmake/etpuConfig.cmake.in")
  endif()
endforeach()

add_library(etpu_lib STATIC ${etpu_objects})
add_library(etpu::etpu ALIAS etpu_lib)
set_target_properties(etpu_lib PROPERTIES OUTPUT_NAME etpu EXPORT_NAME etpu)
target_compile_features(etpu_lib INTERFACE cxx_std_20)
target_include_directories(etpu_lib INTERFACE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
                                              $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
target_link_libraries(etpu_lib PRIVATE ${etpu_third_party})

set(etpu_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/etpu)
install(TARGETS etpu_lib EXPORT etpuTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT etpu_dev)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/etpu DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        COMPONENT etpu_dev FILES_MATCHING PATTERN "*.h")
install(EXPORT etpuTargets NAMESPACE etpu:: DESTINATION ${etpu_cmake_dir} COMPONENT etpu_dev)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/etpuConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/etpuConfig.cmake INSTALL_DESTINATION ${etpu_cmake_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/etpuConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/etpuConfig.cmake ${PROJECT_BINARY_DIR}/etpuConfigVersion.cmake
        DESTINATION ${etpu_cmake_dir} COMPONENT etpu_dev)

foreach(tool edgetpu_compiler etpu)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT etpu_tools)
  endif()
endforeach()
