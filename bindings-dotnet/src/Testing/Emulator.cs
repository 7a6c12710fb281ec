using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;

namespace Qencode.Cdn.Testing
{
    /// <summary>The fault kinds of <see cref="Emulator.InjectFault"/>.</summary>
    public static class FaultKinds
    {
        /// <summary>Answer with an HTTP status (and an optional <c>Retry-After</c>).</summary>
        public const string Status = "status";
        /// <summary>Answer after a delay.</summary>
        public const string Delay = "delay";
        /// <summary>Close the connection without an answer.</summary>
        public const string Drop = "drop";
        /// <summary>Announce the full length and send half.</summary>
        public const string Truncate = "truncate";
        /// <summary>Answer 200 with a body that is not JSON.</summary>
        public const string NotJson = "not_json";
    }

    /// <summary>The emulated edge's answer to <see cref="Emulator.Fetch"/>.</summary>
    public sealed class EdgeResponse
    {
        internal EdgeResponse(int status, string reason, byte[] body) { Status = status; Reason = reason; Body = body; }
        /// <summary>HTTP status (200 served, 403 refused, 404 unknown).</summary>
        public int Status { get; private set; }
        /// <summary>Why the edge refused (<c>X-Qencode-Emulator-Reason</c>), or null.</summary>
        public string Reason { get; private set; }
        /// <summary>The body.</summary>
        public byte[] Body { get; private set; }
        /// <inheritdoc/>
        public override string ToString() { return "EdgeResponse(" + Status + (Reason != null ? ", " + Reason : "") + ")"; }
    }

    /// <summary>
    /// A running emulator of the Qencode API and playback edge, for tests of your
    /// own code without mocks: the <c>qencode-cdn-emulator</c> binary started on a
    /// free loopback port (found through the <c>QENCODE_CDN_EMULATOR</c> environment
    /// variable, then <c>PATH</c>), stopped by <see cref="Dispose"/>.
    /// </summary>
    /// <example><code>
    /// using (var emu = Emulator.Start())
    /// using (var client = emu.CreateClient())
    ///     client.CreateDomain("live.example.com", DomainType.Live);
    /// </code></example>
    public sealed class Emulator : IDisposable
    {
        private readonly Process process;
        private readonly List<string> apiKeys = new List<string>();
        private int stopped;

        /// <summary>The environment variable naming the binary.</summary>
        public const string BinaryVariable = "QENCODE_CDN_EMULATOR";

        private Emulator(Process process, string url, int port, List<string> keys)
        {
            this.process = process;
            Url = url;
            Port = port;
            apiKeys = keys;
        }

