package com.qencode.cdn;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * Finds and loads {@code libqencode_cdn} once per class loader:
 * <ol>
 * <li>the file named by the system property {@value #PROPERTY}, when set;</li>
 * <li>else the copy bundled in this jar under JNA's resource path
 * ({@code linux-x86-64/libqencode_cdn.so}), extracted by JNA to its temporary
 * folder ({@code jna.tmpdir});</li>
 * <li>else JNA's own search ({@code jna.library.path}, the system's library
 * path) for platforms the jar has no copy for.</li>
 * </ol>
 * The library's version must equal this package's: a different C library
 * behind these bindings could crash the JVM, so a mismatch is refused.
 */
final class NativeLoader {
    /** System property naming the native library file to load instead of the bundled one. */
    static final String PROPERTY = "qencode.cdn.library";

    private static final String NAME = "qencode_cdn";

    /** Where the library was loaded from (for messages and tests). */
    static volatile String loadedFrom = "";

    private NativeLoader() {
    }

    static NativeLibrary library() {
        if (Native.POINTER_SIZE != 8) {
            throw new UnsatisfiedLinkError("qencode-cdn needs a 64-bit JVM (this one has "
                    + (Native.POINTER_SIZE * 8) + "-bit pointers)");
        }
        NativeLibrary lib;
        String override = System.getProperty(PROPERTY);
        if (override != null && !override.isBlank()) {
            File file = new File(override.trim());
            if (!file.isFile()) {
                throw new UnsatisfiedLinkError("-D" + PROPERTY + "=" + override + ": no such file");
            }
            lib = NativeLibrary.getInstance(file.getAbsolutePath());
            loadedFrom = file.getAbsolutePath();
        } else {
            String resource = Platform.RESOURCE_PREFIX + "/" + System.mapLibraryName(NAME);
            ClassLoader loader = NativeLoader.class.getClassLoader();
            java.net.URL url = loader == null ? null : loader.getResource(resource);
            if (url != null) {
                File file;
                try {
                    file = Native.extractFromResourcePath("/" + resource, loader);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot extract the bundled " + resource
                            + " (set jna.tmpdir to a writable folder that allows executables)", e);
                }
                lib = NativeLibrary.getInstance(file.getAbsolutePath());
                loadedFrom = "bundled " + resource;
                if (!"file".equals(url.getProtocol()) && !file.delete()) {
                    // Extracted from the jar and mapped: the copy is no longer needed (POSIX keeps
                    // the mapping); where an open library cannot be deleted, at exit.
                    file.deleteOnExit();
                }
            } else {
                try {
                    lib = NativeLibrary.getInstance(NAME);
                } catch (UnsatisfiedLinkError e) {
                    UnsatisfiedLinkError err = new UnsatisfiedLinkError("qencode-cdn: no bundled " + resource
                            + " in this jar for this platform, and " + System.mapLibraryName(NAME)
                            + " is not on jna.library.path or the system's library path; set -D" + PROPERTY
                            + "=/path/to/" + System.mapLibraryName(NAME));
                    err.initCause(e);
                    throw err;
                }
                loadedFrom = lib.getFile() != null ? lib.getFile().getAbsolutePath() : NAME;
            }
        }
        Function version = lib.getFunction("qcdn_version");
        Pointer p = (Pointer) version.invoke(Pointer.class, new Object[0]);
        String got = p == null ? "?" : p.getString(0, "UTF-8");
        String want = packageVersion();
        if (!got.equals(want)) {
            throw new UnsatisfiedLinkError("qencode-cdn " + want + " needs libqencode_cdn " + want + ", but "
                    + loadedFrom + " is version " + got);
        }
        return lib;
    }

    /** This package's version (from {@code version.properties}, written by the Maven build). */
    static String packageVersion() {
        Properties props = new Properties();
        try (InputStream in = NativeLoader.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                throw new IllegalStateException("com/qencode/cdn/version.properties is missing from the jar");
            }
            props.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return props.getProperty("version", "?");
    }
}
