package dev.catsdogs.trainer.cli;

/**
 * The most threads a {@code --threads} option accepts: a few per core. More only add switching
 * (5,000 decoding threads once ran for minutes at a load of 590) and memory.
 */
final class ThreadLimit {

    /** Threads allowed per core. */
    static final int FACTOR = 4;

    private ThreadLimit() {}

    static int max(int cores) {
        return FACTOR * Math.max(1, cores);
    }
}
