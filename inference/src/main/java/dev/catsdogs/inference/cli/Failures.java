package dev.catsdogs.inference.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;

/**
 * How every command's failure reaches the user (set by {@link ClassifyCommand#configure}): one line
 * naming the file or value and the problem, and an exit code — {@value #USAGE} when the command
 * line is wrong (a bad option value, a path option pointing at the wrong thing), {@value #FAILURE}
 * when the work failed. A stack trace only for what must be a bug, and only with {@code
 * CATSDOGS_DEBUG=1}.
 */
public final class Failures implements CommandLine.IExecutionExceptionHandler {

    /** The command line is wrong. */
    public static final int USAGE = 2;

    /** The work failed. */
    public static final int FAILURE = 1;

    /** Ctrl-C: the run stopped and said how far it got. */
    public static final int INTERRUPTED = 130;

    @Override
    public int handleExecutionException(
            Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        PrintWriter err = commandLine.getErr();
        String command = commandLine.getCommandName();
        if (e instanceof CommandLine.ParameterException) {
            err.println(command + ": " + e.getMessage());
            err.println("Try './catsdogs " + command + " --help' for the options.");
            err.flush();
            return USAGE;
        }
        err.println(command + ": " + describe(e));
        if (isBug(e)) {
            if ("1".equals(System.getenv("CATSDOGS_DEBUG"))) {
                e.printStackTrace(err);
            } else {
                err.println(
                        "(this looks like a bug in catsdogs; CATSDOGS_DEBUG=1 prints the stack"
                                + " trace to report)");
            }
        }
        err.flush();
        return FAILURE;
    }

    /** One line for a failure: what went wrong and with which file, without the exception class. */
    public static String describe(Throwable e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof FileSystemException f) {
            String what =
                    t instanceof NoSuchFileException
                            ? "not found"
                            : t instanceof AccessDeniedException
                                    ? "permission denied"
                                    : t instanceof FileAlreadyExistsException
                                            ? "already exists"
                                            : t instanceof NotDirectoryException
                                                    ? "not a directory"
                                                    : t instanceof DirectoryNotEmptyException
                                                            ? "directory not empty"
                                                            : f.getReason();
            return f.getFile()
                    + (f.getOtherFile() != null ? " -> " + f.getOtherFile() : "")
                    + ": "
                    + (what == null ? "file system error" : what);
        }
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        return message.lines().findFirst().orElse(message);
    }

    // Failures the user can act on carry their own message; anything else is ours to fix.
    private static boolean isBug(Throwable e) {
        return e instanceof NullPointerException
                || e instanceof ClassCastException
                || e instanceof IndexOutOfBoundsException
                || e instanceof ArithmeticException
                || e instanceof UnsupportedOperationException;
    }
}
