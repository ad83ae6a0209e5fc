package io.productapp.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.HdrHistogram.Histogram;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.productapp.loadtest.report.JsonReport;

/**
 * The reports of several load generators, run together against one target, combined into the
 * report one generator sending all their requests would have written: latency histograms added
 * (never percentiles averaged), counts and statuses summed, each version's share and its 95%
 * interval recomputed from the summed counts, the elapsed time from the first start to the last
 * end on the wall clock, and the windows aligned on the wall clock.
 */
public final class Merge {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Merge() {
    }

    /** A report, and where it came from (for messages). */
    public record Part(String source, Report report) {
    }

    /**
     * The reports in {@code files}: each holds one or more {@code productapp-loadtest/1} documents
     * (one per worker: {@code kubectl logs} of several pods into one file works). A file that is
     * not JSON as a whole is read line by line, as kubectl logs writes it: each line that opens
     * with '{' is a document, and other lines (a worker's or the JVM's messages on standard error,
     * which kubectl logs mixes in) are skipped, each told to {@code notes}.
     *
     * @throws IllegalArgumentException naming the file, when one is not such a document or cannot be merged
     */
    public static List<Part> read(List<Path> files, Consumer<String> notes) throws IOException {
        List<Part> parts = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException(file + ": no such file");
            }
            byte[] content = Files.readAllBytes(file);
            List<Part> found = new ArrayList<>();
            try (MappingIterator<JsonNode> documents = JSON.readerFor(JsonNode.class).readValues(content)) {
                while (documents.hasNextValue()) {
                    found.add(part(file + (found.isEmpty() ? "" : " (document " + (found.size() + 1) + ")"), documents.nextValue()));
                }
            } catch (JsonProcessingException e) {
                found = byLine(file, new String(content, StandardCharsets.UTF_8), notes, e);
            }
            if (found.isEmpty()) {
                throw new IllegalArgumentException(file + ": empty, no report in it");
            }
            parts.addAll(found);
        }
        return parts;
    }

    private static List<Part> byLine(Path file, String content, Consumer<String> notes, JsonProcessingException whole) {
        List<Part> found = new ArrayList<>();
        List<String> lines = content.lines().toList();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("{")) {
                JsonNode document;
                try {
                    document = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    throw new IllegalArgumentException(file + ":" + (i + 1) + ": not a JSON report: " + e.getOriginalMessage());
                }
                found.add(part(file + ":" + (i + 1), document));
            } else if (!line.isEmpty()) {
                skipped.add(file + ":" + (i + 1) + ": not a report, skipped: " + (line.length() > 100 ? line.substring(0, 100) + "..." : line));
            }
        }
        if (found.isEmpty() && !skipped.isEmpty()) {
            throw new IllegalArgumentException(file + ": not a JSON report: " + whole.getOriginalMessage());
        }
        skipped.forEach(notes);
        return found;
    }

    private static Part part(String source, JsonNode document) {
        String schema = document.path("schema").asText("");
        if (!schema.equals(JsonReport.SCHEMA)) {
            throw new IllegalArgumentException(source + ": schema '" + schema + "', expected " + JsonReport.SCHEMA);
        }
        JsonNode histograms = document.path("report").path("histograms");
        if (!histograms.isObject()) {
            throw new IllegalArgumentException(source + ": no 'histograms' (written by an older ./loadtest): it cannot be merged exactly");
        }
        if (!histograms.path("encoding").asText("").equals(Histograms.ENCODING)) {
            throw new IllegalArgumentException(source + ": histogram encoding '" + histograms.path("encoding").asText("")
                    + "', expected " + Histograms.ENCODING);
        }
        try {
            return new Part(source, JSON.treeToValue(document.path("report"), Report.class));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(source + ": field 'report' is not a load test report: " + e.getOriginalMessage());
        }
    }

    /**
     * The parts combined.
     *
     * @throws IllegalArgumentException when they loaded different targets, split them differently, or
     *         a histogram or start time is unreadable
     */
    public static Report of(List<Part> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("merge needs at least one report");
        }
        Part first = parts.get(0);
        Histogram corrected = histogram();
        Histogram uncorrected = histogram();
        Map<String, Histogram> versionLatency = new TreeMap<>();
        Map<String, long[]> versions = new TreeMap<>(); // answers, 5xx
        Map<Integer, Long> statuses = new TreeMap<>();
        Map<String, Long> errors = new TreeMap<>();
        long requests = 0;
        long transportErrors = 0;
        long serverErrors = 0;
        long bytes = 0;
        long behind = 0;
        Instant start = null;
        Instant end = null;
        List<String> models = new ArrayList<>();
        for (Part part : parts) {
            Report report = part.report();
            if (!report.targets().equals(first.report().targets())) {
                throw new IllegalArgumentException(part.source() + ": targets " + report.targets() + " differ from "
                        + first.source() + "'s " + first.report().targets() + ": only runs against one target merge");
            }
            if (!report.splitBy().equals(first.report().splitBy())) {
                throw new IllegalArgumentException(part.source() + ": split by " + report.splitBy() + ", " + first.source()
                        + " by " + first.report().splitBy() + ": only runs split alike merge");
            }
            corrected.add(decode(part, report.histograms().corrected(), "histograms.corrected"));
            uncorrected.add(decode(part, report.histograms().uncorrected(), "histograms.uncorrected"));
            report.split().forEach((version, share) -> {
                long[] totals = versions.computeIfAbsent(version, v -> new long[2]);
                totals[0] += share.count();
                totals[1] += share.errors();
                versionLatency.computeIfAbsent(version, v -> histogram())
                        .add(decode(part, report.histograms().split().get(version), "histograms.split." + version));
            });
            report.statuses().forEach((status, count) -> statuses.merge(status, count, Long::sum));
            report.errors().forEach((kind, count) -> errors.merge(kind, count, Long::sum));
            requests += report.requests();
            transportErrors += report.transportErrors();
            serverErrors += report.serverErrors();
            bytes += report.bytes();
            behind += report.behindSchedule();
            Instant partStart = startOf(part);
            Instant partEnd = partStart.plusNanos((long) (report.elapsedSeconds() * 1e9));
            start = start == null || partStart.isBefore(start) ? partStart : start;
            end = end == null || partEnd.isAfter(end) ? partEnd : end;
            if (!models.contains(report.model())) {
                models.add(report.model());
            }
        }
        double elapsed = Math.max(1e-9, Duration.between(start, end).toNanos() / 1e9);
        long answered = versions.values().stream().mapToLong(t -> t[0]).sum();
        Map<String, Report.Share> split = new LinkedHashMap<>();
        versions.forEach((version, totals) -> split.put(version,
                Report.Share.of(totals[0], answered, totals[1], versionLatency.get(version))));
        Map<String, String> encodedSplit = new TreeMap<>();
        versionLatency.forEach((version, h) -> encodedSplit.put(version, Histograms.encode(h)));
        return new Report("merged from " + parts.size() + " reports: " + String.join("; ", models), first.report().targets(),
                first.report().splitBy(), elapsed, requests, transportErrors, serverErrors, bytes, behind, statuses, errors,
                Report.Latency.of(corrected), Report.Latency.of(uncorrected), Report.concurrency(corrected, elapsed), split,
                windows(parts, start), start.toString(),
                new Histograms(Histograms.ENCODING, Histograms.encode(corrected), Histograms.encode(uncorrected), encodedSplit));
    }

    /**
     * The parts' windows on one wall clock: each falls in the slot of the merged run where it
     * started, slots as long as the first part's windows (one second by default).
     */
    private static List<Window> windows(List<Part> parts, Instant start) {
        double length = parts.stream().flatMap(p -> p.report().windows().stream()).mapToDouble(Window::seconds)
                .filter(s -> s > 0).max().orElse(1.0);
        length = Math.round(length * 1000) / 1000.0;
        Map<Long, Slot> slots = new TreeMap<>();
        for (Part part : parts) {
            double offset = Duration.between(start, startOf(part)).toNanos() / 1e9;
            for (Window window : part.report().windows()) {
                long index = (long) Math.floor((offset + window.startSeconds()) / length + 1e-6);
                Slot slot = slots.computeIfAbsent(index, i -> new Slot());
                slot.requests += window.requests();
                slot.errors += window.errors();
                slot.inFlight += window.inFlight();
                window.split().forEach((version, count) -> slot.split.merge(version, count, Long::sum));
                slot.latency.add(decode(part, window.histogram(), "windows[].histogram"));
            }
        }
        List<Window> windows = new ArrayList<>();
        double slotLength = length;
        slots.forEach((index, slot) -> windows.add(new Window(index * slotLength, slotLength, slot.requests, slot.errors,
                Report.ms(slot.latency.getValueAtPercentile(50)), Report.ms(slot.latency.getValueAtPercentile(99)),
                Report.ms(slot.latency.getMaxValue()), slot.inFlight, Map.copyOf(slot.split), Histograms.encode(slot.latency))));
        return windows;
    }

    private static final class Slot {
        long requests;
        long errors;
        long inFlight;
        final Map<String, Long> split = new TreeMap<>();
        final Histogram latency = histogram();
    }

    private static Histogram histogram() {
        return new Histogram(Stats.HIGHEST_MICROS, Stats.DIGITS);
    }

    private static Histogram decode(Part part, String encoded, String field) {
        if (encoded == null) {
            throw new IllegalArgumentException(part.source() + ": field '" + field + "' is missing");
        }
        try {
            return Histograms.decode(encoded);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(part.source() + ": field '" + field + "': " + e.getMessage(), e);
        }
    }

    private static Instant startOf(Part part) {
        try {
            return Instant.parse(part.report().startTime());
        } catch (DateTimeParseException | NullPointerException e) {
            throw new IllegalArgumentException(part.source() + ": field 'startTime' is not an ISO-8601 instant: "
                    + part.report().startTime());
        }
    }
}
