package io.productapp.mesh.config;

/** Host names as Istio compares them (pkg/config/host: Name.Matches). */
public final class HostNames {

    private HostNames() {
    }

    /**
     * Whether two host names match: equal names; a wildcard ({@code *.example.com}) matches the names
     * it is a suffix of, and a wider wildcard, either way round; {@code *} matches everything.
     */
    public static boolean match(String a, String b) {
        if (a.equals("*") || b.equals("*")) {
            return true;
        }
        boolean wildA = a.startsWith("*");
        boolean wildB = b.startsWith("*");
        if (wildA && wildB) {
            String suffixA = a.substring(1);
            String suffixB = b.substring(1);
            return suffixA.length() >= suffixB.length() ? suffixA.endsWith(suffixB) : suffixB.endsWith(suffixA);
        }
        if (wildA) {
            return b.endsWith(a.substring(1));
        }
        if (wildB) {
            return a.endsWith(b.substring(1));
        }
        return a.equals(b);
    }
}
