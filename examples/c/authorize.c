/* examples/c/authorize.c: an origin's access check. Serve OBJECT_KEY only when
 * TOKEN is valid (signature, key id, expiry) and covers it.
 * Usage: authorize PUBLIC_KEY_FILE TOKEN OBJECT_KEY   (exit 0: allow, 1: deny) */
#include <stdio.h>
#include <stdlib.h>

#include <qencode_cdn.h>

static unsigned char *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    unsigned char *buf = f != NULL ? malloc(1 << 16) : NULL;
    *len = buf != NULL ? fread(buf, 1, 1 << 16, f) : 0;
    if (f != NULL) fclose(f);
    return buf;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PUBLIC_KEY_FILE TOKEN OBJECT_KEY\n", argv[0]);
        return 2;
    }
    size_t len = 0;
    unsigned char *key = read_all(argv[1], &len);
    qcdn_verifier *verifier = NULL; /* create once, share between threads */
    qcdn_status st = key != NULL ? qcdn_verifier_new(key, len, &verifier) : QCDN_ERR_INVALID_ARGUMENT;
    free(key);
    if (st == QCDN_OK) {
        /* QCDN_OK only for a valid token that covers the object:
         * a token for another folder is QCDN_ERR_URI_MISMATCH. */
        st = qcdn_verifier_verify_resource(verifier, argv[2], QCDN_RESOURCE_STORAGE, argv[3], NULL, NULL);
    }
    if (st == QCDN_OK) {
        printf("allow %s\n", argv[3]);
    } else {
        char msg[512];
        qcdn_last_error_message(msg, sizeof msg, NULL);
        printf("deny %s: %s\n", argv[3], msg);
    }
    qcdn_verifier_free(verifier);
    return st == QCDN_OK ? 0 : 1;
}
