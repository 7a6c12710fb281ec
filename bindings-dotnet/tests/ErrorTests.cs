// The error table: every code the library knows has an ErrorCode member with
// its number and name, and maps to its exception class. INTERNAL (a caught
// panic) and SIGNER_FAILED cannot be provoked through this C ABI, so their
// mapping is checked from the details document the library would give.
using System;
using System.Linq;
using System.Runtime.InteropServices;
using NUnit.Framework;
using Qencode.Cdn;

namespace Qencode.Cdn.Tests
{
    [TestFixture]
    public class ErrorTests
    {
        [DllImport("qencode_cdn")] private static extern IntPtr qcdn_status_str(uint status);

        private static string LibraryName(uint n) { return Marshal.PtrToStringAnsi(qcdn_status_str(n)); }

        [Test]
        public void EveryStatusOfTheLibraryIsAnErrorCodeWithTheSameName()
        {
            int known = 0;
            for (uint n = 1; n < 256; n++)
            {
                var name = LibraryName(n);
                if (name == "UNKNOWN") continue;
                known++;
                Assert.That(Enum.IsDefined(typeof(ErrorCode), (int)n), Is.True, "status " + n + " (" + name + ") has no ErrorCode member: map it");
                Assert.That(ErrorCodes.Name((ErrorCode)n), Is.EqualTo(name));
            }
            Assert.That(known, Is.GreaterThanOrEqualTo(16));
            Assert.That(LibraryName(0), Is.EqualTo("OK"));
        }

        [Test]
        public void EveryErrorCodeMapsToItsExceptionClass()
        {
            var expected = new[]
            {
                Tuple.Create(ErrorCode.InvalidArgument, typeof(InvalidArgumentException)),
                Tuple.Create(ErrorCode.InvalidKey, typeof(InvalidKeyException)),
                Tuple.Create(ErrorCode.MalformedToken, typeof(MalformedTokenException)),
                Tuple.Create(ErrorCode.InvalidSignature, typeof(InvalidSignatureException)),
                Tuple.Create(ErrorCode.TokenExpired, typeof(TokenExpiredException)),
                Tuple.Create(ErrorCode.TokenNotYetValid, typeof(TokenNotYetValidException)),
                Tuple.Create(ErrorCode.UriMismatch, typeof(UriMismatchException)),
                Tuple.Create(ErrorCode.UnknownKeyId, typeof(UnknownKeyIdException)),
                Tuple.Create(ErrorCode.Unauthorized, typeof(UnauthorizedException)),
                Tuple.Create(ErrorCode.NotFound, typeof(NotFoundException)),
                Tuple.Create(ErrorCode.RateLimited, typeof(RateLimitedException)),
                Tuple.Create(ErrorCode.ApiError, typeof(ApiException)),
                Tuple.Create(ErrorCode.Transport, typeof(TransportException)),
                Tuple.Create(ErrorCode.Timeout, typeof(QencodeTimeoutException)),
                Tuple.Create(ErrorCode.Decode, typeof(DecodeException)),
                Tuple.Create(ErrorCode.Internal, typeof(InternalException)),
                Tuple.Create(ErrorCode.SignerFailed, typeof(SignerFailedException)),
            };
            Assert.That(expected.Select(t => t.Item1), Is.EquivalentTo(Enum.GetValues(typeof(ErrorCode))), "the table covers every member");
            foreach (var t in expected)
            {
                var name = ErrorCodes.Name(t.Item1);
                var json = "{\"code\":\"" + name + "\",\"status_code\":" + (int)t.Item1 + ",\"message\":\"why\",\"http_status\":null,\"retry_after\":null,\"body\":null,\"request_id\":null,\"type_error\":false}";
                var e = Errors.FromDetails((uint)t.Item1, json);
                Assert.That(e.GetType(), Is.EqualTo(t.Item2), name);
                var q = (IQencodeError)e;
                Assert.That(q.Code, Is.EqualTo(t.Item1));
                Assert.That(q.CodeName, Is.EqualTo(name));
                Assert.That(q.Status, Is.Null);
                Assert.That(e.Message, Is.EqualTo(name + ": why"));
                Assert.That(e is ArgumentException, Is.EqualTo(t.Item1 == ErrorCode.InvalidArgument));
                Assert.That(e is QencodeException, Is.EqualTo(t.Item1 != ErrorCode.InvalidArgument));
                Assert.That(e is TokenException, Is.EqualTo(new[] { 3, 4, 5, 6, 7, 8 }.Contains((int)t.Item1)));
                Assert.That(e is ApiException, Is.EqualTo(new[] { 9, 10, 11, 12 }.Contains((int)t.Item1)));
            }
            var rl = (RateLimitedException)Errors.FromDetails(11, "{\"code\":\"RATE_LIMITED\",\"status_code\":11,\"message\":\"slow\",\"http_status\":429,\"retry_after\":1.5,\"body\":\"{}\",\"request_id\":\"r-1\",\"type_error\":false}");
            Assert.That(rl.Status, Is.EqualTo(429));
            Assert.That(rl.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(1.5)));
            Assert.That(rl.Body, Is.EqualTo("{}"));
            Assert.That(rl.RequestId, Is.EqualTo("r-1"));
            Assert.That(((InvalidArgumentException)Errors.FromDetails(1, "{\"message\":\"m\",\"type_error\":true}")).IsTypeError, Is.True);
            var unknown = Errors.FromDetails(99, "{\"message\":\"from a newer library\"}");
            Assert.That(unknown, Is.InstanceOf<InternalException>());
            Assert.That(unknown.Message, Is.StringContaining("99"));
            Assert.Throws<ArgumentOutOfRangeException>(() => ErrorCodes.Name((ErrorCode)99));
        }

        [Test]
        public void VerificationCodesComeFromTheLibrary()
        {
            using (var s = Signer.FromPem(Repo.Kid, Repo.Key2048))
            using (var v = Verifier.FromSigner(s))
            {
                var now = Repo.At(1700000000);
                var token = s.Sign("videos/a/", new SignOptions { Now = now, NotBefore = now.AddMinutes(10), ExpiresIn = TimeSpan.FromHours(1) });
                Assert.That(Assert.Throws<TokenNotYetValidException>(() => v.Verify(token, new VerifyOptions { Now = now })).Code, Is.EqualTo(ErrorCode.TokenNotYetValid));
                Assert.That(Assert.Throws<TokenExpiredException>(() => v.Verify(token, new VerifyOptions { Now = now.AddDays(1) })).Status, Is.Null);
                Assert.Throws<MalformedTokenException>(() => v.Verify("a.b.c"));
                Assert.That(Assert.Throws<InvalidKeyException>(() => Verifier.FromPublicKey("junk")).Code, Is.EqualTo(ErrorCode.InvalidKey));
            }
        }
    }
}
