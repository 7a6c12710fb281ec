import com.qencode.cdn.*;
import com.qencode.cdn.InvalidKeyException;
import com.qencode.cdn.Signer;
import java.nio.file.*;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.*;
import java.time.Duration;
import java.time.Instant;
import java.util.*;
import java.util.concurrent.atomic.AtomicInteger;
public class VgLoop {
    public static void main(String[] a) throws Exception {
        String pem = Files.readString(Path.of(a[1]));
        String keys = Path.of(a[1]).getParent().toString();
        String spki = Files.readString(Path.of(keys, "rsa2048.spki.pem"));
        String der = Files.readString(Path.of(keys, "rsa2048.pkcs8.pem")).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        PrivateKey pk = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(der)));
        AtomicInteger released = new AtomicInteger();
        int externals = 0;
        SignOptions o = SignOptions.builder().now(Instant.ofEpochSecond(1_700_000_000)).claim("v", "u").build();
        VerifyOptions at = VerifyOptions.builder().now(Instant.ofEpochSecond(1_700_000_000)).build();
        for (int i = 0; i < Integer.parseInt(a[0]); i++) {
            try (Signer s = Signer.fromPem("key-1", pem); Verifier v = Verifier.fromSigner(s)) {
                String t = s.sign("videos/a/", o);
                v.verify(t, at);
                v.explain(Urls.storageUrl("b-1", "us-west", "videos/a/x", t), at);
                s.signedCookie("videos/a/", o, CookieOptions.defaults());
                Tokens.decodeUnverified(t); Tokens.audit(t, Instant.ofEpochSecond(1_700_000_000));
                try { v.verify(t); } catch (TokenExpiredException e) { }
                try { Urls.livePlaybackUrl("a.b"); } catch (InvalidArgumentException e) { }
                try { Signer.fromPem("k", "garbage"); } catch (InvalidKeyException e) { }
                // Round 2: key sets, batches, the cache, prepare/finish.
                try (Verifier set = Verifier.fromKeys(Map.of("key-1", spki)); Verifier again = Verifier.fromJwks(set.jwks())) {
                    again.verify(t, at);
                }
                try { Verifier.fromJwks("{\"keys\":[]}"); } catch (InvalidArgumentException e) { }
                s.signMany(List.of(SignRequest.of("a/", o), SignRequest.of("/bad", o), SignRequest.of("c/")), 2);
                try (Signer c = s.cached(Duration.ofMinutes(5))) { c.sign("a/"); c.sign("a/"); c.cachedTokens(); }
                PreparedToken p = s.prepare("videos/p/", o);
                Signature rs = Signature.getInstance("SHA256withRSA"); rs.initSign(pk); rs.update(p.signingInput());
                p.finish(rs.sign());
                try { p.finish(new byte[256]); } catch (SignerFailedException e) { }
            }
            // External signers: the callback path, its failures, a cached one sharing it, a batch calling it.
            ExternalSigner good = new ExternalSigner() {
                public byte[] sign(byte[] in) throws Exception {
                    Signature rs = Signature.getInstance("SHA256withRSA"); rs.initSign(pk); rs.update(in); return rs.sign();
                }
                public void released() { released.incrementAndGet(); }
            };
            ExternalSigner[] bad = {
                in -> { throw new java.io.IOException("kms down"); }, in -> null, in -> new byte[5000], in -> new byte[256] };
            try (Signer e = Signer.external("key-1", spki, good); Signer c = e.cached(Duration.ofMinutes(5))) {
                externals++;
                e.sign("videos/e/", o); c.sign("videos/e/"); c.sign("videos/e/");
                e.signMany(List.of(SignRequest.of("a/"), SignRequest.of("b/"), SignRequest.of("c/"), SignRequest.of("d/")), 2);
            }
            for (ExternalSigner b : bad) {
                try (Signer e = Signer.external("key-1", spki, b)) {
                    try { e.sign("x"); } catch (SignerFailedException ex) { }
                    e.signMany(List.of(SignRequest.of("a/")));
                }
            }
            try { Signer.external("key-1", "not a key", good); } catch (InvalidKeyException e) { }
        }
        System.out.println("done; ExternalSigner released " + released.get() + " times for " + externals + " external signers");
        if (released.get() != externals) throw new AssertionError("released " + released.get() + " != " + externals);
    }
}
