package dev.catsdogs.inference.cli;

/**
 * The most threads a {@code --threads} option accepts, for every command: a few per core. More only
 * add switching (5,000 decoding threads once ran for minutes at a load of 590) and memory.
 */
public final class ThreadLimit {

    /** Threads allowed per core. */
    public static final int FACTOR = 4;

    private ThreadLimit() {}

    /** The limit on a machine with {@code cores} cores. */
    public static int max(int cores) {
        return FACTOR * Math.max(1, cores);
    }
}
