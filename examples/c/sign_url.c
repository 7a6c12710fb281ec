/* examples/c/sign_url.c: load the signing key once, print a signed storage URL.
 * Usage: sign_url [PRIVATE_KEY_FILE]
 *   without an argument the key comes from QENCODE_SIGNING_KEY and its id from
 *   QENCODE_SIGNING_KEY_ID (the same variables in every language).
 * Build: see docs/c.md (pkg-config, CMake or plain -lqencode_cdn). */
#include <stdio.h>

#include <qencode_cdn.h>

static int fail(void) {
    char msg[512];
    qcdn_last_error_message(msg, sizeof msg, NULL); /* "INVALID_KEY: …", never the key */
    fprintf(stderr, "%s\n", msg);
    return 1;
}

int main(int argc, char **argv) {
    qcdn_signer *signer = NULL;
    qcdn_status st = argc > 1 ? qcdn_signer_from_file("ec25a6a6-b31e-4ac9-af01-711460421c6b", argv[1], &signer)
                              : qcdn_signer_from_env(NULL, &signer);
    if (st != QCDN_OK) return fail();

    qcdn_sign_options options = qcdn_sign_options_default(); /* or = {0}: the same */
    options.expires_in = 600;                                  /* ten minutes */
    char *url = NULL;
    st = qcdn_signer_signed_storage_url(signer, "my-bucket", "us-west", "videos/intro.mp4", &options, &url);
    if (st == QCDN_OK) printf("%s\n", url);
    qcdn_string_free(url);
    qcdn_signer_free(signer);
    return st == QCDN_OK ? 0 : fail();
}
