package com.qencode.cdn.bench;

import com.qencode.cdn.ExternalSigner;
import com.qencode.cdn.PreparedToken;
import com.qencode.cdn.SignOptions;
import com.qencode.cdn.SignRequest;
import com.qencode.cdn.SignResult;
import com.qencode.cdn.Signer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * Round 2 of bench/java (issues 17 and 18 from Java), RSA-4096, best batch
 * of ROUNDS after a warm-up, nanoseconds per token:
 *
 * <ul>
 * <li>{@code local}: {@code Signer.sign} with the key in the library;</li>
 * <li>{@code jdk}: the JDK's SHA256withRSA alone over a token's signing input
 * (what the ExternalSigner below does);</li>
 * <li>{@code external}: {@code Signer.external} with that ExternalSigner — the
 * JDK's RSA, plus the JNA callback, plus the core's check of every
 * signature; {@code external - jdk} is the cost of the path;</li>
 * <li>{@code two_phase}: {@code prepare}, the JDK's RSA, {@code finish};</li>
 * <li>{@code many}: {@code signMany} of BATCH items on every core, per item
 * ({@code many_ratio} = local / (many x cores): 1.0 is perfect scaling);</li>
 * <li>{@code external_many}: the same batch on an external signer (its
 * ExternalSigner called from the core's threads through JNA);</li>
 * <li>{@code cache_hit}: a {@code cached} signer asked the same uri again.</li>
 * </ul>
 *
 * <p>Usage: {@code ScaleRate KEYS_DIR ROUNDS BATCH}
 */
public final class ScaleRate {
    private ScaleRate() {
    }

    public static void main(String[] args) throws Exception {
        Path keys = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        int cores = Runtime.getRuntime().availableProcessors();
        String der = Files.readString(keys.resolve("rsa4096.pkcs8.pem")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(der)));
        ExternalSigner jdk = input -> {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            s.update(input);
            return s.sign();
        };
        SignOptions opts = SignOptions.builder().expiresIn(Duration.ofMinutes(10)).build();
        List<SignRequest> items = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            items.add(SignRequest.of("videos/" + i + "/", opts));
        }
        try (Signer local = Signer.fromPem(SignBench.KID, Files.readString(keys.resolve("rsa4096.pkcs1.pem")));
             Signer external = Signer.external(SignBench.KID, Files.readString(keys.resolve("rsa4096.spki.pem")), jdk);
             Signer cached = local.cached(Duration.ofMinutes(5))) {
            byte[] input = local.prepare(SignBench.URI, opts).signingInput();
            double l = MinRate.best(() -> local.sign(SignBench.URI, opts), rounds, batch);
            double j = MinRate.best(() -> {
                try {
                    return Base64.getEncoder().encodeToString(jdk.sign(input));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, rounds, batch);
            double e = MinRate.best(() -> external.sign(SignBench.URI, opts), rounds, batch);
            double t = MinRate.best(() -> {
                try {
                    PreparedToken p = local.prepare(SignBench.URI, opts);
                    return p.finish(jdk.sign(p.signingInput()));
                } catch (Exception x) {
                    throw new IllegalStateException(x);
                }
            }, rounds, batch);
            double m = perItem(() -> local.signMany(items), rounds, batch);
            double em = perItem(() -> external.signMany(items), rounds, batch);
            double c = MinRate.best(() -> cached.sign(SignBench.URI, opts), rounds, batch * 100);
            System.out.printf("cores=%d local_ns_min=%.0f jdk_ns_min=%.0f external_ns_min=%.0f two_phase_ns_min=%.0f "
                    + "many_ns_min=%.0f external_many_ns_min=%.0f cache_hit_ns_min=%.0f many_ratio=%.3f external_many_ratio=%.3f%n",
                    cores, l, j, e, t, m, em, c, l / (m * cores), e / (em * cores));
        }
    }

    /** The best batch's time per item of {@code batch} (a list of BATCH results). */
    static double perItem(Supplier<List<SignResult>> batch, int rounds, int n) {
        batch.get(); // warm-up
        double min = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long t = System.nanoTime();
            List<SignResult> results = batch.get();
            min = Math.min(min, (System.nanoTime() - t) / (double) n);
            if (!results.get(n - 1).isOk()) {
                throw new AssertionError(results.get(n - 1));
            }
        }
        return min;
    }
}
