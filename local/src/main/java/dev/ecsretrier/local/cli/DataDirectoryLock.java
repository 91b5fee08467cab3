package dev.ecsretrier.local.cli;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine.Model.CommandSpec;

/**
 * One serve per data directory: two writing the same journals would corrupt them, so the second
 * is a usage error naming the directory. The lock is the operating system's, released when the
 * process ends, however it ends.
 */
final class DataDirectoryLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static DataDirectoryLock acquire(CommandSpec spec, Path directory) {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw UsageErrorHandler.invalid(spec, "--data-dir", directory, "is a file, not a directory");
        }
        FileChannel channel;
        try {
            Files.createDirectories(directory);
            channel = FileChannel.open(directory.resolve("serve.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw UsageErrorHandler.invalid(spec, "--data-dir", directory, "cannot be written: " + e.getMessage());
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | java.nio.channels.OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // it is refused either way
            }
            throw UsageErrorHandler.invalid(spec, "--data-dir", directory, "is in use by another serve");
        }
        return new DataDirectoryLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the process is ending; the operating system releases it anyway
        }
    }
}
