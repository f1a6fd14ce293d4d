/**
 * File and network plumbing for the trainer, free of DJL: {@link
 * dev.catsdogs.trainer.io.Downloader} fetches a URL once into a cache directory (temp file, SHA-256
 * check, atomic rename, progress on stderr), {@link dev.catsdogs.trainer.io.SafeUnzip} extracts an
 * archive without zip-slip or zip-bomb exposure and without ever leaving a half-extracted target,
 * and {@link dev.catsdogs.inference.internal.AtomicFiles} writes run-directory files so that an
 * interrupted run (Ctrl-C, crash) leaves either the old or the new content of a file, never a torn
 * one. Every {@link java.io.IOException} thrown here names the file or URL it is about.
 */
package dev.catsdogs.trainer.io;
