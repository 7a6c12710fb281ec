// The canary of the valgrind check: tokens the library returns and nobody
// frees. The check must report them (definitely lost blocks with a frame of
// libqencode_cdn), or it proves nothing.
using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;

class LeakCanary
{
    [DllImport("qencode_cdn")] static extern uint qcdn_signer_new(byte[] keyId, byte[] key, UIntPtr len, out IntPtr signer);
    [DllImport("qencode_cdn")] static extern uint qcdn_signer_sign_json(IntPtr signer, byte[] uri, byte[] options, out IntPtr token);
    [DllImport("qencode_cdn")] static extern void qcdn_signer_free(IntPtr signer);

    static void Main(string[] args)
    {
        var key = File.ReadAllBytes(args[0]);
        IntPtr s, token;
        if (qcdn_signer_new(Encoding.UTF8.GetBytes("k\0"), key, (UIntPtr)(uint)key.Length, out s) != 0) throw new Exception("no signer");
        for (int i = 0; i < 50; i++)
        {
            if (qcdn_signer_sign_json(s, Encoding.UTF8.GetBytes("leaked\0"), null, out token) != 0) throw new Exception("no token");
            token = IntPtr.Zero; // leaked on purpose: never qcdn_string_free
        }
        qcdn_signer_free(s);
        Console.WriteLine("canary: leaked 50 tokens");
    }
}
