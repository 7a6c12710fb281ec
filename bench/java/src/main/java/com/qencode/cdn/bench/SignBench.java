package com.qencode.cdn.bench;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.qencode.cdn.SignOptions;
import com.qencode.cdn.Signer;
import io.jsonwebtoken.Jwts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One RS256 token at RSA-4096 on one thread: this package's {@link Signer}
 * (the key loaded once), jjwt and nimbus-jose-jwt (each with a pre-parsed
 * {@code RSAPrivateKey} and the JDK's RSA), same kid, uri and exp as the
 * core's own benchmark ({@code bindings-c/examples/core_rate.rs}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SignBench {
    static final String KID = "ec25a6a6-b31e-4ac9-af01-711460421c6b";
    static final String URI = "1f1ab6a3-d867-4787-b882-7f2fb1203634";
    static final Instant NOW = Instant.ofEpochSecond(1_700_000_000);

    Signer signer;
    SignOptions options;
    RSAPrivateKey key;
    RSASSASigner nimbusSigner;
    JWSHeader nimbusHeader;

    @Setup
    public void setup() throws Exception {
        Path keys = Path.of(System.getProperty("qcdn.keys", "tests/keys"));
        signer = Signer.fromPem(KID, Files.readString(keys.resolve("rsa4096.pkcs1.pem")));
        options = SignOptions.builder().now(NOW).build();
        String pem = Files.readString(keys.resolve("rsa4096.pkcs8.pem")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        key = (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
        nimbusSigner = new RSASSASigner(key);
        nimbusHeader = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KID).build();
    }

    @TearDown
    public void close() {
        signer.close();
    }

    @Benchmark
    public String qencodeCdn() {
        return signer.sign(URI, options);
    }

    @Benchmark
    public String jjwt() {
        return Jwts.builder().header().keyId(KID).and().claim("uri", URI)
                .expiration(Date.from(NOW.plusSeconds(3600))).signWith(key, Jwts.SIG.RS256).compact();
    }

    @Benchmark
    public String nimbus() throws JOSEException {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().claim("uri", URI).expirationTime(Date.from(NOW.plusSeconds(3600))).build();
        SignedJWT jwt = new SignedJWT(nimbusHeader, claims);
        jwt.sign(nimbusSigner);
        return jwt.serialize();
    }
}
