package io.productapp.mesh.admin;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.productapp.mesh.config.Sources;

/** {@code ./demo apply}: sends a folder's manifests to a running mesh's admin API and prints what it made of them. */
public final class AdminClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public AdminClient(int port) {
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Applies every {@code .yaml}, {@code .yml} and {@code .json} file of {@code folder} (as
     * {@code kubectl apply -f} reads a folder); 0 when applied, 1 when refused.
     *
     * @throws IOException when no mesh answers
     */
    public int apply(Path folder, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        ObjectNode request = JSON.createObjectNode().put("label", folder.getFileName().toString());
        ArrayNode files = request.putArray("files");
        List<Path> manifests = Sources.manifestFiles(folder);
        if (manifests.isEmpty()) {
            err.println("demo: " + folder + " holds no .yaml, .yml or .json file");
            return 1;
        }
        Path cwd = Path.of("").toAbsolutePath();
        for (Path file : manifests) {
            Path absolute = file.toAbsolutePath().normalize();
            files.addObject().put("path", absolute.startsWith(cwd) ? cwd.relativize(absolute).toString() : absolute.toString())
                    .put("content", Files.readString(file));
        }
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/apply"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(request))).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode result = JSON.readTree(response.body());
        for (JsonNode finding : result.path("findings")) {
            (finding.path("level").asText().equals("error") ? err : out).println("  " + finding.path("text").asText());
        }
        if (response.statusCode() == 200) {
            for (JsonNode object : result.path("objects")) {
                out.println(object.path("kind").asText().toLowerCase() + "/" + object.path("name").asText() + " configured");
            }
            return 0;
        }
        if (response.statusCode() == 422) {
            err.println("demo: " + folder + " refused; the configuration in force is unchanged");
            return 1;
        }
        err.println("demo: the mesh answered " + response.statusCode() + ": " + result.path("error").asText(response.body()));
        return 1;
    }
}
