// Shared helpers of the tests: the repository root, the test keys, a JSON
// comparison, and the emulator binary. The tests use the package as a user
// does (its public API); JSON text is read with the package's own small
// reader (internal, visible to this assembly) to keep the tests free of
// NuGet packages.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using NUnit.Framework;
using Qencode.Cdn;

namespace Qencode.Cdn.Tests
{
    internal static class Repo
    {
        private static string root;

        /// <summary>The repository root: $QCDN_ROOT, else the first parent of the working directory holding tests/conformance.</summary>
        internal static string Root
        {
            get
            {
                if (root != null) return root;
                string env = Environment.GetEnvironmentVariable("QCDN_ROOT");
                if (!string.IsNullOrEmpty(env)) return root = env;
                for (var d = new DirectoryInfo(Directory.GetCurrentDirectory()); d != null; d = d.Parent)
                    if (Directory.Exists(Path.Combine(d.FullName, "tests", "conformance"))) return root = d.FullName;
                throw new InvalidOperationException("set QCDN_ROOT to the repository root");
            }
        }

        internal static string File(string rel) { return Path.Combine(Root, rel); }
        internal static string Text(string rel) { return System.IO.File.ReadAllText(File(rel), Encoding.UTF8); }
        internal static byte[] Bytes(string rel) { return System.IO.File.ReadAllBytes(File(rel)); }
        internal static object JsonFile(string rel) { return Json.Parse(Text(rel)); }

        internal const string Kid = "key-1";
        internal static string Key2048 { get { return Text("tests/keys/rsa2048.pkcs1.pem"); } }
        internal static string Key4096 { get { return Text("tests/keys/rsa4096.pkcs1.pem"); } }
        internal static string Spki2048 { get { return Text("tests/keys/rsa2048.spki.pem"); } }

        internal static DateTimeOffset At(long unix) { return DateTimeOffset.FromUnixTimeSeconds(unix); }
    }

    /// <summary>JSON values as the package's reader gives them, compared by the rules of tests/conformance/README.md.</summary>
    internal static class JsonMatch
    {
        internal static bool IsNumber(object v)
        {
            return v is long || v is int || v is double || v is float || v is decimal || v is uint || v is ulong || v is short;
        }

        /// <summary>The same JSON value (member order ignored, numbers by value).</summary>
        internal static bool Equal(object got, object want)
        {
            if (got == null || want == null) return got == null && want == null;
            if (IsNumber(got) && IsNumber(want))
            {
                if ((got is long || got is int) && (want is long || want is int)) return Convert.ToInt64(got) == Convert.ToInt64(want);
                return Convert.ToDouble(got, CultureInfo.InvariantCulture) == Convert.ToDouble(want, CultureInfo.InvariantCulture);
            }
            var gd = got as IDictionary; var wd = want as IDictionary;
            if (gd != null || wd != null)
            {
                if (gd == null || wd == null || gd.Count != wd.Count) return false;
                foreach (DictionaryEntry e in wd)
                    if (!gd.Contains(e.Key) || !Equal(gd[e.Key], e.Value)) return false;
                return true;
            }
            if (got is string || want is string) return Equals(got, want);
            if (got is bool || want is bool) return Equals(got, want);
            var gl = got as IList; var wl = want as IList;
            if (gl != null && wl != null)
            {
                if (gl.Count != wl.Count) return false;
                for (int i = 0; i < gl.Count; i++) if (!Equal(gl[i], wl[i])) return false;
                return true;
            }
            return false;
        }

        /// <summary>Whether got contains want: objects by their members (extras allowed), arrays element by element.</summary>
        internal static bool Contains(object got, object want)
        {
            var wd = want as IDictionary;
            if (wd != null)
            {
                var gd = got as IDictionary;
                if (gd == null) return false;
                foreach (DictionaryEntry e in wd)
                    if (!gd.Contains(e.Key) || !Contains(gd[e.Key], e.Value)) return false;
                return true;
            }
            var wl = want as IList;
            if (wl != null && !(want is string))
            {
                var gl = got as IList;
                if (gl == null || gl.Count != wl.Count) return false;
                for (int i = 0; i < wl.Count; i++) if (!Contains(gl[i], wl[i])) return false;
                return true;
            }
            return Equal(got, want);
        }

        internal static string Show(object v)
        {
            try { return Json.Write(v); } catch (Exception) { return v == null ? "null" : v.ToString(); }
        }
    }

    internal static class EmulatorBinary
    {
        /// <summary>Fails the test with a clear message when the suite did not say where the binary is.</summary>
        internal static void Require()
        {
            var bin = Environment.GetEnvironmentVariable("QENCODE_CDN_EMULATOR");
            if (string.IsNullOrEmpty(bin)) Assert.Fail("QENCODE_CDN_EMULATOR is not set (tests/suites/55-dotnet.sh sets it)");
        }
    }
}
