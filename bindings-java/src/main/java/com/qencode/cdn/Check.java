package com.qencode.cdn;

/**
 * One check of an {@link Explanation}, passed or failed, in words.
 *
 * @param name {@code url}, {@code token_present}, {@code format}, {@code algorithm}, {@code key_id},
 *     {@code signature}, {@code claims}, {@code expiry}, {@code not_before} or {@code resource}
 * @param passed whether it passed
 * @param detail what was seen, in words
 */
public record Check(String name, boolean passed, String detail) {
}
