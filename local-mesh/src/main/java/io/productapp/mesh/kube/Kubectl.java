package io.productapp.mesh.kube;

import java.util.concurrent.TimeUnit;

/** How {@code kubectl get pods -o wide} prints a pod: its columns, and durations as kubectl's HumanDuration writes them. */
public final class Kubectl {

    private Kubectl() {
    }

    /**
     * One row of {@code kubectl get pods -o wide}, with the zone of its node.
     *
     * @param restarts the RESTARTS column ({@code 2 (15s ago)}); {@code restartCount} its number
     * @param ip where the pod answers (here 127.0.0.1:PORT)
     */
    public record Row(String name, String ready, String status, String restarts, int restartCount, String age, String ip,
            String zone) {

        public static final String HEADER = String.format("%-22s %-6s %-17s %-16s %-7s %-16s %s", "NAME", "READY", "STATUS", "RESTARTS",
                "AGE", "IP", "ZONE");

        @Override
        public String toString() {
            return String.format("%-22s %-6s %-17s %-16s %-7s %-16s %s", name, ready, status, restarts, age, ip, zone);
        }
    }

    public static Row row(Pod pod, long now, String ip, String zone) {
        return new Row(pod.name(), pod.readyColumn(), pod.status(), pod.restartsColumn(now), pod.restarts(), age(now - pod.created()), ip,
                zone);
    }

    /** A duration as kubectl shows ages: 45s, 3m20s, 12m, 5h30m, 3d4h, ... */
    public static String age(long nanos) {
        long seconds = TimeUnit.NANOSECONDS.toSeconds(nanos);
        if (seconds < 0) {
            return "0s";
        }
        if (seconds < 120) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        if (minutes < 10) {
            return seconds % 60 == 0 ? minutes + "m" : minutes + "m" + seconds % 60 + "s";
        }
        if (minutes < 180) {
            return minutes + "m";
        }
        long hours = minutes / 60;
        if (hours < 8) {
            return minutes % 60 == 0 ? hours + "h" : hours + "h" + minutes % 60 + "m";
        }
        if (hours < 48) {
            return hours + "h";
        }
        long days = hours / 24;
        if (hours < 24 * 8) {
            return hours % 24 == 0 ? days + "d" : days + "d" + hours % 24 + "h";
        }
        if (days < 365 * 2) {
            return days + "d";
        }
        long years = days / 365;
        return days < 365 * 8 && days % 365 != 0 ? years + "y" + days % 365 + "d" : years + "y";
    }
}
