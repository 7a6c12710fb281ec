// The managed side of an external signer (Signer.External): a
// Func<byte[], byte[]> called by the C library through one static Cdecl
// callback. The delegate is kept from the garbage collector by a GCHandle
// whose pointer is the callback's user_data; the library calls
// free_user_data exactly once, when the last native signer sharing the
// callback (the signer and every Cached() signer made from it) is freed,
// and that frees the GCHandle. Signers are made with timeout_ms = 0, so the
// callback always runs inline on the managed thread that signs (never on a
// thread of the library that the runtime would have to adopt, and never
// after the runtime has gone at process exit).
using System;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Qencode.Cdn
{
    internal sealed class ExternalSignerState
    {
        /// <summary>What the callback calls: the user's function, or a blocking wait on the asynchronous one.</summary>
        internal readonly Func<byte[], byte[]> Sign;
        /// <summary>The user's asynchronous function (Signer.SignAsync awaits it), or null.</summary>
        internal readonly Func<byte[], CancellationToken, Task<byte[]>> SignAsync;
        private int released;

        internal ExternalSignerState(Func<byte[], byte[]> sign) { Sign = sign; }

        internal ExternalSignerState(Func<byte[], CancellationToken, Task<byte[]>> signAsync)
        {
            SignAsync = signAsync;
            // A synchronous call waits for the task. The function starts on a thread-pool thread, so
            // that its continuations never need the blocked caller's SynchronizationContext.
            Sign = input =>
            {
                var task = Task.Run(() => signAsync(input, CancellationToken.None));
                return task.GetAwaiter().GetResult();
            };
        }

        /// <summary>How many times the library released this state (1 once every signer sharing it is freed; never more).</summary>
        internal int Released { get { return Volatile.Read(ref released); } }

        internal void MarkReleased() { Interlocked.Increment(ref released); }
    }

    internal static class ExternalCallbacks
    {
        /// <summary>The longest exception text kept in the SIGNER_FAILED message (the exception itself is its InnerException).</summary>
        internal const int MessageChars = 500;

        // Static delegates: their function pointers must stay valid for as long
        // as any native signer may call them, i.e. for the life of the process.
        internal static readonly SignCallback SignFn = OnSign;
        internal static readonly FreeCallback FreeFn = OnFree;

        // What the delegate threw in the latest callback on this thread, for
        // the SignerFailedException that the same thread builds right after
        // the failed call returns (Errors.Last). Cleared at every callback and
        // when taken.
        [ThreadStatic] private static Exception thrown;

        internal static Exception TakeThrown()
        {
            var e = thrown;
            thrown = null;
            return e;
        }

        private static unsafe int OnSign(IntPtr userData, IntPtr input, UIntPtr inputLen, IntPtr sig, UIntPtr sigCap, IntPtr sigLen, IntPtr error, UIntPtr errorCap)
        {
            // Nothing may leave this method as an exception: it returns to C.
            try
            {
                thrown = null;
                var state = (ExternalSignerState)GCHandle.FromIntPtr(userData).Target;
                var data = new byte[checked((int)(ulong)inputLen)];
                if (data.Length > 0) Marshal.Copy(input, data, 0, data.Length);
                byte[] signature;
                try { signature = state.Sign(data); }
                catch (Exception e)
                {
                    thrown = e;
                    return Fail(error, errorCap, Describe(e));
                }
                if (signature == null) return Fail(error, errorCap, "the function returned null instead of a signature");
                if ((ulong)signature.Length > (ulong)sigCap)
                    return Fail(error, errorCap, "the function returned " + signature.Length + " bytes, more than any RS256 signature the library accepts (" + (ulong)sigCap + ")");
                if (signature.Length > 0) Marshal.Copy(signature, 0, sig, signature.Length);
                *(UIntPtr*)sigLen = (UIntPtr)(uint)signature.Length;
                return 0;
            }
            catch (Exception e)
            {
                try { return Fail(error, errorCap, "the managed callback failed: " + Describe(e)); }
                catch { return 2; }
            }
        }

        /// <summary>The exception's type and message, cut to <see cref="MessageChars"/>.</summary>
        internal static string Describe(Exception e)
        {
            string text = e.GetType().FullName + (string.IsNullOrEmpty(e.Message) ? "" : ": " + e.Message);
            if (text.Length > MessageChars)
            {
                int n = MessageChars;
                if (char.IsHighSurrogate(text[n - 1])) n--;
                text = text.Substring(0, n) + "…";
            }
            return text;
        }

        /// <summary>Writes <paramref name="message"/> as NUL-terminated UTF-8 into the library's buffer (cut at a character boundary) and returns 1.</summary>
        private static unsafe int Fail(IntPtr error, UIntPtr errorCap, string message)
        {
            ulong cap = (ulong)errorCap;
            if (error == IntPtr.Zero || cap == 0) return 1;
            byte[] bytes = Encoding.UTF8.GetBytes(message);
            int n = (int)Math.Min((ulong)bytes.Length, cap - 1);
            while (n > 0 && n < bytes.Length && (bytes[n] & 0xC0) == 0x80) n--;
            byte* dst = (byte*)error;
            for (int i = 0; i < n; i++) dst[i] = bytes[i];
            dst[n] = 0;
            return 1;
        }

        private static void OnFree(IntPtr userData)
        {
            try
            {
                var handle = GCHandle.FromIntPtr(userData);
                var state = handle.Target as ExternalSignerState;
                handle.Free();
                if (state != null) state.MarkReleased();
            }
            catch
            {
                // Never throw into C. FromIntPtr of a pointer the library gave us cannot fail.
            }
        }
    }
}
