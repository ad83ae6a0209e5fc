package io.productapp.mesh.launch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The four services wired to each other directly, without a mesh ({@code ./demo --no-mesh}, the
 * baseline the mesh is measured against): productcatalog calls catalogdetail v1; v2 runs beside it.
 */
public final class Topology {

    public static final String CATALOGDETAIL_V1 = "catalogdetail-v1";
    public static final String CATALOGDETAIL_V2 = "catalogdetail-v2";
    public static final String PRODUCTCATALOG = "productcatalog";
    public static final String FRONTEND = "frontend";

    /** Loopback ports; the defaults are the services' own ports (v2 moves aside to 3001). */
    public record Ports(int catalogdetailV1, int catalogdetailV2, int productcatalog, int frontend) {

        public static final Ports DEFAULT = new Ports(3000, 3001, 5000, 9000);

        public Ports withOffset(int offset) {
            return new Ports(catalogdetailV1 + offset, catalogdetailV2 + offset, productcatalog + offset, frontend + offset);
        }
    }

    private Topology() {
    }

    /** The packaged application of a module, as {@code ./mvnw package} lays it out. */
    public static Path app(Path root, String module) {
        return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    public static List<ServiceSpec> suite(Path root, Ports ports) throws IOException {
        List<String> jvm = jvmOptions(root);
        return List.of(
                new ServiceSpec(CATALOGDETAIL_V1, app(root, CATALOGDETAIL_V1), ports.catalogdetailV1(),
                        Map.of(), "/q/health/ready", jvm),
                new ServiceSpec(CATALOGDETAIL_V2, app(root, CATALOGDETAIL_V2), ports.catalogdetailV2(),
                        Map.of(), "/q/health/ready", jvm),
                new ServiceSpec(PRODUCTCATALOG, app(root, PRODUCTCATALOG), ports.productcatalog(),
                        Map.of("AGG_APP_URL", "http://127.0.0.1:" + ports.catalogdetailV1() + "/catalogDetail"),
                        "/q/health/ready", jvm),
                new ServiceSpec(FRONTEND, app(root, FRONTEND), ports.frontend(),
                        Map.of("BASE_URL", "http://127.0.0.1:" + ports.productcatalog() + "/products/"),
                        "/q/health/ready", jvm));
    }

    /** {@value #JVM_OPTIONS_FILE}: one option a line, # comments; shared with bench/services.sh. */
    static final String JVM_OPTIONS_FILE = "local-mesh/service-jvm.options";

    static List<String> jvmOptions(Path root) throws IOException {
        Path file = root.resolve(JVM_OPTIONS_FILE);
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        return Files.readAllLines(file).stream().map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    }
}
