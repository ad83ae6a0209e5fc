package io.productapp.loadtest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.SingleWriterRecorder;

/**
 * What one sender records: one per event loop, so each is written by a single thread (cheap
 * single-writer recorders, no shared counters on the hot path) and read by the reporter, which
 * drains them all once per window. Latencies are HdrHistogram values in microseconds.
 * "Corrected" latency is measured from the scheduled send time, "uncorrected" from the
 * moment the request actually left (they differ only in the open model, or when sends queue).
 */
final class Stats {

    static final long HIGHEST_MICROS = 3_600_000_000L; // one hour
    static final int DIGITS = 3;

    final SingleWriterRecorder corrected = new SingleWriterRecorder(HIGHEST_MICROS, DIGITS);
    final SingleWriterRecorder uncorrected = new SingleWriterRecorder(HIGHEST_MICROS, DIGITS);
    final LongAdder requests = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder inFlight = new LongAdder();
    final LongAdder behindSchedule = new LongAdder();
    /** When the last answer or failure arrived (System.nanoTime), for the elapsed time; written by the sender only. */
    volatile long lastEnd;
    final Map<Integer, LongAdder> statuses = new ConcurrentHashMap<>();
    final Map<String, LongAdder> errors = new ConcurrentHashMap<>();
    final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    /** Per version: its own latency and error counts. */
    static final class Bucket {
        final SingleWriterRecorder latency = new SingleWriterRecorder(HIGHEST_MICROS, DIGITS);
        final LongAdder count = new LongAdder();
        final LongAdder errors = new LongAdder();
    }

    // The last status and version seen, and their counters: answers mostly repeat them, and one
    // thread writes, so the maps are looked up only when they change.
    private int lastStatus = -1;
    private LongAdder lastStatusCount;
    private String lastBucketName;
    private Bucket lastBucket;

    /** Answers before this instant (System.nanoTime) are warm-up: not recorded. */
    private final long measureFrom;

    Stats(long measureFrom) {
        this.measureFrom = measureFrom;
    }

    boolean measuring(long end) {
        return end >= measureFrom;
    }

    void response(String bucket, int status, long correctedNanos, long uncorrectedNanos, long size) {
        long correctedMicros = clamp(correctedNanos);
        corrected.recordValue(correctedMicros);
        uncorrected.recordValue(clamp(uncorrectedNanos));
        requests.increment();
        bytes.add(size);
        if (status != lastStatus) {
            lastStatusCount = statuses.computeIfAbsent(status, s -> new LongAdder());
            lastStatus = status;
        }
        lastStatusCount.increment();
        if (!bucket.equals(lastBucketName)) {
            lastBucket = buckets.computeIfAbsent(bucket, k -> new Bucket());
            lastBucketName = bucket;
        }
        Bucket b = lastBucket;
        b.latency.recordValue(correctedMicros);
        b.count.increment();
        if (status >= 500) {
            b.errors.increment();
        }
    }

    void failure(String kind, long correctedNanos, long uncorrectedNanos) {
        corrected.recordValue(clamp(correctedNanos));
        uncorrected.recordValue(clamp(uncorrectedNanos));
        requests.increment();
        errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    long transportErrors() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    long serverErrors() {
        return statuses.entrySet().stream().filter(e -> e.getKey() >= 500).mapToLong(e -> e.getValue().sum()).sum();
    }

    private static long clamp(long nanos) {
        return Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1000));
    }
}
