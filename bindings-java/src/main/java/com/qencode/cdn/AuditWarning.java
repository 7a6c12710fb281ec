package com.qencode.cdn;

/**
 * Something a token grants that may be more than meant. Never makes a token invalid.
 *
 * @param code {@code PREFIX_COVERS_SIBLINGS}, {@code WHOLE_BUCKET}, {@code NEVER_EXPIRES},
 *     {@code LONG_LIFETIME} or {@code LEADING_SLASH} (more may come)
 * @param message the same, in words
 */
public record AuditWarning(String code, String message) {
}
