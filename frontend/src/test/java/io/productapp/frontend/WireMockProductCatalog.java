package io.productapp.frontend;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** productcatalog faked by WireMock on a dynamic port; BASE_URL points at its /products/. */
public class WireMockProductCatalog implements QuarkusTestResourceLifecycleManager {

    /**
     * The REST client's read timeout in tests: long enough for the first call of a cold JVM on a
     * busy 2-core machine, short enough for the slow case, whose delay is well beyond it.
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
                "quarkus.rest-client.productcatalog.url", server.baseUrl() + "/products/",
                "quarkus.rest-client.productcatalog.read-timeout", String.valueOf(READ_TIMEOUT_MS));
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
