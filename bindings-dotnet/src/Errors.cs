// The one error table of DESIGN §5, mapped by one exhaustive switch.
using System;
using System.Collections.Generic;

namespace Qencode.Cdn
{
    /// <summary>The stable error codes shared by every language (the numbers are the C ABI's <c>qcdn_status</c>).</summary>
    public enum ErrorCode
    {
        /// <summary>A bad input caught before any I/O.</summary>
        InvalidArgument = 1,
        /// <summary>A key that cannot be parsed, is not RSA, or is too small.</summary>
        InvalidKey = 2,
        /// <summary>A token that is not three base64url parts of JSON.</summary>
        MalformedToken = 3,
        /// <summary>The signature does not verify, or the algorithm is not RS256.</summary>
        InvalidSignature = 4,
        /// <summary>The token's <c>exp</c> has passed (beyond the leeway).</summary>
        TokenExpired = 5,
        /// <summary>The token's <c>nbf</c> is still in the future (beyond the leeway).</summary>
        TokenNotYetValid = 6,
        /// <summary>The token's <c>uri</c> does not cover the requested resource.</summary>
        UriMismatch = 7,
        /// <summary>The token's <c>kid</c> is not the expected key id.</summary>
        UnknownKeyId = 8,
        /// <summary>HTTP 401/403 from the API after one access-token renewal.</summary>
        Unauthorized = 9,
        /// <summary>HTTP 404 from the API.</summary>
        NotFound = 10,
        /// <summary>HTTP 429 from the API after the retries.</summary>
        RateLimited = 11,
        /// <summary>Any other non-success answer of the API.</summary>
        ApiError = 12,
        /// <summary>DNS, connect, TLS or a reset connection.</summary>
        Transport = 13,
        /// <summary>A deadline passed.</summary>
        Timeout = 14,
        /// <summary>The server's answer is not what the API documents.</summary>
        Decode = 15,
        /// <summary>A bug in this library, or a caught panic.</summary>
        Internal = 16,
        /// <summary>An external signer failed or returned a signature that does not verify.</summary>
        SignerFailed = 17,
    }

    /// <summary>Conversions of <see cref="ErrorCode"/>.</summary>
    public static class ErrorCodes
    {
        /// <summary>The code string shared by every language, e.g. <c>"INVALID_ARGUMENT"</c>.</summary>
        public static string Name(ErrorCode code)
        {
            switch (code)
            {
                case ErrorCode.InvalidArgument: return "INVALID_ARGUMENT";
                case ErrorCode.InvalidKey: return "INVALID_KEY";
                case ErrorCode.MalformedToken: return "MALFORMED_TOKEN";
                case ErrorCode.InvalidSignature: return "INVALID_SIGNATURE";
                case ErrorCode.TokenExpired: return "TOKEN_EXPIRED";
                case ErrorCode.TokenNotYetValid: return "TOKEN_NOT_YET_VALID";
                case ErrorCode.UriMismatch: return "URI_MISMATCH";
                case ErrorCode.UnknownKeyId: return "UNKNOWN_KEY_ID";
                case ErrorCode.Unauthorized: return "UNAUTHORIZED";
                case ErrorCode.NotFound: return "NOT_FOUND";
                case ErrorCode.RateLimited: return "RATE_LIMITED";
                case ErrorCode.ApiError: return "API_ERROR";
                case ErrorCode.Transport: return "TRANSPORT";
                case ErrorCode.Timeout: return "TIMEOUT";
                case ErrorCode.Decode: return "DECODE";
                case ErrorCode.Internal: return "INTERNAL";
                case ErrorCode.SignerFailed: return "SIGNER_FAILED";
                default: throw new ArgumentOutOfRangeException("code", (int)code, "not an ErrorCode");
            }
        }
    }

