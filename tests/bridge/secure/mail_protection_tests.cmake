# MailProtection. Unit: the message split (exact bytes); the engine in process
# with a scripted cloud (directory requests byte for byte, cache lifetimes on a
# moved clock, an in-process RFC 3161 authority, hostile input). Mail: the mail
# bed + the real cachet-cloud + AECM enrolment, checked with openssl, NSS cmsutil
# and gpgsm.
cachet_add_gtest(secure_protection_unit_test LABELS unit TIMEOUT 300
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/message_parts_protection_test.cpp
          ${CMAKE_CURRENT_LIST_DIR}/open_protection_test.cpp)
find_package(Poco REQUIRED COMPONENTS Foundation JSON)
target_link_libraries(secure_protection_unit_test PRIVATE cachet_bridge_secure Poco::JSON)
target_include_directories(secure_protection_unit_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/bridge/aecm)

cachet_add_gtest(secure_protection_mailbed_test LABELS mail interop TIMEOUT 900
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mailbed_protection_test.cpp)
target_link_libraries(secure_protection_mailbed_test PRIVATE cachet_bridge_secure cachet_bridge_smtp
  cachet_bridge_mime cachet_bridge_imap cachet_cloud)
target_include_directories(secure_protection_mailbed_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/cloud
  ${PROJECT_SOURCE_DIR}/tests/bridge/aecm)
add_dependencies(secure_protection_mailbed_test cachet-cloud)
target_compile_definitions(secure_protection_mailbed_test PRIVATE CACHET_CLOUD_BIN="$<TARGET_FILE:cachet-cloud>")
