# Builds and runs the consumer application one way (see CMakeLists.txt beside this file):
#   cmake -DHOW=installed|add_subdirectory|fetchcontent -DASIO=header_only|compiled_by_the_app|io_service
#         -DBUILD_DIR=<batchwire build tree> -DREPO=<batchwire source> -DWORK_DIR=<scratch>
#         -DGENERATOR=<generator> -P run.cmake
file(REMOVE_RECURSE ${WORK_DIR})
set(args -DCONSUMER_FINDS_BATCHWIRE=${HOW} -DCONSUMER_ASIO=${ASIO} -DCMAKE_BUILD_TYPE=) # no optimisation: the build is the test
if(HOW STREQUAL "installed")
  execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "cmake --install failed: ${rc}")
  endif()
  list(APPEND args -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
elseif(HOW STREQUAL "add_subdirectory")
  list(APPEND args -DBATCHWIRE_SOURCE_DIR=${REPO})
elseif(HOW STREQUAL "fetchcontent")
  # From the local repository, at the commit checked out there.
  execute_process(COMMAND git -C ${REPO} rev-parse HEAD OUTPUT_VARIABLE tag OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "FetchContent needs ${REPO} to be a git checkout")
  endif()
  list(APPEND args -DBATCHWIRE_SOURCE_DIR=${REPO} -DBATCHWIRE_GIT_TAG=${tag})
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${CMAKE_CURRENT_LIST_DIR} -B ${WORK_DIR}/build -G ${GENERATOR} ${args}
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the consumer failed: ${rc}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build -j2 RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the consumer failed: ${rc}")
endif()
execute_process(COMMAND ${WORK_DIR}/build/consumer RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "consumer printed: ${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the consumer failed: ${rc}")
endif()