    /// <summary>
    /// Implemented by every exception this library throws for an error of the
    /// table: <see cref="QencodeException"/> and its subclasses, and
    /// <see cref="InvalidArgumentException"/> (which is an <see cref="ArgumentException"/>).
    /// </summary>
    public interface IQencodeError
    {
        /// <summary>The error code.</summary>
        ErrorCode Code { get; }
        /// <summary>The code string, e.g. <c>"NOT_FOUND"</c>.</summary>
        string CodeName { get; }
        /// <summary>The HTTP status of an answer of the API; null for every other error.</summary>
        int? Status { get; }
    }

    /// <summary>INVALID_ARGUMENT: a bad input caught before any I/O. An <see cref="ArgumentException"/>, as .NET callers expect.</summary>
    [Serializable]
    public class InvalidArgumentException : ArgumentException, IQencodeError
    {
        internal InvalidArgumentException(string message, bool typeError, string paramName = null)
            : base(message, paramName) { IsTypeError = typeError; }
        /// <inheritdoc/>
        public ErrorCode Code { get { return ErrorCode.InvalidArgument; } }
        /// <inheritdoc/>
        public string CodeName { get { return "INVALID_ARGUMENT"; } }
        /// <summary>Always null: no HTTP answer was involved.</summary>
        public int? Status { get { return null; } }
        /// <summary>True when the mistake is the type of a value (a lifetime given as null).</summary>
        public bool IsTypeError { get; private set; }
        /// <inheritdoc/>
        public override string ToString() { return GetType().FullName + ": " + Message; }
    }

    /// <summary>Base of every error of the table except INVALID_ARGUMENT (see <see cref="InvalidArgumentException"/>).</summary>
    [Serializable]
    public class QencodeException : Exception, IQencodeError
    {
        internal QencodeException(ErrorCode code, string message) : base(message) { Code = code; }
        internal QencodeException(ErrorCode code, string message, Exception inner) : base(message, inner) { Code = code; }
        /// <inheritdoc/>
        public ErrorCode Code { get; private set; }
        /// <inheritdoc/>
        public string CodeName { get { return ErrorCodes.Name(Code); } }
        /// <inheritdoc/>
        public virtual int? Status { get { return null; } }
        /// <inheritdoc/>
        public override string ToString() { return GetType().FullName + ": " + Message; }
    }

    /// <summary>INVALID_KEY: a key that cannot be parsed, is not RSA, or is too small.</summary>
    [Serializable] public class InvalidKeyException : QencodeException { internal InvalidKeyException(string m) : base(ErrorCode.InvalidKey, m) { } }
    /// <summary>Base of the verification errors.</summary>
    [Serializable] public class TokenException : QencodeException { internal TokenException(ErrorCode c, string m) : base(c, m) { } }
    /// <summary>MALFORMED_TOKEN.</summary>
    [Serializable] public class MalformedTokenException : TokenException { internal MalformedTokenException(string m) : base(ErrorCode.MalformedToken, m) { } }
    /// <summary>INVALID_SIGNATURE (also: the algorithm is not RS256).</summary>
    [Serializable] public class InvalidSignatureException : TokenException { internal InvalidSignatureException(string m) : base(ErrorCode.InvalidSignature, m) { } }
    /// <summary>TOKEN_EXPIRED.</summary>
    [Serializable] public class TokenExpiredException : TokenException { internal TokenExpiredException(string m) : base(ErrorCode.TokenExpired, m) { } }
    /// <summary>TOKEN_NOT_YET_VALID.</summary>
    [Serializable] public class TokenNotYetValidException : TokenException { internal TokenNotYetValidException(string m) : base(ErrorCode.TokenNotYetValid, m) { } }
    /// <summary>URI_MISMATCH: a valid token that does not cover the resource.</summary>
    [Serializable] public class UriMismatchException : TokenException { internal UriMismatchException(string m) : base(ErrorCode.UriMismatch, m) { } }
    /// <summary>UNKNOWN_KEY_ID.</summary>
    [Serializable] public class UnknownKeyIdException : TokenException { internal UnknownKeyIdException(string m) : base(ErrorCode.UnknownKeyId, m) { } }

