package com.qencode.cdn;

import java.util.Map;

/**
 * A token's header and claims, read <b>without verifying anything</b>: for
 * display and debugging, never for an access decision.
 *
 * @param header {@code alg}, {@code typ}, {@code kid} …
 * @param claims {@code uri}, {@code exp}, {@code nbf} and custom claims
 */
public record DecodedToken(Map<String, Object> header, Map<String, Object> claims) {
}
