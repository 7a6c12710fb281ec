/* Canary: leaks one token on purpose. The suite runs it under ASan (LeakSanitizer)
 * and valgrind and FAILS if either tool does not report the leak: proof that the
 * tools really watch allocations made by the Rust library. Not part of the tests
 * that must pass. Usage: canary_leak REPO_ROOT */
#include "test_util.h"

int main(int argc, char **argv) {
    test_init(argc, argv);
    size_t len = 0;
    unsigned char *key = read_repo_file("tests/keys/rsa2048.pkcs1.pem", &len);
    qcdn_signer *signer = NULL;
    if (qcdn_signer_new("key-1", key, len, &signer) != QCDN_OK) return 2;
    free(key);
    char *token = NULL;
    if (qcdn_signer_sign(signer, "leaked", NULL, &token) != QCDN_OK) return 2;
    token = NULL; /* the string is now unreachable: a definite leak */
    qcdn_signer_free(signer);
    return 0;
}
