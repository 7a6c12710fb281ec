package com.qencode.cdn;

/** The type of a custom playback domain. */
public enum DomainType {
    /** {@code "live"}: live-streaming playback. */
    LIVE("live", 1),
    /** {@code "storage"}: media-storage playback. */
    STORAGE("storage", 2);

    private final String apiName;
    final int number;

    DomainType(String apiName, int number) {
        this.apiName = apiName;
        this.number = number;
    }

    /** The API's name: {@code "live"} or {@code "storage"}. */
    public String apiName() {
        return apiName;
    }

    /** The type of an API document's {@code type}, read by the core ({@code qcdn_domain_type_parse}). */
    static DomainType fromApi(String s) {
        int[] number = new int[1];
        if (Lib.qcdn_domain_type_parse(CStrings.of(s, "type"), number) == 0) {
            for (DomainType t : values()) {
                if (t.number == number[0]) {
                    return t;
                }
            }
        }
        throw new DecodeException("unknown domain type `" + s + "` in the library's answer");
    }
}
