package com.qencode.cdn;

/** The package's version and the native library behind it. */
public final class QencodeCdn {
    private QencodeCdn() {
    }

    /** This package's version, e.g. {@code 0.1.0}. */
    public static String version() {
        return NativeLoader.packageVersion();
    }

    /** The native library's version ({@code qcdn_version()}); always equal to {@link #version()}. */
    public static String libraryVersion() {
        return Lib.qcdn_version().getString(0, "UTF-8");
    }

    /**
     * The name of a C status number ({@code qcdn_status_str}): {@code "OK"},
     * {@code "INVALID_ARGUMENT"} …, {@code "UNKNOWN"} for a number the library does not know.
     */
    public static String statusName(int status) {
        return Lib.qcdn_status_str(status).getString(0, "UTF-8");
    }

    /** Where the native library was loaded from (the bundled copy, {@code -Dqencode.cdn.library}, or a system path). */
    public static String librarySource() {
        libraryVersion();
        return NativeLoader.loadedFrom;
    }
}
