package dev.catsdogs.spark;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Spark 4.x runs; anything else is refused in one sentence naming the version found. */
class SparkVersionTest {

    @ParameterizedTest
    @ValueSource(strings = {"3.5.6", "3.3.0", "2.4.8", "5.0.0", "", "4"})
    void otherVersionsAreRefusedByName(String version) {
        UnsupportedOperationException e =
                assertThrows(
                        UnsupportedOperationException.class, () -> SparkVersion.require(version));
        assertEquals("catsdogs-spark needs Spark 4.x, found " + version, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"4.0.0", "4.1.1", "4.2.0", "4.0.0-preview2", "4.2.0-SNAPSHOT"})
    void sparkFourRuns(String version) {
        assertDoesNotThrow(() -> SparkVersion.require(version));
    }

    @Test
    void theSparkOnTheTestClassPathIsSupported() {
        assertDoesNotThrow(SparkVersion::requireSupported);
        assertDoesNotThrow(() -> new ImageClassifierTransformer());
    }
}
