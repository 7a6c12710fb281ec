/* examples/c/kms_signer.c: an external signer — the private key never enters
 * libqencode_cdn. The callback signs with OpenSSL's EVP API, as code that
 * reaches an HSM or a cloud KMS through an OpenSSL provider does; put your
 * KMS client's call in kms_sign instead. The library verifies every
 * signature with the public key before it returns a token.
 * Usage: kms_signer PRIVATE_KEY_FILE   (prints a signed storage URL)
 * Build: as the other examples, plus -lcrypto. */
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <qencode_cdn.h>

/* RS256 of `input` into `sig`. Called for every signature, possibly from
 * several threads at once (the EVP_PKEY is only read). */
static int32_t kms_sign(void *user_data, const uint8_t *input, size_t input_len, uint8_t *sig, size_t sig_cap,
                        size_t *sig_len, char *error, size_t error_cap) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    size_t len = sig_cap;
    int ok = ctx != NULL && EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, (EVP_PKEY *)user_data) == 1 &&
             EVP_DigestSign(ctx, sig, &len, input, input_len) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        snprintf(error, error_cap, "OpenSSL could not sign"); /* part of the QCDN_ERR_SIGNER_FAILED message */
        return 1;
    }
    *sig_len = len;
    return 0;
}

/* Called once, when the last signer sharing the callback is freed. */
static void kms_free(void *user_data) { EVP_PKEY_free((EVP_PKEY *)user_data); }

static int fail(void) {
    char msg[512];
    qcdn_last_error_message(msg, sizeof msg, NULL);
    fprintf(stderr, "%s\n", msg);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PRIVATE_KEY_FILE\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    EVP_PKEY *key = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f != NULL) fclose(f);
    if (key == NULL) {
        fprintf(stderr, "cannot read a private key from %s\n", argv[1]);
        return 1;
    }
    /* The library gets the public half only (SubjectPublicKeyInfo DER). */
    unsigned char *spki = NULL;
    int spki_len = i2d_PUBKEY(key, &spki);
    qcdn_signer *signer = NULL;
    qcdn_status st = QCDN_ERR_INVALID_KEY;
    if (spki_len > 0) {
        st = qcdn_signer_new_external("kms-key-1", spki, (size_t)spki_len, kms_sign, key, kms_free,
                                      5000 /* ms: a KMS that hangs is QCDN_ERR_TIMEOUT */, &signer);
    }
    OPENSSL_free(spki);
    if (st != QCDN_OK) {
        EVP_PKEY_free(key); /* on failure the key stays ours */
        return fail();
    }
    char *url = NULL;
    st = qcdn_signer_signed_storage_url(signer, "my-bucket", "us-west", "videos/intro.mp4", NULL, &url);
    if (st == QCDN_OK) printf("%s\n", url);
    qcdn_string_free(url);
    qcdn_signer_free(signer); /* calls kms_free */
    return st == QCDN_OK ? 0 : fail();
}
