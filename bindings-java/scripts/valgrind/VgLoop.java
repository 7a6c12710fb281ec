import com.qencode.cdn.*;
import java.nio.file.*;
import java.time.Instant;
public class VgLoop {
    public static void main(String[] a) throws Exception {
        String pem = Files.readString(Path.of(a[1]));
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
            }
        }
        System.out.println("done");
    }
}