    /// <summary>API_ERROR and its subclasses: a non-success answer of the API.</summary>
    [Serializable]
    public class ApiException : QencodeException
    {
        private readonly int? status;
        internal ApiException(ErrorCode code, string message, int? status, TimeSpan? retryAfter, string body, string requestId)
            : base(code, message)
        {
            this.status = status;
            RetryAfter = retryAfter;
            Body = body;
            RequestId = requestId;
        }
        /// <summary>The HTTP status of the answer.</summary>
        public override int? Status { get { return status; } }
        /// <summary>The server's <c>Retry-After</c> hint (RATE_LIMITED), else null.</summary>
        public TimeSpan? RetryAfter { get; private set; }
        /// <summary>The server's response body (capped), else null.</summary>
        public string Body { get; private set; }
        /// <summary>The server's request id, else null.</summary>
        public string RequestId { get; private set; }
    }

    /// <summary>UNAUTHORIZED: 401/403 after one access-token renewal.</summary>
    [Serializable] public class UnauthorizedException : ApiException { internal UnauthorizedException(string m, int? s, TimeSpan? r, string b, string id) : base(ErrorCode.Unauthorized, m, s, r, b, id) { } }
    /// <summary>NOT_FOUND: 404.</summary>
    [Serializable] public class NotFoundException : ApiException { internal NotFoundException(string m, int? s, TimeSpan? r, string b, string id) : base(ErrorCode.NotFound, m, s, r, b, id) { } }
    /// <summary>RATE_LIMITED: 429 after the retries; <see cref="ApiException.RetryAfter"/> is the server's hint.</summary>
    [Serializable] public class RateLimitedException : ApiException { internal RateLimitedException(string m, int? s, TimeSpan? r, string b, string id) : base(ErrorCode.RateLimited, m, s, r, b, id) { } }
    /// <summary>TRANSPORT: DNS, connect, TLS or a reset connection.</summary>
    [Serializable] public class TransportException : QencodeException { internal TransportException(string m) : base(ErrorCode.Transport, m) { } }
    /// <summary>TIMEOUT: a deadline passed.</summary>
    [Serializable] public class QencodeTimeoutException : QencodeException { internal QencodeTimeoutException(string m) : base(ErrorCode.Timeout, m) { } }
    /// <summary>DECODE: the server's answer is not what the API documents.</summary>
    [Serializable] public class DecodeException : QencodeException { internal DecodeException(string m) : base(ErrorCode.Decode, m) { } }
    /// <summary>INTERNAL: a bug in qencode-cdn, or a caught panic. Please report it.</summary>
    [Serializable] public class InternalException : QencodeException { internal InternalException(string m) : base(ErrorCode.Internal, m) { } }
    /// <summary>
    /// SIGNER_FAILED: an external signer failed (its function threw: the exception is the
    /// <see cref="Exception.InnerException"/>, and its type and message are in <see cref="Exception.Message"/>),
    /// returned no signature, one of the wrong length, or one that does not verify with its public key
    /// (another key, not RS256, garbage). No token was made.
    /// </summary>
    [Serializable]
    public class SignerFailedException : QencodeException
    {
        internal SignerFailedException(string m, Exception inner) : base(ErrorCode.SignerFailed, m, inner) { }
    }

    internal static class Errors
    {
        /// <summary>Throws the exception for a failed call; call it on the thread that made the call.</summary>
        internal static void Check(uint status)
        {
            if (status != 0) throw Last(status);
        }

        /// <summary>The exception for the last failure on this thread (<c>qcdn_last_error_json</c>).</summary>
        internal static Exception Last(uint status)
        {
            IntPtr p;
            string json = null;
            // What an external signer's function threw on this thread during the failed call (else null).
            var thrown = ExternalCallbacks.TakeThrown();
            if (NativeMethods.qcdn_last_error_json(out p) == 0) json = Utf8.Take(p);
            if (json == null)
                return FromParts(status, "the library gave no error details", null, null, null, null, false, thrown);
            return FromDetails(status, json, thrown);
        }

