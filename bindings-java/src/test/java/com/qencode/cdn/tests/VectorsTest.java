package com.qencode.cdn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.qencode.cdn.QencodeError;
import com.qencode.cdn.SignOptions;
import com.qencode.cdn.Signer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The golden token vectors (tests/vectors/tokens.json): every token byte for byte, every invalid input's code. */
class VectorsTest {
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(String member) {
        return (List<Map<String, Object>>) TestSupport.parseObject(TestSupport.text("tests/vectors/tokens.json")).get(member);
    }

    @SuppressWarnings("unchecked")
    private static SignOptions options(Map<String, Object> v) {
        Map<String, Object> opts = new LinkedHashMap<>((Map<String, Object>) v.get("options"));
        opts.put("now", v.get("now"));
        return ConformanceTest.signOptions(opts);
    }

    @TestFactory
    Stream<DynamicTest> everyGoldenToken() {
        List<Map<String, Object>> vectors = list("vectors");
        assertTrue(vectors.size() >= 10, "the vectors file holds the golden tokens");
        return vectors.stream().map(v -> DynamicTest.dynamicTest((String) v.get("name"), () -> {
            try (Signer s = Signer.fromPem((String) v.get("kid"), TestSupport.text((String) v.get("key_file")))) {
                assertEquals(v.get("token"), s.sign((String) v.get("uri"), options(v)));
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyInvalidVector() {
        return list("invalid").stream().map(v -> DynamicTest.dynamicTest((String) v.get("name"), () -> {
            RuntimeException e = assertThrows(RuntimeException.class, () -> {
                try (Signer s = Signer.fromPem((String) v.get("kid"), TestSupport.text((String) v.get("key_file")))) {
                    s.sign((String) v.get("uri"), options(v));
                }
            });
            assertTrue(e instanceof QencodeError, () -> "a library error: " + e);
            assertEquals(v.get("code"), ((QencodeError) e).code().name(), e::toString);
        }));
    }

}
