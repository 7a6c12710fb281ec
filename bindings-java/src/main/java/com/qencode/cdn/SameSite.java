package com.qencode.cdn;

/** The {@code SameSite} attribute of the signed cookie. */
public enum SameSite {
    /** {@code SameSite=Lax} (the default). */
    LAX("Lax"),
    /** {@code SameSite=Strict}. */
    STRICT("Strict"),
    /** {@code SameSite=None} (requires {@code Secure}). */
    NONE("None");

    private final String attribute;

    SameSite(String attribute) {
        this.attribute = attribute;
    }

    /** The attribute's value: {@code "Lax"}, {@code "Strict"} or {@code "None"}. */
    public String attribute() {
        return attribute;
    }

    static SameSite fromAttribute(String s) {
        for (SameSite v : values()) {
            if (v.attribute.equalsIgnoreCase(s)) {
                return v;
            }
        }
        throw new DecodeException("unknown SameSite value `" + s + "` in the library's answer");
    }
}
