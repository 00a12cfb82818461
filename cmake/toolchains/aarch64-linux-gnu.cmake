# Cross build for 64-bit ARM Linux with Debian's cross toolchain (g++-aarch64-linux-gnu) and the
# arm64 multiarch -dev packages (scripts/install-deps.sh). Test binaries run under qemu-user:
# ctest and gtest_discover_tests go through CMAKE_CROSSCOMPILING_EMULATOR; QEMU_CPU (e.g.
# cortex-a53, max) picks the emulated CPU. See docs/ARM64.md.
#   cmake -S . -B build-aarch64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=cmake/toolchains/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Host programs (flatc, node) from the build machine; libraries, headers and CMake packages
# from the arm64 multiarch directories (/usr/lib/aarch64-linux-gnu) and the cross sysroot.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# No -L /usr/aarch64-linux-gnu: the loader and libc come from libc6:arm64 (a matching pair); the
# cross sysroot's loader with the multiarch libc (another build) hangs at the first std::thread.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
# Tests are listed when ctest runs (under qemu), not after each link.
set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
# pkg-config (FindOpenSSL uses it) must read the arm64 .pc files, not the host's.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
