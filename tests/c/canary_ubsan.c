/* Canary: a signed integer overflow on purpose. The suite builds it with the
 * same sanitizer flags as the tests and FAILS if UndefinedBehaviorSanitizer
 * does not stop it: proof that UBSan is really active. Not a test that must
 * pass. */
#include <limits.h>
#include <stdio.h>

int main(int argc, char **argv) {
    (void)argv;
    volatile int x = INT_MAX;
    int y = x + argc; /* overflow: undefined behaviour */
    printf("%d\n", y);
    return 0;
}
