package com.qencode.cdn;

/**
 * Settings of a token cache besides its window, for
 * {@link Signer#cached(java.time.Duration, CacheOptions)}.
 *
 * <pre>{@code
 * Signer cached = signer.cached(Duration.ofMinutes(5), CacheOptions.builder().capacity(10_000).build());
 * }</pre>
 */
public final class CacheOptions {
    private static final CacheOptions DEFAULTS = new Builder().build();

    final long capacity;
    final boolean cachePinnedClock;

    private CacheOptions(Builder b) {
        this.capacity = b.capacity;
        this.cachePinnedClock = b.cachePinnedClock;
    }

    /** A builder with nothing set (the defaults). */
    public static Builder builder() {
        return new Builder();
    }

    /** The defaults: the library's capacity (100 000 tokens), calls with a pinned clock not cached. */
    public static CacheOptions defaults() {
        return DEFAULTS;
    }

    @Override
    public String toString() {
        return "CacheOptions[capacity=" + (capacity == 0 ? "default" : Long.toString(capacity))
                + ", cachePinnedClock=" + cachePinnedClock + "]";
    }

    /** Builds {@link CacheOptions}; not thread-safe, the options it builds are immutable. */
    public static final class Builder {
        private long capacity;
        private boolean cachePinnedClock;

        private Builder() {
        }

        /**
         * The most tokens kept (the least recently used go first); default the
         * library's, 100 000.
         *
         * @throws InvalidArgumentException {@code capacity} is less than 1
         */
        public Builder capacity(long capacity) {
            if (capacity < 1) {
                throw new InvalidArgumentException("the cache capacity must be at least 1 token, got " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /**
         * Caches calls whose options pin the clock ({@link SignOptions.Builder#now}) too — for tests; by
         * default those are always signed afresh.
         */
        public Builder cachePinnedClock(boolean cachePinnedClock) {
            this.cachePinnedClock = cachePinnedClock;
            return this;
        }

        /** The options. */
        public CacheOptions build() {
            return new CacheOptions(this);
        }
    }
}
