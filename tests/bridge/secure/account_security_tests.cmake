# bridge/secure tests of key backup and recovery (helper "backup"): unit tests
# of the recovery key and the backup message; on the mail test bed (root) with
# the real cachet-cloud, AccountSecurityEngine end to end: first device,
# second device restored via the escrow or the recovery key, renewal, a
# connection cut mid-APPEND, a crash after each step; the backup read by
# Python's imaplib and opened by `openssl pkcs12` and NSS `pk12util`.
find_program(CACHET_PYTHON3 python3 REQUIRED)
cachet_add_gtest(secure_key_backup_unit_test LABELS unit SOURCES recovery_key_test.cpp key_backup_message_test.cpp)
target_link_libraries(secure_key_backup_unit_test PRIVATE cachet_bridge_secure)
target_compile_definitions(secure_key_backup_unit_test PRIVATE CACHET_PYTHON3="${CACHET_PYTHON3}")

cachet_add_gtest(secure_account_security_mailbed_test LABELS mail interop TIMEOUT 1500
  SOURCES account_security_mailbed_test.cpp)
target_link_libraries(secure_account_security_mailbed_test PRIVATE cachet_bridge_secure cachet_cloud)
target_include_directories(secure_account_security_mailbed_test PRIVATE ${PROJECT_SOURCE_DIR}/tests/cloud
  ${PROJECT_SOURCE_DIR}/tests/bridge/aecm)
add_dependencies(secure_account_security_mailbed_test cachet-cloud)
target_compile_definitions(secure_account_security_mailbed_test PRIVATE CACHET_CLOUD_BIN="$<TARGET_FILE:cachet-cloud>"
  CACHET_PYTHON3="${CACHET_PYTHON3}" CACHET_BACKUP_CHECK_PY="${CMAKE_CURRENT_LIST_DIR}/key_backup_folder_check.py")