        /// <summary>
        /// Starts the emulator. <paramref name="apiKeys"/>: the accepted API keys (default <c>emulator-api-key</c>);
        /// <paramref name="signingKeyBits"/>: the size of the RSA keys it creates (2048 keeps tests fast).
        /// </summary>
        public static Emulator Start(IList<string> apiKeys = null, int signingKeyBits = 2048)
        {
            string bin = FindBinary();
            var args = new StringBuilder("--listen 127.0.0.1:0 --signing-key-bits " + signingKeyBits.ToString(CultureInfo.InvariantCulture));
            int keys = 1;
            if (apiKeys != null && apiKeys.Count > 0)
            {
                keys = apiKeys.Count;
                foreach (var k in apiKeys)
                {
                    if (string.IsNullOrEmpty(k) || k.IndexOfAny(new[] { ' ', '"', '\'', '\\', '\n' }) >= 0)
                        throw new InvalidArgumentException("INVALID_ARGUMENT: an emulator API key must be non-empty, without spaces or quotes", false, "apiKeys");
                    args.Append(" --api-key ").Append(k);
                }
            }
            var psi = new ProcessStartInfo(bin, args.ToString())
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardInput = true,
                CreateNoWindow = true,
            };
            Process p;
            try { p = Process.Start(psi); }
            catch (Exception e) { throw new InvalidArgumentException("INVALID_ARGUMENT: cannot start the emulator " + bin + ": " + e.Message, false); }
            var lines = new List<string>();
            var ready = new ManualResetEventSlim(false);
            // One thread reads every line the emulator prints (so that it never
            // blocks on a full pipe): the address, then the API keys.
            var reader = new Thread(() =>
            {
                try
                {
                    string line;
                    while ((line = p.StandardOutput.ReadLine()) != null)
                    {
                        lock (lines) { lines.Add(line); if (lines.Count >= 1 + keys) ready.Set(); }
                    }
                }
                catch (IOException) { }
                catch (ObjectDisposedException) { }
                ready.Set();
            });
            reader.IsBackground = true;
            reader.Name = "qencode-cdn emulator stdout";
            reader.Start();
            if (!ready.Wait(TimeSpan.FromSeconds(60)))
            {
                Kill(p);
                throw new InternalException("INTERNAL: the emulator did not print its address within 60 s");
            }
            List<string> got;
            lock (lines) got = new List<string>(lines);
            const string prefix = "qencode-cdn emulator listening on http://127.0.0.1:";
            int port;
            if (got.Count < 1 + keys || !got[0].StartsWith(prefix, StringComparison.Ordinal) ||
                !int.TryParse(got[0].Substring(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out port))
            {
                Kill(p);
                throw new InternalException("INTERNAL: the emulator did not print its address (got: " + (got.Count > 0 ? got[0] : "nothing") + ")");
            }
            var emu = new Emulator(p, "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture), port, got.GetRange(1, keys));
            // An emulator a test forgot to dispose still stops when the process (or test domain) ends.
            AppDomain.CurrentDomain.ProcessExit += emu.OnExit;
            AppDomain.CurrentDomain.DomainUnload += emu.OnExit;
            return emu;
        }

        private void OnExit(object sender, EventArgs e) { Stop(); }

        private static string FindBinary()
        {
            string env = Environment.GetEnvironmentVariable(BinaryVariable);
            if (!string.IsNullOrEmpty(env))
            {
                if (!File.Exists(env)) throw new InvalidArgumentException("INVALID_ARGUMENT: " + BinaryVariable + " names " + env + ", which does not exist", false);
                return env;
            }
            string path = Environment.GetEnvironmentVariable("PATH") ?? "";
            foreach (var dir in path.Split(System.IO.Path.PathSeparator))
            {
                if (dir.Length == 0) continue;
                foreach (var name in new[] { "qencode-cdn-emulator", "qencode-cdn-emulator.exe" })
                {
                    var candidate = System.IO.Path.Combine(dir, name);
                    if (File.Exists(candidate)) return candidate;
                }
            }
            throw new InvalidArgumentException("INVALID_ARGUMENT: the qencode-cdn-emulator binary was not found: set " + BinaryVariable + " to its path or put it on PATH (cargo build -p qencode-cdn-emulator)", false);
        }

        /// <summary><c>http://127.0.0.1:PORT</c>: both the client's API URL and its auth URL.</summary>
        public string Url { get; private set; }
        /// <summary>The port it listens on.</summary>
        public int Port { get; private set; }
        /// <summary>The first accepted API key.</summary>
        public string ApiKey { get { return apiKeys[0]; } }
        /// <summary>Every accepted API key.</summary>
        public IReadOnlyList<string> ApiKeys { get { return apiKeys.AsReadOnly(); } }
        /// <summary>False once stopped.</summary>
        public bool Running { get { return Volatile.Read(ref stopped) == 0 && !process.HasExited; } }

        /// <summary>A <see cref="Client"/> pointed at this emulator (API URL, auth URL) with <see cref="ApiKey"/> or <paramref name="apiKey"/>.</summary>
        public Client CreateClient(ClientOptions options = null, string apiKey = null)
        {
            var o = options != null ? options.Copy() : new ClientOptions();
            if (o.ApiUrl == null) o.ApiUrl = Url;
            if (o.AuthUrl == null) o.AuthUrl = Url;
            return new Client(apiKey ?? ApiKey, o);
        }

        /// <summary>Adds a live stream: signing keys name <paramref name="streamId"/>, playback URLs <paramref name="playbackId"/>.</summary>
        public void AddStream(string streamId, string playbackId)
        {
            Admin("POST", "/_emulator/streams", Obj("stream_id", streamId, "playback_id", playbackId));
        }

        /// <summary>
        /// Adds a live stream with real media: the edge serves its HLS master playlist, variant playlists and MPEG-TS
        /// segments (a sliding window), checking the token or cookie on every request.
        /// </summary>
        public void AddMediaStream(string streamId, string playbackId)
        {
            Admin("POST", "/_emulator/media-streams", Obj("stream_id", streamId, "playback_id", playbackId));
        }

        /// <summary>
        /// Stores the emulator's fixture media (CMAF HLS <c>master.m3u8</c> and DASH <c>manifest.mpd</c> with their
        /// segments) in <paramref name="folder"/> of <paramref name="bucket"/>.
        /// </summary>
        public void AddMediaFolder(string bucket, string folder)
        {
            Admin("POST", "/_emulator/media-folders", Obj("bucket", bucket, "folder", folder));
        }

        /// <summary>Stores an object (UTF-8 text) in a bucket.</summary>
        public void AddObject(string bucket, string key, string body)
        {
            Admin("POST", "/_emulator/objects", Obj("bucket", bucket, "key", key, "body", body));
        }

        /// <summary>Says which bucket a storage custom domain serves.</summary>
        public void MapStorageDomain(string domain, string bucket)
        {
            Admin("POST", "/_emulator/domain-buckets", Obj("domain", domain, "bucket", bucket));
        }

        /// <summary>
        /// Makes the next <paramref name="times"/> (default 1) requests matching <paramref name="route"/> fail.
        /// <paramref name="route"/> is <c>"*"</c> or <c>"METHOD /path"</c> (<c>*</c> matches one segment);
        /// <paramref name="kind"/> one of <see cref="FaultKinds"/>. The emulator's own parser reads the fault;
        /// a bad one is an <see cref="InvalidArgumentException"/>.
        /// </summary>
        public void InjectFault(string route, string kind, int? times = null, int? status = null, TimeSpan? retryAfter = null, TimeSpan? delay = null)
        {
            var w = new JsonObjectWriter();
            w.Value("route", route);
            w.Value("kind", kind);
            if (times.HasValue) w.Value("times", times.Value);
            if (status.HasValue) w.Value("status", status.Value);
            if (retryAfter.HasValue) w.Seconds("retry_after", retryAfter);
            if (delay.HasValue) w.Value("delay_ms", (long)Math.Floor(delay.Value.TotalMilliseconds));
            Admin("POST", "/_emulator/faults", w.ToString());
        }

        /// <summary>Requests per route pattern (<c>"GET /v1/domains"</c> …), access-token requests, connections.</summary>
        public IReadOnlyDictionary<string, object> Counters()
        {
            return new System.Collections.ObjectModel.ReadOnlyDictionary<string, object>(Json.Object(Admin("GET", "/_emulator/counters", null), "the emulator's counters"));
        }

        /// <summary>Forgets every domain, key, bucket, stream, fault and counter.</summary>
        public void Reset() { Admin("POST", "/_emulator/reset", null); }

        /// <summary>GETs a playback or storage URL (any of the four forms) from the emulated edge; <paramref name="cookie"/> is a token or a <c>Qencode-Auth-Token=…</c> cookie.</summary>
        public EdgeResponse Fetch(string url, string cookie = null)
        {
            if (url == null) throw new InvalidArgumentException("INVALID_ARGUMENT: url must not be null", true, "url");
            string rest = url.StartsWith("https://", StringComparison.Ordinal) ? url.Substring(8)
                : url.StartsWith("http://", StringComparison.Ordinal) ? url.Substring(7) : null;
            if (rest == null) throw new InvalidArgumentException("INVALID_ARGUMENT: the URL must start with https:// or http://", false, "url");
            int hash = rest.IndexOf('#');
            if (hash >= 0) rest = rest.Substring(0, hash);
            int split = rest.IndexOfAny(new[] { '/', '?' });
            string host = split < 0 ? rest : rest.Substring(0, split);
            string target = split < 0 ? "/" : rest.Substring(split);
            if (target.StartsWith("?", StringComparison.Ordinal)) target = "/" + target;
            var headers = new List<string> { "Host: " + host };
            if (cookie != null) headers.Add("Cookie: " + (cookie.IndexOf('=') >= 0 ? cookie : "Qencode-Auth-Token=" + cookie));
            foreach (var h in headers)
                if (h.IndexOfAny(new[] { '\r', '\n' }) >= 0) throw new InvalidArgumentException("INVALID_ARGUMENT: the URL or cookie holds a line break", false);
            var r = Http("GET", target, headers, null);
            string reason;
            r.Headers.TryGetValue("x-qencode-emulator-reason", out reason);
            return new EdgeResponse(r.Status, reason, r.Body);
        }

        /// <summary>Stops the process and frees the port (also on <see cref="Dispose"/>).</summary>
        public void Stop()
        {
            if (Interlocked.Exchange(ref stopped, 1) != 0) return;
            AppDomain.CurrentDomain.ProcessExit -= OnExit;
            AppDomain.CurrentDomain.DomainUnload -= OnExit;
            Kill(process);
            process.Dispose();
        }

        /// <inheritdoc/>
        public void Dispose() { Stop(); }

        /// <inheritdoc/>
        public override string ToString() { return "Emulator(Url=" + Url + ", Running=" + (Volatile.Read(ref stopped) == 0) + ")"; }

        private static void Kill(Process p)
        {
            try { if (!p.HasExited) p.Kill(); } catch (InvalidOperationException) { }
            try { p.WaitForExit(10000); } catch (InvalidOperationException) { }
        }

        private static string Obj(params string[] kv)
        {
            var w = new JsonObjectWriter();
            for (int i = 0; i < kv.Length; i += 2) w.Value(kv[i], kv[i + 1]);
            return w.ToString();
        }

        private string Admin(string method, string path, string body)
        {
            if (Volatile.Read(ref stopped) != 0) throw new ObjectDisposedException("Emulator");
            var r = Http(method, path, new List<string> { "Host: 127.0.0.1", "Content-Type: application/json" }, body);
            string text = Encoding.UTF8.GetString(r.Body);
            if (r.Status == 400)
            {
                string msg = text;
                try { msg = Json.Str(Json.Parse(text) as Dictionary<string, object>, "error") ?? text; } catch (FormatException) { }
                throw new InvalidArgumentException("INVALID_ARGUMENT: the emulator refused " + method + " " + path + ": " + msg, false);
            }
            if (r.Status < 200 || r.Status > 299)
                throw new InternalException("INTERNAL: the emulator answered " + r.Status + " to " + method + " " + path + ": " + text);
            return text;
        }

        private sealed class Response
        {
            internal int Status;
            internal Dictionary<string, string> Headers = new Dictionary<string, string>();
            internal byte[] Body;
        }

        // One HTTP/1.1 exchange with Connection: close on loopback (the admin API and the edge).
        private Response Http(string method, string target, List<string> headers, string body)
        {
            byte[] payload = body == null ? new byte[0] : Encoding.UTF8.GetBytes(body);
            var head = new StringBuilder();
            head.Append(method).Append(' ').Append(target).Append(" HTTP/1.1\r\n");
            foreach (var h in headers) head.Append(h).Append("\r\n");
            head.Append("Content-Length: ").Append(payload.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            head.Append("Connection: close\r\nUser-Agent: qencode-cdn-dotnet-testing\r\n\r\n");
            var raw = new MemoryStream();
            using (var tcp = new TcpClient())
            {
                tcp.Connect("127.0.0.1", Port);
                tcp.ReceiveTimeout = 60000;
                tcp.SendTimeout = 60000;
                using (var s = tcp.GetStream())
                {
                    byte[] h = Encoding.ASCII.GetBytes(head.ToString());
                    s.Write(h, 0, h.Length);
                    s.Write(payload, 0, payload.Length);
                    s.CopyTo(raw);
                }
            }
            byte[] all = raw.ToArray();
            int end = -1;
            for (int i = 0; i + 3 < all.Length; i++)
                if (all[i] == '\r' && all[i + 1] == '\n' && all[i + 2] == '\r' && all[i + 3] == '\n') { end = i; break; }
            if (end < 0) throw new InternalException("INTERNAL: the emulator sent a malformed HTTP answer");
            var lines = Encoding.ASCII.GetString(all, 0, end).Split(new[] { "\r\n" }, StringSplitOptions.None);
            var r = new Response();
            var status = lines[0].Split(' ');
            if (status.Length < 2 || !int.TryParse(status[1], NumberStyles.None, CultureInfo.InvariantCulture, out r.Status))
                throw new InternalException("INTERNAL: the emulator sent a malformed status line");
            for (int i = 1; i < lines.Length; i++)
            {
                int colon = lines[i].IndexOf(':');
                if (colon > 0) r.Headers[lines[i].Substring(0, colon).Trim().ToLowerInvariant()] = lines[i].Substring(colon + 1).Trim();
            }
            int bodyLen = all.Length - end - 4;
            string cl;
            int n;
            if (r.Headers.TryGetValue("content-length", out cl) && int.TryParse(cl, NumberStyles.None, CultureInfo.InvariantCulture, out n) && n < bodyLen) bodyLen = n;
            r.Body = new byte[bodyLen];
            Array.Copy(all, end + 4, r.Body, 0, bodyLen);
            return r;
        }
    }
}
