// The reference's C# sample, fixed (DESIGN §8, §10). The sample (from the API
// reference, qencode-cdn-api.txt, "Code examples"; copied here because tests
// may not read outside the repository) builds its key like this:
//
//     var securityKey = new SymmetricSecurityKey(System.Text.Encoding.UTF8.GetBytes(privateKey));
//     var credentials = new SigningCredentials(securityKey, SecurityAlgorithms.HmacSha256Signature);
//     var header = new JwtHeader(credentials);
//     header.Add("kid", signingKeyId);
//     var payload = new JwtPayload(claims);   // uri, exp (DateTime.UtcNow + exp), nbf when given
//     return new JwtSecurityTokenHandler().WriteToken(new JwtSecurityToken(header, payload));
//
// Microsoft.IdentityModel is not available here, so the test rebuilds the
// same token with HMACSHA256 over the same header and payload: HS256 with the
// PEM text as the HMAC secret. The edge wants RS256 and refuses it.
using System;
using System.Security.Cryptography;
using System.Text;
using NUnit.Framework;
using Qencode.Cdn;
using Qencode.Cdn.Testing;

namespace Qencode.Cdn.Tests
{
    [TestFixture]
    public class SampleTests
    {
        private const string SigningKeyId = "ec25a6a6-b31e-4ac9-af01-711460421c6b";
        private const string PlaybackId = "abc123";

        /// <summary>The sample's GenerateSignedToken, with HMACSHA256 in place of JwtSecurityTokenHandler.</summary>
        private static string SampleToken(string signingKeyId, string privateKey, string uri, int exp)
        {
            long expTime = DateTimeOffset.UtcNow.AddSeconds(exp).ToUnixTimeSeconds();
            var header = Der.B64Url(Encoding.UTF8.GetBytes("{\"alg\":\"HS256\",\"kid\":\"" + signingKeyId + "\",\"typ\":\"JWT\"}"));
            var payload = Der.B64Url(Encoding.UTF8.GetBytes("{\"uri\":\"" + uri + "\",\"exp\":" + expTime + "}"));
            using (var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(privateKey)))
                return header + "." + payload + "." + Der.B64Url(hmac.ComputeHash(Encoding.ASCII.GetBytes(header + "." + payload)));
        }

        [Test]
        public void TheSamplesHs256TokenIsRefusedWithTheReasonAndTheReplacementIsServed()
        {
            EmulatorBinary.Require();
            using (var emu = Emulator.Start())
            using (var client = emu.CreateClient())
            {
                emu.AddStream("stream-1", PlaybackId);
                var key = client.CreateSigningKey(SigningKeyTarget.Stream, "stream-1");
                string privateKey = key.PrivateKey;

                // The sample: HS256, keyed with the PEM text.
                var bad = SampleToken(key.Id, privateKey, PlaybackId, 3600);
                using (var verifier = Verifier.FromPublicKey(privateKey))
                {
                    var e = Assert.Throws<InvalidSignatureException>(() => verifier.Verify(bad));
                    Assert.That(e.Message, Is.StringContaining("HS256"));
                    var why = verifier.ExplainToken(bad);
                    Assert.That(why.Ok, Is.False);
                    Assert.That(why.FirstFailure.Name, Is.EqualTo("algorithm"));
                    Assert.That(why.FirstFailure.Detail, Is.StringContaining("HS256"));
                }
                var refused = emu.Fetch(Urls.LivePlaybackUrl(PlaybackId, bad));
                Assert.That(refused.Status, Is.EqualTo(403));
                Assert.That(refused.Reason, Is.StringStarting("INVALID_SIGNATURE"));

                // The replacement, two lines:
                using (var signer = Signer.FromPem(key.Id, privateKey))
                {
                    var url = signer.SignedLiveUrl(PlaybackId, new SignOptions { ExpiresIn = TimeSpan.FromSeconds(3600) });

                    var served = emu.Fetch(url);
                    Assert.That(served.Status, Is.EqualTo(200), served.Reason);
                    using (var verifier = Verifier.FromPublicKey(privateKey))
                        Assert.That(verifier.Explain(url).Ok, Is.True);
                    Assert.That(Tokens.DecodeUnverified(url.Substring(url.IndexOf("auth=", StringComparison.Ordinal) + 5)).Header["alg"], Is.EqualTo("RS256"));
                }
            }
        }

        [Test]
        public void TheSampleConstantsAreNoSecretOfOurs()
        {
            // The sample's HS256 token with the sample's own placeholder key is refused the same way.
            var bad = SampleToken(SigningKeyId, "your_signing_key_private_key", PlaybackId, 3600);
            using (var v = Verifier.FromPublicKey(Repo.Spki2048))
                Assert.Throws<InvalidSignatureException>(() => v.Verify(bad));
        }
    }
}
