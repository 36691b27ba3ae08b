package io.meshwork.samples.voting.result;

import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The latest tally with a version number that stream handlers wait on.
 *
 * <p>Each server-sent-events client is a virtual thread parked in {@link #awaitNewer}; the poller
 * {@link #publish publishes} a changed tally and wakes them all. No subscriber list exists, so
 * nothing needs cleaning up when a browser tab closes.
 */
final class TallyBoard {
    /** A tally and the version it was published as. */
    record Snapshot(long version, Tally tally) {}

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Snapshot current = new Snapshot(0, Tally.EMPTY);
    private boolean closed;

    Snapshot current() {
        lock.lock();
        try {
            return current;
        } finally {
            lock.unlock();
        }
    }

    /** Stores {@code tally} as a new version if it differs from the current one. */
    void publish(Tally tally) {
        lock.lock();
        try {
            if (!tally.equals(current.tally()) || current.version() == 0) {
                current = new Snapshot(current.version() + 1, tally);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a version newer than {@code seen} exists or {@code timeout} passes; returns the
     * current snapshot either way, or null once the board is closed.
     */
    Snapshot awaitNewer(long seen, Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!closed && current.version() <= seen && left > 0) {
                left = changed.awaitNanos(left);
            }
            return closed ? null : current;
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
