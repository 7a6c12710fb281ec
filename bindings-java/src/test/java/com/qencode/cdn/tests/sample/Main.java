// The Java sample of the Qencode Content Delivery API reference (the section
// on signed tokens: "public class Main"), copied as written. Two changes,
// only to make it compile here: the `package` line, and `import java.security.Key;`
// (the sample uses `Key` without importing it). Everything else — HS256 with
// the PEM text as an HMAC secret, the key id as `jti` (setId) instead of the
// `kid` header — is the sample's own, which is what SampleFixedTest shows.
package com.qencode.cdn.tests.sample;

import io.jsonwebtoken.*;
import io.jsonwebtoken.security.Keys;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.util.Date;
public class Main {
public static void main(String[] args) {
String signingKeyId = "your_signing_key_id";
String privateKeyStr = "your_signing_key_private_key"; // You might need to convert this to a Key
String uri = "your_stream_playback_id";
long exp = 3600;
Long nbf = null;
String token = generateSignedToken(signingKeyId, privateKeyStr, uri, exp, nbf);
System.out.println(token);
}
private static String generateSignedToken(String signingKeyId, String privateKeyStr, String uri, long exp, Long nbf) {
long nowMillis = System.currentTimeMillis();
Date now = new Date(nowMillis);
byte[] privateKeyBytes = privateKeyStr.getBytes(StandardCharsets.UTF_8);
Key signingKey = Keys.hmacShaKeyFor(privateKeyBytes);
JwtBuilder builder = Jwts.builder()
.setId(signingKeyId)
.claim("uri", uri)
.signWith(signingKey, SignatureAlgorithm.HS256);
if (exp > 0) {
long expMillis = nowMillis + exp * 1000;
Date expDate = new Date(expMillis);
builder.setExpiration(expDate);
}
if (nbf != null) {
long nbfMillis = nbf * 1000;
Date nbfDate = new Date(nbfMillis);
builder.setNotBefore(nbfDate);
}
return builder.compact();
}
}
