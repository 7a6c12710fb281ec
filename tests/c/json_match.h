/* JSON comparison for the C conformance runner, on cJSON (Debian's
 * libcjson-dev): exact equality (objects member by member in any order,
 * arrays element by element) and the "contains" rule of
 * tests/conformance/README.md for client results. */
#ifndef QCDN_TEST_JSON_MATCH_H
#define QCDN_TEST_JSON_MATCH_H

#include <stdbool.h>

#include <cjson/cJSON.h>

/* Whether `got` equals `want`: the same JSON value (member order ignored). */
static inline bool json_equal(const cJSON *got, const cJSON *want) {
    return got != NULL && want != NULL && cJSON_Compare(got, want, true);
}

/* Whether `got` contains `want`: objects by their members (extra members
 * allowed, recursively), arrays element by element (same length), anything
 * else equal. */
static inline bool json_contains(const cJSON *got, const cJSON *want) {
    if (got == NULL || want == NULL) return false;
    if (cJSON_IsObject(want)) {
        if (!cJSON_IsObject(got)) return false;
        const cJSON *w = NULL;
        cJSON_ArrayForEach(w, want) {
            if (!json_contains(cJSON_GetObjectItemCaseSensitive(got, w->string), w)) return false;
        }
        return true;
    }
    if (cJSON_IsArray(want)) {
        if (!cJSON_IsArray(got) || cJSON_GetArraySize(got) != cJSON_GetArraySize(want)) return false;
        const cJSON *g = got->child;
        const cJSON *w = want->child;
        for (; g != NULL && w != NULL; g = g->next, w = w->next) {
            if (!json_contains(g, w)) return false;
        }
        return true;
    }
    return json_equal(got, want);
}

#endif /* QCDN_TEST_JSON_MATCH_H */
