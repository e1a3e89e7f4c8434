# `cmake --install` + `find_package(batchwire)`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS batchwire batchwire_asio_separate EXPORT batchwireTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/batchwire DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT batchwireTargets NAMESPACE batchwire:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/batchwire)
configure_package_config_file(cmake/batchwireConfig.cmake.in ${PROJECT_BINARY_DIR}/batchwireConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/batchwire)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/batchwireConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/batchwireConfig.cmake ${PROJECT_BINARY_DIR}/batchwireConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/batchwire)
