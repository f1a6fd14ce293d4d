package dev.catsdogs.trainer.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Splits one class's files 80/10/10 into train, validation and test.
 *
 * <p>The files, sorted by name, are shuffled with {@code new Random(Seeds.derive(seed, "split/" +
 * className))}; then train takes {@code [0, b80)}, validation {@code [b80, b90)} and test {@code
 * [b90, n)}, where {@code bP = round(P * n / 100)} rounded half to even: the boundaries of TFDS's
 * {@code train[:80%]}, {@code train[80%:90%]}, {@code train[90%:]} slicing, which rounds with
 * Python's {@code round}. So 100 files split 80/10/10, 10 files 8/1/1, 15 files 12/2/1, 5 files
 * 4/0/1 and 1 file 1/0/0. Doing this per class (stratified) keeps the class balance of every split
 * equal to that of the whole set.
 */
final class StratifiedSplit {

    static final int TRAIN_PERCENT = 80;
    static final int VALIDATION_END_PERCENT = 90;

    private StratifiedSplit() {}

    /** The train, validation and test parts of one class's files, each in shuffled order. */
    record Parts(List<Path> train, List<Path> validation, List<Path> test) {}

    static Parts split(List<Path> sortedFiles, long seed, String className) {
        List<Path> shuffled = new ArrayList<>(sortedFiles);
        Collections.shuffle(shuffled, new Random(Seeds.derive(seed, "split/" + className)));
        int n = shuffled.size();
        int trainEnd = boundary(TRAIN_PERCENT, n);
        int validationEnd = boundary(VALIDATION_END_PERCENT, n);
        return new Parts(
                List.copyOf(shuffled.subList(0, trainEnd)),
                List.copyOf(shuffled.subList(trainEnd, validationEnd)),
                List.copyOf(shuffled.subList(validationEnd, n)));
    }

    /** {@code round(percent * n / 100)}, halves to even, in exact integer arithmetic. */
    static int boundary(int percent, int n) {
        long scaled = (long) percent * n;
        long quotient = scaled / 100;
        long twiceRemainder = 2 * (scaled % 100);
        if (twiceRemainder > 100 || twiceRemainder == 100 && quotient % 2 == 1) {
            quotient++;
        }
        return Math.toIntExact(quotient);
    }
}
