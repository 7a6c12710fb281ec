/* Release smoke test of the C package, built against an unpacked tarball
 * (pkg-config or CMake find_package): sign a golden vector, verify it, build a
 * URL, and one client call against a running emulator.
 * Usage: smoke KEY_FILE KEY_ID URI NOW EXPECTED_TOKEN API_URL DOMAIN */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qencode_cdn.h>

static int fail(const char *what) {
    char msg[512];
    qcdn_last_error_message(msg, sizeof msg, NULL);
    fprintf(stderr, "smoke (C): %s: %s\n", what, msg);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: %s KEY_FILE KEY_ID URI NOW EXPECTED_TOKEN API_URL DOMAIN\n", argv[0]);
        return 2;
    }
    qcdn_signer *signer = NULL;
    if (qcdn_signer_from_file(argv[2], argv[1], &signer) != QCDN_OK) return fail("signer");
    qcdn_sign_options opts = qcdn_sign_options_default();
    opts.now = strtoll(argv[4], NULL, 10);
    char *token = NULL;
    if (qcdn_signer_sign(signer, argv[3], &opts, &token) != QCDN_OK) return fail("sign");
    if (strcmp(token, argv[5]) != 0) {
        fprintf(stderr, "smoke (C): token differs from the golden vector\n  got  %s\n  want %s\n", token, argv[5]);
        return 1;
    }
    qcdn_verifier *verifier = NULL;
    if (qcdn_verifier_from_signer(signer, &verifier) != QCDN_OK) return fail("verifier");
    char *fresh = NULL, *claims = NULL, *url = NULL, *domain = NULL;
    if (qcdn_signer_sign(signer, argv[3], NULL, &fresh) != QCDN_OK) return fail("sign (now)");
    if (qcdn_verifier_verify(verifier, fresh, NULL, &claims) != QCDN_OK) return fail("verify");
    if (!strstr(claims, argv[3])) {
        fprintf(stderr, "smoke (C): verified claims %s lack the uri\n", claims);
        return 1;
    }
    if (qcdn_storage_url("my-bucket", "us-west", "videos/a b.mp4", fresh, &url) != QCDN_OK) return fail("url");
    if (strncmp(url, "https://my-bucket.media-storage.us-west.qencode.com/videos/a%20b.mp4?auth=", 73) != 0) {
        fprintf(stderr, "smoke (C): unexpected URL %s\n", url);
        return 1;
    }
    qcdn_client_options copts = {0};
    copts.api_url = argv[6];
    copts.auth_url = argv[6];
    qcdn_client *client = NULL;
    if (qcdn_client_new("emulator-api-key", &copts, &client) != QCDN_OK) return fail("client");
    if (qcdn_client_create_domain(client, argv[7], QCDN_DOMAIN_TYPE_LIVE, &domain) != QCDN_OK)
        return fail("create_domain");
    if (!strstr(domain, argv[7])) {
        fprintf(stderr, "smoke (C): create_domain returned %s\n", domain);
        return 1;
    }
    printf("smoke (C, qencode_cdn %s, %s): golden token, verify, URL, client call: ok\n", qcdn_version(), argv[0]);
    qcdn_string_free(domain);
    qcdn_string_free(url);
    qcdn_string_free(claims);
    qcdn_string_free(fresh);
    qcdn_string_free(token);
    qcdn_client_free(client);
    qcdn_verifier_free(verifier);
    qcdn_signer_free(signer);
    return 0;
}
