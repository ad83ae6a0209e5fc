package io.productapp.mesh.route;

/**
 * Where an endpoint or a proxy runs: region, zone and subzone, written {@code region/zone/subzone}
 * as Istio writes localities ({@code us-west-2/us-west-2a}).
 */
public record Locality(String region, String zone, String subzone) {

    public static final Locality UNKNOWN = new Locality("", "", "");

    public Locality {
        region = region == null ? "" : region;
        zone = zone == null ? "" : zone;
        subzone = subzone == null ? "" : subzone;
    }

    public static Locality parse(String text) {
        if (text == null || text.isBlank()) {
            return UNKNOWN;
        }
        String[] parts = text.split("/", 3);
        return new Locality(parts[0], parts.length > 1 ? parts[1] : "", parts.length > 2 ? parts[2] : "");
    }

    /** Whether an Istio locality pattern ({@code us-west-2/*}, {@code us-west-2/us-west-2a}, {@code *}) covers this locality. */
    public boolean matches(String pattern) {
        String[] parts = pattern.split("/", 3);
        String[] mine = { region, zone, subzone };
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].equals("*")) {
                return true;
            }
            if (!parts[i].equals(mine[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return region + "/" + zone + (subzone.isEmpty() ? "" : "/" + subzone);
    }
}
