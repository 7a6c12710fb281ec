// A small JSON reader and writer for the library's own documents (the C
// ABI's results and the option objects it reads). No NuGet dependency: the
// package must work on .NET and on Mono alike. Objects are
// Dictionary<string, object> (member order kept), arrays List<object>,
// integers long (double when they do not fit), other numbers double.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Qencode.Cdn
{
    internal static class Json
    {
        // ---- reading ---------------------------------------------------------

        internal static object Parse(string text)
        {
            if (text == null) throw new FormatException("no JSON text");
            int i = 0;
            object v = Value(text, ref i);
            Ws(text, ref i);
            if (i != text.Length) throw new FormatException("trailing characters after JSON value at " + i);
            return v;
        }

        private static void Ws(string s, ref int i)
        {
            while (i < s.Length && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
        }

        private static object Value(string s, ref int i)
        {
            Ws(s, ref i);
            if (i >= s.Length) throw new FormatException("unexpected end of JSON");
            char c = s[i];
            switch (c)
            {
                case '{':
                {
                    i++;
                    var d = new Dictionary<string, object>();
                    Ws(s, ref i);
                    if (i < s.Length && s[i] == '}') { i++; return d; }
                    for (;;)
                    {
                        Ws(s, ref i);
                        if (i >= s.Length || s[i] != '"') throw new FormatException("expected a member name at " + i);
                        string k = Str(s, ref i);
                        Ws(s, ref i);
                        if (i >= s.Length || s[i] != ':') throw new FormatException("expected ':' at " + i);
                        i++;
                        d[k] = Value(s, ref i);
                        Ws(s, ref i);
                        if (i < s.Length && s[i] == ',') { i++; continue; }
                        if (i < s.Length && s[i] == '}') { i++; return d; }
                        throw new FormatException("expected ',' or '}' at " + i);
                    }
                }
                case '[':
                {
                    i++;
                    var l = new List<object>();
                    Ws(s, ref i);
                    if (i < s.Length && s[i] == ']') { i++; return l; }
                    for (;;)
                    {
                        l.Add(Value(s, ref i));
                        Ws(s, ref i);
                        if (i < s.Length && s[i] == ',') { i++; continue; }
                        if (i < s.Length && s[i] == ']') { i++; return l; }
                        throw new FormatException("expected ',' or ']' at " + i);
                    }
                }
                case '"': return Str(s, ref i);
                case 't': Lit(s, ref i, "true"); return true;
                case 'f': Lit(s, ref i, "false"); return false;
                case 'n': Lit(s, ref i, "null"); return null;
                default: return Num(s, ref i);
            }
        }

        private static void Lit(string s, ref int i, string lit)
        {
            if (string.CompareOrdinal(s, i, lit, 0, lit.Length) != 0) throw new FormatException("bad literal at " + i);
            i += lit.Length;
        }

        private static string Str(string s, ref int i)
        {
            i++; // opening quote
            var sb = new StringBuilder();
            for (;;)
            {
                if (i >= s.Length) throw new FormatException("unterminated string");
                char c = s[i++];
                if (c == '"') return sb.ToString();
                if (c != '\\') { sb.Append(c); continue; }
                if (i >= s.Length) throw new FormatException("unterminated escape");
                char e = s[i++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        if (i + 4 > s.Length) throw new FormatException("bad \\u escape");
                        sb.Append((char)int.Parse(s.Substring(i, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 4;
                        break;
                    default: throw new FormatException("bad escape \\" + e);
                }
            }
        }

        private static object Num(string s, ref int i)
        {
            int start = i;
            bool integral = true;
            if (i < s.Length && s[i] == '-') i++;
            while (i < s.Length)
            {
                char c = s[i];
                if (c >= '0' && c <= '9') { i++; continue; }
                if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') { integral = false; i++; continue; }
                break;
            }
            string t = s.Substring(start, i - start);
            if (t.Length == 0 || t == "-") throw new FormatException("unexpected character at " + start);
            long l;
            if (integral && long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out l)) return l;
            double d;
            if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out d)) return d;
            throw new FormatException("bad number " + t);
        }

        // ---- writing ---------------------------------------------------------

        internal static string Write(object v)
        {
            var sb = new StringBuilder();
            Write(sb, v, 0);
            return sb.ToString();
        }

        internal static void Write(StringBuilder sb, object v, int depth)
        {
            if (depth > 128) throw new InvalidArgumentException("INVALID_ARGUMENT: claims nest deeper than 128 levels", true);
            if (v == null) { sb.Append("null"); return; }
            if (v is string) { Quote(sb, (string)v); return; }
            if (v is bool) { sb.Append((bool)v ? "true" : "false"); return; }
            if (v is int || v is long || v is short || v is sbyte || v is byte || v is ushort || v is uint || v is ulong)
            {
                sb.Append(Convert.ToString(v, CultureInfo.InvariantCulture));
                return;
            }
            if (v is double || v is float) { Double(sb, Convert.ToDouble(v, CultureInfo.InvariantCulture)); return; }
            if (v is decimal) { sb.Append(((decimal)v).ToString(CultureInfo.InvariantCulture)); return; }
            var dict = v as IDictionary;
            if (dict != null)
            {
                sb.Append('{');
                bool first = true;
                foreach (DictionaryEntry e in dict)
                {
                    var k = e.Key as string;
                    if (k == null) throw new InvalidArgumentException("INVALID_ARGUMENT: a JSON object's keys must be strings, got " + (e.Key == null ? "null" : e.Key.GetType().Name), true);
                    if (!first) sb.Append(',');
                    first = false;
                    Quote(sb, k);
                    sb.Append(':');
                    Write(sb, e.Value, depth + 1);
                }
                sb.Append('}');
                return;
            }
            // IDictionary<string, object> without the non-generic IDictionary (ExpandoObject, custom maps).
            var pairs = v as IEnumerable<KeyValuePair<string, object>>;
            if (pairs != null)
            {
                sb.Append('{');
                bool first = true;
                foreach (var e in pairs)
                {
                    if (e.Key == null) throw new InvalidArgumentException("INVALID_ARGUMENT: a JSON object's keys must be strings, got null", true);
                    if (!first) sb.Append(',');
                    first = false;
                    Quote(sb, e.Key);
                    sb.Append(':');
                    Write(sb, e.Value, depth + 1);
                }
                sb.Append('}');
                return;
            }
            var seq = v as IEnumerable;
            if (seq != null)
            {
                sb.Append('[');
                bool first = true;
                foreach (var item in seq)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Write(sb, item, depth + 1);
                }
                sb.Append(']');
                return;
            }
            throw new InvalidArgumentException("INVALID_ARGUMENT: a value of type " + v.GetType().FullName + " cannot be written as JSON (use string, bool, numbers, null, IDictionary<string, object> or lists)", true);
        }

        private static void Double(StringBuilder sb, double d)
        {
            if (double.IsNaN(d) || double.IsInfinity(d))
                throw new InvalidArgumentException("INVALID_ARGUMENT: NaN and infinities have no JSON form", false);
            string t = d.ToString("R", CultureInfo.InvariantCulture);
            // A whole double stays a float in JSON ("2.0"), as in the other languages.
            if (t.IndexOf('.') < 0 && t.IndexOf('E') < 0 && t.IndexOf('e') < 0) t += ".0";
            sb.Append(t);
        }

        internal static void Quote(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }

        /// <summary>Seconds of a TimeSpan as a JSON number: whole seconds as an integer, otherwise the exact fraction.</summary>
        internal static string Seconds(TimeSpan t)
        {
            long ticks = t.Ticks;
            if (ticks % TimeSpan.TicksPerSecond == 0) return (ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture);
            return ((decimal)ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture);
        }

        // ---- helpers for typed results -----------------------------------------

        internal static Dictionary<string, object> Object(string json, string what)
        {
            object v;
            try { v = Parse(json); }
            catch (FormatException e) { throw new DecodeException("DECODE: " + what + " is not JSON: " + e.Message); }
            var d = v as Dictionary<string, object>;
            if (d == null) throw new DecodeException("DECODE: " + what + " is not a JSON object");
            return d;
        }

        internal static List<object> Array(string json, string what)
        {
            object v;
            try { v = Parse(json); }
            catch (FormatException e) { throw new DecodeException("DECODE: " + what + " is not JSON: " + e.Message); }
            var l = v as List<object>;
            if (l == null) throw new DecodeException("DECODE: " + what + " is not a JSON array");
            return l;
        }

        internal static string Str(Dictionary<string, object> d, string key)
        {
            object v;
            return d != null && d.TryGetValue(key, out v) ? v as string : null;
        }
    }
}