        /// <summary>Builds the exception from a <c>qcdn_last_error_json</c> document.</summary>
        internal static Exception FromDetails(uint status, string json, Exception thrown = null)
        {
            var d = Json.Parse(json) as Dictionary<string, object>;
            if (d == null) return FromParts(status, "unreadable error details", null, null, null, null, false, thrown);
            return FromObject(status, d, thrown);
        }

        /// <summary>The exception of a batch item's <c>{"error": {…}}</c> (the fields of <c>qcdn_last_error_json</c>).</summary>
        internal static Exception FromItem(Dictionary<string, object> d)
        {
            object v;
            uint status = d != null && d.TryGetValue("status_code", out v) && v is long && (long)v > 0 && (long)v <= uint.MaxValue ? (uint)(long)v : 16u;
            if (d == null) return FromParts(status, "a batch item's error has no details", null, null, null, null, false);
            return FromObject(status, d, null);
        }

        private static Exception FromObject(uint status, Dictionary<string, object> d, Exception thrown)
        {
            object v;
            string message = d.TryGetValue("message", out v) ? v as string : null;
            int? http = d.TryGetValue("http_status", out v) && v is long ? (int?)(long)v : null;
            TimeSpan? retryAfter = null;
            if (d.TryGetValue("retry_after", out v) && v != null) retryAfter = TimeSpan.FromSeconds(Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture));
            string body = d.TryGetValue("body", out v) ? v as string : null;
            string requestId = d.TryGetValue("request_id", out v) ? v as string : null;
            bool typeError = d.TryGetValue("type_error", out v) && v is bool && (bool)v;
            return FromParts(status, message ?? "", http, retryAfter, body, requestId, typeError, thrown);
        }

        /// <summary>The one exhaustive mapping of a status number to its exception class.</summary>
        internal static Exception FromParts(uint status, string message, int? http, TimeSpan? retryAfter, string body, string requestId, bool typeError, Exception thrown = null)
        {
            if (status == 0 || status > int.MaxValue)
                return new InternalException("INTERNAL: status " + status + " is not an error: " + message);
            var code = (ErrorCode)(int)status;
            string text;
            try { text = ErrorCodes.Name(code) + ": " + message; }
            catch (ArgumentOutOfRangeException)
            {
                return new InternalException("INTERNAL: the library returned status " + status + ", which this package does not know (update Qencode.Cdn): " + message);
            }
            switch (code)
            {
                case ErrorCode.InvalidArgument: return new InvalidArgumentException(text, typeError);
                case ErrorCode.InvalidKey: return new InvalidKeyException(text);
                case ErrorCode.MalformedToken: return new MalformedTokenException(text);
                case ErrorCode.InvalidSignature: return new InvalidSignatureException(text);
                case ErrorCode.TokenExpired: return new TokenExpiredException(text);
                case ErrorCode.TokenNotYetValid: return new TokenNotYetValidException(text);
                case ErrorCode.UriMismatch: return new UriMismatchException(text);
                case ErrorCode.UnknownKeyId: return new UnknownKeyIdException(text);
                case ErrorCode.Unauthorized: return new UnauthorizedException(text, http, retryAfter, body, requestId);
                case ErrorCode.NotFound: return new NotFoundException(text, http, retryAfter, body, requestId);
                case ErrorCode.RateLimited: return new RateLimitedException(text, http, retryAfter, body, requestId);
                case ErrorCode.ApiError: return new ApiException(ErrorCode.ApiError, text, http, retryAfter, body, requestId);
                case ErrorCode.Transport: return new TransportException(text);
                case ErrorCode.Timeout: return new QencodeTimeoutException(text);
                case ErrorCode.Decode: return new DecodeException(text);
                case ErrorCode.Internal: return new InternalException(text);
                case ErrorCode.SignerFailed: return new SignerFailedException(text, thrown);
                default: return new InternalException("INTERNAL: unmapped status " + status + ": " + message);
            }
        }
    }
}
