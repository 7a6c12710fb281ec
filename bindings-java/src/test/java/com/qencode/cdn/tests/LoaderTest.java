package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.qencode.cdn.QencodeCdn;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The native library: bundled in the jar and loaded from it, or the -Dqencode.cdn.library override. */
class LoaderTest {
    /** Prints where the library came from and signs one token; run in a fresh JVM. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println("source=" + QencodeCdn.librarySource());
            System.out.println("version=" + QencodeCdn.libraryVersion());
        }
    }

    static String runProbe(String... jvmArgs) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path")));
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED");
        }
        cmd.addAll(List.of(jvmArgs));
        cmd.add(Probe.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return "exit=" + p.exitValue() + "\n" + out;
    }

    @Test
    void theBundledLibraryIsLoadedFromTheJarAndHasThePackagesVersion() {
        assertTrue(QencodeCdn.librarySource().startsWith("bundled linux-x86-64/libqencode_cdn.so"),
                QencodeCdn.librarySource());
        assertEquals(QencodeCdn.version(), QencodeCdn.libraryVersion());
        String cp = System.getProperty("java.class.path");
        assertTrue(cp.contains("qencode-cdn-" + QencodeCdn.version() + ".jar"), "the tests run against the built jar: " + cp);
    }

    @Test
    void theSystemPropertyNamesAnotherCopy(@TempDir Path dir) throws Exception {
        Path copy = dir.resolve("libqencode_cdn_copy.so");
        try (var in = LoaderTest.class.getClassLoader().getResourceAsStream("linux-x86-64/libqencode_cdn.so")) {
            Files.copy(in, copy);
        }
        String out = runProbe("-Dqencode.cdn.library=" + copy);
        assertTrue(out.startsWith("exit=0"), out);
        assertTrue(out.contains("source=" + copy.toAbsolutePath()), out);

        String missing = runProbe("-Dqencode.cdn.library=" + dir.resolve("nope.so"));
        assertNotEquals("exit=0", missing.lines().findFirst().orElse(""), missing);
        assertTrue(missing.contains("nope.so: no such file"), missing);
    }
}
