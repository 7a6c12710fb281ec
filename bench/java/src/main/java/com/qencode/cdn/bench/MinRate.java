package com.qencode.cdn.bench;

import java.util.function.Supplier;

/**
 * The Java side of bench/java/run.sh, measured exactly as the core's
 * {@code core_rate} measures itself (so the two can alternate in one run on a
 * shared machine): ROUNDS batches of BATCH signatures after a warm-up, the
 * best batch's time per signature. Prints {@code qencode_ns_min=… jjwt_ns_min=… nimbus_ns_min=…}.
 *
 * <p>Usage: {@code MinRate KEYS_DIR ROUNDS BATCH}
 */
public final class MinRate {
    private MinRate() {
    }

    static double best(Supplier<String> sign, int rounds, int batch) {
        for (int i = 0; i < Math.max(batch, 200); i++) {
            sign.get(); // warm-up: the JIT compiles the whole path first
        }
        double min = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            long t = System.nanoTime();
            for (int i = 0; i < batch; i++) {
                if (sign.get().isEmpty()) {
                    throw new AssertionError();
                }
            }
            min = Math.min(min, (System.nanoTime() - t) / (double) batch);
        }
        return min;
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("qcdn.keys", args[0]);
        int rounds = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        SignBench b = new SignBench();
        b.setup();
        double q = best(b::qencodeCdn, rounds, batch);
        double j = best(b::jjwt, rounds, Math.max(1, batch / 4));
        double n = best(() -> {
            try {
                return b.nimbus();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, rounds, Math.max(1, batch / 4));
        b.close();
        System.out.printf("qencode_ns_min=%.0f jjwt_ns_min=%.0f nimbus_ns_min=%.0f%n", q, j, n);
    }
}
