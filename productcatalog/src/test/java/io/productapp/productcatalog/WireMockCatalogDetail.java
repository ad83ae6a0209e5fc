package io.productapp.productcatalog;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * catalogdetail faked by WireMock on a dynamic port. The client is pointed at
 * {@value #PATH}, as the path-based-routing scenario does, so every test also proves that
 * {@code AGG_APP_URL} is called exactly as given.
 */
public class WireMockCatalogDetail implements QuarkusTestResourceLifecycleManager {

    public static final String PATH = "/v2/catalogDetail";
    /**
     * Short, so the timeout test is quick, yet long enough for the first call of a cold JVM on a
     * busy CI machine; the delay the timeout test stubs is well beyond it.
     */
    public static final int READ_TIMEOUT_MS = 1500;

    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    public @interface InjectWireMock {
    }

    private WireMockServer server;

    @Override
    public Map<String, String> start() {
        server = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        server.start();
        return Map.of(
                "quarkus.rest-client.catalogdetail.url", server.baseUrl() + PATH,
                "quarkus.rest-client.catalogdetail.read-timeout", String.valueOf(READ_TIMEOUT_MS));
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(server, new TestInjector.AnnotatedAndMatchesType(InjectWireMock.class, WireMockServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
