package io.productapp.mesh.config;

/**
 * One problem found in a manifest, printed as one line:
 * {@code IST0101 error istio/x/vs.yaml: VirtualService catalogdetail: subset v3 is not defined ...}.
 * Codes are istioctl analyze's (IST....) or, for what the API server and Istio's webhook would
 * refuse, YAML, KIND, SCHEMA, FIELD and WEBHOOK.
 */
public record Finding(String code, Level level, String file, String subject, String message) {

    public enum Level {
        ERROR, WARNING, INFO;

        @Override
        public String toString() {
            return name().toLowerCase();
        }
    }

    public static Finding error(String code, Manifest manifest, String message) {
        return new Finding(code, Level.ERROR, manifest.file(), manifest.subject(), message);
    }

    public static Finding warning(String code, Manifest manifest, String message) {
        return new Finding(code, Level.WARNING, manifest.file(), manifest.subject(), message);
    }

    public static Finding info(String code, Manifest manifest, String message) {
        return new Finding(code, Level.INFO, manifest.file(), manifest.subject(), message);
    }

    @Override
    public String toString() {
        return code + " " + level + " " + file + ": " + (subject == null ? "" : subject + ": ") + message;
    }
}
