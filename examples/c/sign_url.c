/* Example: load a signing key once and print a signed storage URL.
 * Build: see docs/c.md (pkg-config, CMake or plain -lqencode_cdn).
 * Usage: sign_url PRIVATE_KEY.pem */
#include <stdio.h>
#include <stdlib.h>

#include <qencode_cdn.h>

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) return NULL;
    unsigned char *buf = malloc(1 << 16);
    *len = buf ? fread(buf, 1, 1 << 16, f) : 0;
    fclose(f);
    return buf;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PRIVATE_KEY.pem\n", argv[0]);
        return 2;
    }
    size_t len = 0;
    unsigned char *pem = read_all(argv[1], &len);
    if (pem == NULL) {
        perror(argv[1]);
        return 2;
    }
    qcdn_signer *signer = NULL;
    qcdn_status st = qcdn_signer_new("ec25a6a6-b31e-4ac9-af01-711460421c6b", pem, len, &signer);
    free(pem);
    if (st != QCDN_OK) {
        char msg[512];
        qcdn_last_error_message(msg, sizeof msg, NULL);
        fprintf(stderr, "%s\n", msg);
        return 1;
    }
    qcdn_sign_options options = qcdn_sign_options_default();
    options.expires_in = 600; /* ten minutes */
    char *url = NULL;
    st = qcdn_signer_signed_storage_url(signer, "my-bucket", "us-west", "videos/intro.mp4", &options, &url);
    if (st == QCDN_OK) {
        printf("%s\n", url);
    } else {
        char msg[512];
        qcdn_last_error_message(msg, sizeof msg, NULL);
        fprintf(stderr, "%s: %s\n", qcdn_status_str(st), msg);
    }
    qcdn_string_free(url);
    qcdn_signer_free(signer);
    return st == QCDN_OK ? 0 : 1;
}
