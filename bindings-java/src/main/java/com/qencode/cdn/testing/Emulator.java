package com.qencode.cdn.testing;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import com.google.gson.ToNumberPolicy;
import com.qencode.cdn.Client;
import com.qencode.cdn.InvalidArgumentException;
import com.qencode.cdn.TransportException;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A local emulator of the Qencode management API and playback edge, for
 * testing your own code without mocks: a real HTTP server process on a free
 * loopback port, with the access-token endpoint, every management endpoint
 * with in-memory state, and an admin API for fixtures and faults.
 *
 * <pre>{@code
 * try (Emulator emu = Emulator.start(); Client client = emu.client()) {
 *     client.createDomain("live.example.com", DomainType.LIVE);
 * }
 * }</pre>
 *
 * <p>The binary: {@link Builder#binary(Path)}, else the environment variable
 * {@code QENCODE_CDN_EMULATOR} (a path to {@code qencode-cdn-emulator} or to
 * {@code qcdn}), else {@code qencode-cdn-emulator} on {@code PATH}, else
 * {@code qcdn emulator} on {@code PATH}. Build it with
 * {@code cargo build -p qencode-cdn-emulator} or install the {@code qcdn} CLI.
 * {@link #close()} stops the process (as does the JVM's exit).
 */
public final class Emulator implements AutoCloseable {
    /** The environment variable naming the emulator binary. */
    public static final String ENV = "QENCODE_CDN_EMULATOR";
    private static final String PREFIX = "qencode-cdn emulator listening on ";
    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping()
            .setObjectToNumberStrategy(ToNumberPolicy.LONG_OR_DOUBLE).create();

    private final Process process;
    private final String url;
    private final int port;
    private final List<String> apiKeys;
    private final HttpClient http;
    private final Thread shutdownHook;
    private final StringBuffer stderr = new StringBuffer();

    private Emulator(Builder b) {
        List<String> command = command(b);
        ProcessBuilder pb = new ProcessBuilder(command);
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new TransportException("cannot start the emulator " + command.get(0) + ": " + e.getMessage());
        }
        shutdownHook = new Thread(this::stopProcess, "qencode-cdn emulator shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        drain(process.getErrorStream(), stderr);
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            int wanted = b.apiKeys.isEmpty() ? 1 : b.apiKeys.size();
            CompletableFuture<List<String>> lines = CompletableFuture.supplyAsync(() -> {
                List<String> got = new ArrayList<>();
                try {
                    String line;
                    while (got.size() < 1 + wanted && (line = out.readLine()) != null) {
                        got.add(line);
                    }
                } catch (IOException e) {
                    // reported below as a missing line
                }
                return got;
            });
            List<String> got = lines.get(b.startupTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (got.size() < 1 + wanted || !got.get(0).startsWith(PREFIX)) {
                throw new TransportException("the emulator (" + String.join(" ", command) + ") did not start: "
                        + (got.isEmpty() ? "" : got.get(0) + " ") + stderr.toString().trim());
            }
            url = got.get(0).substring(PREFIX.length()).trim();
            port = URI.create(url).getPort();
            apiKeys = List.copyOf(got.subList(1, 1 + wanted));
            drain(process.getInputStream(), null);
        } catch (InterruptedException | ExecutionException | TimeoutException | RuntimeException e) {
            stopProcess();
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new TransportException("the emulator did not print its address within " + b.startupTimeout
                    + ": " + stderr.toString().trim());
        }
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** Starts an emulator with every default (2048-bit signing keys, the default API key). */
    public static Emulator start() {
        return builder().start();
    }

    /** Settings of an emulator. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://127.0.0.1:PORT}: both the client's API URL and its auth URL. */
    public String url() {
        return url;
    }

    /** The port it listens on. */
    public int port() {
        return port;
    }

    /** The first accepted API key. */
    public String apiKey() {
        return apiKeys.get(0);
    }

    /** Every accepted API key. */
    public List<String> apiKeys() {
        return apiKeys;
    }

    /** Whether the process is still running. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** A builder of a {@link Client} pointed at this emulator with its API key. */
    public Client.Builder clientBuilder() {
        return Client.builder(apiKey()).apiUrl(url).authUrl(url);
    }

    /** A {@link Client} pointed at this emulator with its API key. */
    public Client client() {
        return clientBuilder().build();
    }

    /** Adds a live stream: signing keys name {@code streamId}, playback URLs {@code playbackId}. */
    public void addStream(String streamId, String playbackId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stream_id", streamId);
        m.put("playback_id", playbackId);
        post("streams", m);
    }

    /**
     * Adds a live stream with real media: the edge serves its HLS master
     * playlist, variant playlists and MPEG-TS segments (a sliding window),
     * checking the token or cookie on every request.
     */
    public void addMediaStream(String streamId, String playbackId) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stream_id", streamId);
        m.put("playback_id", playbackId);
        post("media-streams", m);
    }

    /**
     * Stores the emulator's fixture media (CMAF HLS {@code master.m3u8} and
     * DASH {@code manifest.mpd} with their segments) in {@code folder} of
     * {@code bucket}.
     */
    public void addMediaFolder(String bucket, String folder) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bucket", bucket);
        m.put("folder", folder);
        post("media-folders", m);
    }

    /** Stores an object (UTF-8 text) in a bucket, for the emulated edge. */
    public void addObject(String bucket, String key, String body) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bucket", bucket);
        m.put("key", key);
        m.put("body", body);
        post("objects", m);
    }

    /** Says which bucket a storage custom domain serves. */
    public void mapStorageDomain(String domain, String bucket) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("domain", domain);
        m.put("bucket", bucket);
        post("domain-buckets", m);
    }

    /** Injects a fault (see {@link Fault}). */
    public void injectFault(Fault fault) {
        injectFault(fault.toMap());
    }

    /**
     * Injects a fault given as the admin API's JSON object
     * ({@code route, kind, times, status, retry_after, delay_ms}); the
     * emulator's own parser reads it, and a bad fault is an
     * {@link InvalidArgumentException}.
     */
    public void injectFault(Map<String, ?> fault) {
        post("faults", fault);
    }

    /** Requests per route pattern, access-token requests, connections. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> counters() {
        HttpResponse<String> r = send(HttpRequest.newBuilder(admin("counters")).GET());
        return Collections.unmodifiableMap((Map<String, Object>) GSON.fromJson(r.body(), Object.class));
    }

    /** Forgets every domain, key, bucket, stream, fault and counter. */
    public void reset() {
        post("reset", Map.of());
    }

    /** Stops the process and frees the port (idempotent). */
    @Override
    public void close() {
        stopProcess();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down; the hook stops the process
        }
    }

    @Override
    public String toString() {
        return "Emulator[url=" + url + ", running=" + isRunning() + "]";
    }

    private void stopProcess() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private URI admin(String route) {
        return URI.create(url + "/_emulator/" + route);
    }

    private void post(String route, Map<String, ?> body) {
        String json;
        try {
            json = GSON.toJson(body);
        } catch (JsonParseException | IllegalArgumentException e) {
            throw new InvalidArgumentException("the " + route + " body is not JSON: " + e.getMessage());
        }
        HttpResponse<String> r = send(HttpRequest.newBuilder(admin(route))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
        if (r.statusCode() == 400) {
            throw new InvalidArgumentException("the emulator refused " + route + " " + json + ": " + r.body());
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder req) {
        try {
            HttpResponse<String> r = http.send(req.timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2 && r.statusCode() != 400) {
                throw new TransportException("the emulator's admin API answered " + r.statusCode() + ": " + r.body());
            }
            return r;
        } catch (IOException e) {
            throw new TransportException("the emulator's admin API: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("interrupted while talking to the emulator");
        }
    }

    private static void drain(InputStream in, StringBuffer keep) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (keep != null && keep.length() < 16384) {
                        keep.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "qencode-cdn emulator output");
        t.setDaemon(true);
        t.start();
    }

    private static List<String> command(Builder b) {
        Path bin = b.binary;
        if (bin == null) {
            String env = System.getenv(ENV);
            if (env != null && !env.isBlank()) {
                bin = Path.of(env.trim());
                if (!Files.isExecutable(bin)) {
                    throw new TransportException(ENV + "=" + env + " is not an executable file"
                            + " (build it with `cargo build -p qencode-cdn-emulator`)");
                }
            }
        }
        if (bin == null) {
            bin = onPath("qencode-cdn-emulator");
        }
        if (bin == null) {
            bin = onPath("qcdn");
        }
        if (bin == null) {
            throw new TransportException("no emulator binary: set " + ENV + " to the qencode-cdn-emulator binary"
                    + " (cargo build -p qencode-cdn-emulator), or put qencode-cdn-emulator or qcdn on PATH");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(bin.toString());
        boolean cli = bin.getFileName().toString().startsWith("qcdn");
        if (cli) {
            cmd.add("emulator");
        }
        cmd.add("--listen");
        cmd.add("127.0.0.1:0");
        for (String k : b.apiKeys) {
            cmd.add("--api-key");
            cmd.add(k);
        }
        cmd.add("--signing-key-bits");
        cmd.add(Integer.toString(b.signingKeyBits));
        if (b.tokenLifetime != null || b.maxDomains != null) {
            if (cli) {
                throw new IllegalStateException("qcdn emulator has no --token-lifetime or --max-domains;"
                        + " use the qencode-cdn-emulator binary");
            }
            if (b.tokenLifetime != null) {
                cmd.add("--token-lifetime");
                cmd.add(Long.toString(b.tokenLifetime.toSeconds()));
            }
            if (b.maxDomains != null) {
                cmd.add("--max-domains");
                cmd.add(Integer.toString(b.maxDomains));
            }
        }
        return cmd;
    }

    private static Path onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Settings of an {@link Emulator}. */
    public static final class Builder {
        private Path binary;
        private final List<String> apiKeys = new ArrayList<>();
        private int signingKeyBits = 2048;
        private Duration tokenLifetime;
        private Integer maxDomains;
        private Duration startupTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** The emulator binary ({@code qencode-cdn-emulator}, or {@code qcdn} for {@code qcdn emulator}). */
        public Builder binary(Path binary) {
            this.binary = binary;
            return this;
        }

        /** An accepted API key (repeat for more); default {@code emulator-api-key}. */
        public Builder apiKey(String apiKey) {
            apiKeys.add(apiKey);
            return this;
        }

        /** Size of the RSA signing keys it creates: 2048 (default, fast), 3072, 4096 or 8192. */
        public Builder signingKeyBits(int bits) {
            this.signingKeyBits = bits;
            return this;
        }

        /** Lifetime of its access tokens (whole seconds; default 24 h). Short values force renewals. */
        public Builder tokenLifetime(Duration lifetime) {
            this.tokenLifetime = lifetime;
            return this;
        }

        /** Most custom domains at once (default 20). */
        public Builder maxDomains(int max) {
            this.maxDomains = max;
            return this;
        }

        /** How long to wait for the process to print its address (default 30 s). */
        public Builder startupTimeout(Duration timeout) {
            this.startupTimeout = timeout;
            return this;
        }

        /** Starts the process and waits until it listens. */
        public Emulator start() {
            return new Emulator(this);
        }
    }
}
