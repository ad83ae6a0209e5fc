package io.productapp.loadtest;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.Map;
import java.util.zip.DataFormatException;

import org.HdrHistogram.Histogram;

/**
 * A run's latency histograms as the JSON report carries them, so that reports of several
 * load generators can be merged exactly (histograms added, not percentiles averaged): each is
 * HdrHistogram's compressed V2 encoding in base64, the form HdrHistogram's log writer uses;
 * values in microseconds.
 *
 * @param encoding always {@value #ENCODING}
 * @param corrected latency from the intended send time (the report's {@code latency})
 * @param uncorrected latency from the actual send (the report's {@code uncorrectedLatency})
 * @param split per version: the latency of its answers
 */
public record Histograms(String encoding, String corrected, String uncorrected, Map<String, String> split) {

    public static final String ENCODING = "hdrhistogram-v2-compressed-base64-micros";

    public Histograms {
        split = Map.copyOf(split);
    }

    /** One histogram in the report's encoding. */
    public static String encode(Histogram histogram) {
        ByteBuffer buffer = ByteBuffer.allocate(histogram.getNeededByteBufferCapacity());
        int length = histogram.encodeIntoCompressedByteBuffer(buffer);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
    }

    /** A histogram of the report's encoding, as it was recorded. */
    public static Histogram decode(String encoded) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(encoded)), 0);
        } catch (DataFormatException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not an encoded histogram (" + ENCODING + "): " + e.getMessage(), e);
        }
    }
}
